/**
 * A bounded cache whose entries expire, for webhook answers (TokenReview,
 * SubjectAccessReview): Kubernetes caches both, allow and deny, for a TTL each. Concurrent
 * look-ups of one key share one request.
 */
import type { Clock } from "@apiserver-kit/storage";

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly pending = new Map<string, Promise<V>>();

  constructor(
    private readonly clock: Pick<Clock, "now">,
    /** Oldest entries go first beyond this many. */
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.clock.now() + ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /**
   * The cached value, or `load()`'s (shared with concurrent callers of the same key),
   * cached for `ttl(value)` ms; a rejection is not cached. A hit is answered synchronously.
   */
  getOrLoad(key: string, load: () => Promise<V>, ttl: (value: V) => number): V | Promise<V> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    let loading = this.pending.get(key);
    if (!loading) {
      loading = load().then(
        (value) => {
          this.pending.delete(key);
          this.set(key, value, ttl(value));
          return value;
        },
        (error: unknown) => {
          this.pending.delete(key);
          throw error;
        },
      );
      this.pending.set(key, loading);
    }
    return loading;
  }

  clear(): void {
    this.entries.clear();
  }
}
