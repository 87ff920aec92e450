import { background, type Clock, systemClock, type TimerHandle } from "../clock.js";
import { isStorageError, StorageError } from "../errors.js";
import type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  ObjectWatchEvent,
  ReadConsistency,
  Storage,
  StoredObject,
  UpdateFunction,
  UpdateOptions,
  WatchEvent,
  WatchHandle,
  WatchOptions,
  WatchSink,
} from "../interface.js";
import { continueRevision, type EntryReader, listPage } from "../list/page.js";
import { SortedKeys } from "../list/sorted-keys.js";
import { prefixEnd } from "../objects.js";
import { firstAfter } from "../watch/revisions.js";
import { type EventLog, WatcherSet } from "../watch/watcher-set.js";

export interface WatchCacheOptions {
  /** The key prefix (ending in "/") this cache serves, e.g. `/registry/<group>/<resource>/`. */
  prefix: string;
  clock?: Clock;
  /**
   * Events kept in memory for watch resumption and reads at past revisions (default
   * 10,000; up to an eighth more between trims). It also bounds slow watchers: one that
   * falls this far behind is closed.
   */
  historySize?: number;
  /** How long a read waits for the cache to reach a revision before Timeout (default 3 s, as Kubernetes). */
  freshnessTimeoutMs?: number;
  /** How often watchers that asked for progress get a BOOKMARK (default 60 s). */
  bookmarkIntervalMs?: number;
  /** First delay before listing again after a failed list (doubles up to 30 s; default 1 s). */
  relistBackoffMs?: number;
}

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
  readonly timer: TimerHandle;
}

type Entry = readonly [key: string, object: StoredObject];
const CONSISTENT: ReadConsistency = { kind: "consistent" };

const ENTRY: EntryReader<Entry> = { key: (entry) => entry[0], object: (entry) => entry[1] };

/** Objects at a past revision could not be rebuilt from the window (an event lacked prevObject). */
class NotInWindow extends Error {}

/**
 * The Kubernetes "cacher" for one resource prefix: one backend watch feeds an in-memory
 * copy of the objects plus a window of recent events. Reads and watches are answered from
 * memory by these rules (the backend is asked only where the column says so):
 *
 * | read                              | answered from                                              |
 * |-----------------------------------|------------------------------------------------------------|
 * | any (resourceVersion "0")         | memory, at once                                            |
 * | notOlderThan N                    | memory, once the cache reached N (bounded wait, Timeout)   |
 * | consistent (unset)                | memory, once the cache reached the backend's current       |
 * |                                   | revision (asked for progress if needed); backend when the  |
 * |                                   | backend cannot promise progress (etcd < 3.4.31/3.5.13)     |
 * | exact N / continue at N           | memory (rebuilt from the window) when N is inside it;      |
 * |                                   | the backend when N is older (it answers or says Expired)   |
 * | watch from N                      | memory; N older than the window → Expired                  |
 *
 * Keys outside the prefix, and every read while the cache is not ready, go to the backend.
 * Writes pass through. Watchers pull from the shared window, so a stalled watcher holds no
 * memory of its own; once the window moves past it, it is closed with Expired.
 */
export class WatchCache implements Storage {
  readonly name: string;
  readonly prefix: string;
  private readonly clock: Clock;
  private readonly historySize: number;
  private readonly freshnessTimeoutMs: number;
  private readonly bookmarkIntervalMs: number;
  private readonly relistBackoffMs: number;

  private readonly objects = new Map<string, StoredObject>();
  /** The keys of `objects`, sorted. */
  private keys = new SortedKeys();
  /** Recent events in revision order; every event after `windowStart` is here. */
  private history: ObjectWatchEvent[] = [];
  private windowStart = 0;
  /** Everything up to this revision has been applied. */
  private revision = 0;
  private readonly log: EventLog = {
    head: () => this.revision,
    oldest: () => this.windowStart,
    readAfter: (after, max) => {
      if (after < this.windowStart) throw StorageError.expired(this.prefix, after, this.windowStart);
      const start = firstAfter(this.history, after);
      return this.history.slice(start, start + max);
    },
  };
  private readonly watchers = new WatcherSet(this.log);
  private waiters: Waiter[] = [];
  private backendWatch: WatchHandle | undefined;
  /** Bumped on every relist, so that a replaced backend watch's late calls are ignored. */
  private generation = 0;
  private readyFlag = false;
  private resolveReady: () => void = () => {};
  private closed = false;
  private relistDelay: number;
  private timer: TimerHandle | undefined;
  private bookmarkTimer: TimerHandle | undefined;
  /** Until then, consistent reads go straight to the backend (it refused a progress request). */
  private noProgressUntil = 0;

  /** Resolves once the first list has been loaded (for /readyz). */
  readonly ready: Promise<void>;

  constructor(
    private readonly backend: Storage,
    options: WatchCacheOptions,
  ) {
    if (!options.prefix.endsWith("/")) throw new RangeError(`watch cache prefix must end with "/": ${options.prefix}`);
    this.prefix = options.prefix;
    this.name = `${backend.name}+watchcache`;
    const revisionNow = backend.currentRevisionNow;
    if (revisionNow) this.currentRevisionNow = () => revisionNow.call(backend);
    this.clock = options.clock ?? systemClock;
    this.historySize = Math.max(1, options.historySize ?? 10_000);
    this.freshnessTimeoutMs = options.freshnessTimeoutMs ?? 3000;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    this.relistBackoffMs = options.relistBackoffMs ?? 1000;
    this.relistDelay = this.relistBackoffMs;
    this.ready = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
    void this.relist();
    this.scheduleBookmarks();
  }

  isReady(): boolean {
    return this.readyFlag;
  }

  /** How many objects memory holds now; undefined until the first list is in (or while relisting). */
  objectCount(): number | undefined {
    return this.readyFlag ? this.objects.size : undefined;
  }

  async get(key: string, options: GetOptions = {}): Promise<StoredObject | null> {
    if (!this.serves(key)) return this.backend.get(key, options);
    const consistency = options.consistency ?? { kind: "consistent" };
    if (consistency.kind === "exact") {
      if (consistency.revision < this.windowStart || !(await this.reach(consistency.revision, key))) {
        return this.backend.get(key, options);
      }
      try {
        return this.objectAt(key, consistency.revision);
      } catch (error) {
        if (error instanceof NotInWindow) return this.backend.get(key, options);
        throw error;
      }
    }
    if (!(await this.fresh(consistency, key))) return this.backend.get(key, options);
    return this.objects.get(key) ?? null;
  }

  /**
   * `get` without a promise when memory answers at once: a cached key read at "any", at a
   * revision the cache has applied, or consistently on a backend that knows its current
   * revision without I/O (SQLite, memory). Anything that would wait or ask the backend → undefined.
   */
  getNow(key: string, options: GetOptions = {}): StoredObject | null | undefined {
    if (!this.serves(key)) return undefined;
    const consistency = options.consistency ?? CONSISTENT;
    switch (consistency.kind) {
      case "any":
        break;
      case "notOlderThan":
        if (this.revision < consistency.revision) return undefined;
        break;
      case "consistent": {
        if (this.clock.now() < this.noProgressUntil) return undefined;
        const current = this.backend.currentRevisionNow?.();
        if (current === undefined || this.revision < current) return undefined;
        break;
      }
      default:
        return undefined;
    }
    return this.objects.get(key) ?? null;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    if (!this.serves(prefix)) return this.backend.list(prefix, options);
    const exact = options.continueFrom
      ? continueRevision(options.continueFrom)
      : options.consistency?.kind === "exact"
        ? options.consistency.revision
        : undefined;
    if (exact !== undefined) {
      if (exact < this.windowStart || !(await this.reach(exact, prefix))) return this.backend.list(prefix, options);
      try {
        return this.listAt(prefix, options, exact);
      } catch (error) {
        if (error instanceof NotInWindow) return this.backend.list(prefix, options);
        throw error;
      }
    }
    // A continuation at the latest revision reads as fresh as a list without resourceVersion.
    const consistency = options.continueFrom ? undefined : options.consistency;
    if (!(await this.fresh(consistency ?? { kind: "consistent" }, prefix))) {
      return this.backend.list(prefix, options);
    }
    return this.listCurrent(prefix, options);
  }

  create(key: string, object: StoredObject): Promise<StoredObject> {
    return this.backend.create(key, object);
  }

  guaranteedUpdate(key: string, update: UpdateFunction, options?: UpdateOptions): Promise<StoredObject> {
    return this.backend.guaranteedUpdate(key, update, options);
  }

  delete(key: string, options?: DeleteOptions): Promise<StoredObject> {
    return this.backend.delete(key, options);
  }

  watch(prefixOrKey: string, options: WatchOptions, sink: WatchSink): WatchHandle {
    if (!this.serves(prefixOrKey)) return this.backend.watch(prefixOrKey, options, sink);
    const closed = this.closed ? StorageError.unavailable(prefixOrKey, new Error("watch cache closed")) : undefined;
    return this.watchers.add(prefixOrKey, options, sink, closed);
  }

  currentRevision(): Promise<number> {
    return this.backend.currentRevision();
  }

  /** Defined exactly when the backend's is (see Storage.currentRevisionNow). */
  readonly currentRevisionNow?: () => number;

  compactedRevision(): Promise<number> {
    return this.backend.compactedRevision();
  }

  /** Compacts the backend, and the window with it, so that reads before `revision` say Expired everywhere. */
  async compact(revision: number): Promise<void> {
    await this.backend.compact(revision);
    const target = Math.min(revision, this.revision);
    if (target > this.windowStart) {
      this.history = this.history.slice(firstAfter(this.history, target));
      this.windowStart = target;
      this.watchers.notify();
    }
  }

  count(prefix: string): Promise<number> {
    return this.backend.count(prefix);
  }

  ping(): Promise<void> {
    return this.backend.ping();
  }

  /** Stops the cache (its backend watch, timers and watchers); the backend itself stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readyFlag = false;
    this.generation++;
    this.backendWatch?.stop();
    if (this.timer) this.clock.clearTimeout(this.timer);
    if (this.bookmarkTimer) this.clock.clearTimeout(this.bookmarkTimer);
    this.watchers.failAll(StorageError.unavailable(this.prefix, new Error("watch cache closed")));
    for (const waiter of this.waiters.splice(0)) {
      this.clock.clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  /** Whether this cache answers for `key` (a key or prefix inside its prefix) right now. */
  private serves(key: string): boolean {
    return this.readyFlag && key.startsWith(this.prefix);
  }

  /**
   * Waits until memory is fresh enough for `consistency`; false means "ask the backend"
   * (the cache is behind and the backend cannot help it catch up).
   */
  private async fresh(consistency: ReadConsistency, key: string): Promise<boolean> {
    if (consistency.kind === "any") return true;
    if (consistency.kind === "notOlderThan") return this.reach(consistency.revision, key);
    if (this.clock.now() < this.noProgressUntil) return false;
    const reached = await this.reach(await this.backend.currentRevision(), key, "consistent");
    // Remembered for a while: on such a backend every consistent read would end the same way.
    if (!reached) this.noProgressUntil = this.clock.now() + this.bookmarkIntervalMs;
    return reached;
  }

  /**
   * Makes sure the cache has applied `revision`: at once, or by asking the backend watch for
   * progress and waiting (bounded). False when the backend cannot promise progress.
   */
  private async reach(revision: number, key: string, why: "consistent" | "requested" = "requested"): Promise<boolean> {
    if (this.revision >= revision) return true;
    if (!this.backendWatch?.requestProgress()) return false;
    await this.waitFor(revision, key, why);
    return true;
  }

  /** Resolves once the cache has applied `revision`; Timeout after freshnessTimeoutMs. */
  private waitFor(revision: number, key: string, why: "consistent" | "requested"): Promise<void> {
    if (this.revision >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        revision,
        resolve: () =>
          this.closed ? reject(StorageError.unavailable(key, new Error("watch cache closed"))) : resolve(),
        timer: this.clock.setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            why === "consistent"
              ? StorageError.timeout(
                  key,
                  `the watch cache did not reach revision ${revision} within ${this.freshnessTimeoutMs} ms (at ${this.revision})`,
                )
              : StorageError.tooLargeResourceVersion(key, revision, this.revision),
          );
        }, this.freshnessTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private listCurrent(prefix: string, options: ListOptions): ListResult {
    const start = options.continueFrom ? `${options.continueFrom.key}\u0000` : prefix;
    return listPage(this.currentEntries(prefix, start), ENTRY, options, this.revision, (afterKey) =>
      Math.max(0, this.keys.rank(prefixEnd(prefix)) - this.keys.rank(`${afterKey}\u0000`)),
    );
  }

  private *currentEntries(prefix: string, start: string): Generator<Entry> {
    for (const key of this.keys.from(start)) {
      if (!key.startsWith(prefix)) return;
      yield [key, this.objects.get(key) as StoredObject];
    }
  }

  /** A list at a past revision inside the window: today's objects with later events undone. */
  private listAt(prefix: string, options: ListOptions, revision: number): ListResult {
    const undone = this.undoAfter(revision, (key) => key.startsWith(prefix));
    const start = options.continueFrom ? `${options.continueFrom.key}\u0000` : prefix;
    const entries = (from: string) => this.snapshotEntries(prefix, from, undone);
    return listPage(entries(start), ENTRY, options, revision, (afterKey) => {
      // Today's keys after afterKey (two binary searches), corrected by the undone events: a
      // page costs its own items plus the window, never a walk of the rest of the collection.
      const from = `${afterKey}\u0000`;
      let n = Math.max(0, this.keys.rank(prefixEnd(prefix)) - this.keys.rank(from));
      for (const [key, then] of undone) {
        if (key < from) continue;
        const now = this.objects.has(key);
        if (then === null && now) n--;
        else if (then !== null && !now) n++;
      }
      return n;
    });
  }

  private *snapshotEntries(prefix: string, from: string, undone: Map<string, StoredObject | null>): Generator<Entry> {
    const extra = [...undone.keys()].filter((k) => k >= from && !this.objects.has(k)).sort();
    const today = this.keys.from(from);
    const nextToday = () => {
      const next = today.next();
      return next.done || !next.value.startsWith(prefix) ? undefined : next.value;
    };
    let current = nextToday();
    let j = 0;
    for (;;) {
      const other = extra[j];
      if (current === undefined && other === undefined) return;
      let key: string;
      if (other === undefined || (current !== undefined && current < other)) {
        key = current as string;
        current = nextToday();
      } else {
        key = other;
        j++;
      }
      const object = undone.has(key) ? undone.get(key) : this.objects.get(key);
      if (object) yield [key, object];
    }
  }

  private objectAt(key: string, revision: number): StoredObject | null {
    const undone = this.undoAfter(revision, (k) => k === key);
    return undone.has(key) ? (undone.get(key) ?? null) : (this.objects.get(key) ?? null);
  }

  /** For each key an event after `revision` touched: its state at `revision` (null = absent). */
  private undoAfter(revision: number, wanted: (key: string) => boolean): Map<string, StoredObject | null> {
    const undone = new Map<string, StoredObject | null>();
    for (let i = this.history.length - 1; i >= 0; i--) {
      const event = this.history[i] as ObjectWatchEvent;
      if (event.revision <= revision) break;
      if (!wanted(event.key)) continue;
      if (event.type === "ADDED") undone.set(event.key, null);
      else if (event.prevObject) undone.set(event.key, event.prevObject);
      else throw new NotInWindow();
    }
    return undone;
  }

  /** Loads the prefix from the backend and watches from the list's revision. */
  private async relist(): Promise<void> {
    const generation = ++this.generation;
    this.backendWatch?.stop();
    this.backendWatch = undefined;
    this.readyFlag = false;
    try {
      const items: [string, StoredObject][] = [];
      let page = await this.backend.list(this.prefix, { limit: 10_000 });
      const revision = page.revision;
      for (;;) {
        for (const [i, object] of page.items.entries()) items.push([page.keys[i] as string, object]);
        if (!page.continueFrom || this.closed) break;
        page = await this.backend.list(this.prefix, { limit: 10_000, continueFrom: page.continueFrom });
      }
      if (this.closed || generation !== this.generation) return;
      this.load(items, revision);
      this.backendWatch = this.backend.watch(
        this.prefix,
        { fromRevision: revision, progressNotify: true },
        {
          event: (event) => {
            if (generation === this.generation) this.apply(event);
            return true;
          },
          error: (error) => {
            if (generation === this.generation && !this.closed) this.lost(error);
          },
        },
      );
      this.relistDelay = this.relistBackoffMs;
      this.noProgressUntil = 0;
      this.readyFlag = true;
      this.resolveReady();
      this.advanced();
    } catch {
      if (this.closed || generation !== this.generation) return;
      this.timer = background(this.clock.setTimeout(() => void this.relist(), this.relistDelay));
      this.relistDelay = Math.min(this.relistDelay * 2, 30_000);
    }
  }

  private load(items: readonly (readonly [string, StoredObject])[], revision: number): void {
    this.objects.clear();
    for (const [key, object] of items) this.objects.set(key, object);
    this.keys = new SortedKeys([...this.objects.keys()].sort());
    this.history = [];
    this.windowStart = revision;
    this.revision = revision;
  }

  /** The backend watch ended: Expired (compacted past us) or the backend going away. Relist. */
  private lost(error: Error): void {
    this.backendWatch = undefined;
    this.readyFlag = false;
    const delay = isStorageError(error, "Expired") ? 0 : this.relistDelay;
    this.timer = background(this.clock.setTimeout(() => void this.relist(), delay));
  }

  private apply(event: WatchEvent): void {
    if (event.type === "BOOKMARK") {
      if (event.revision > this.revision) {
        this.revision = event.revision;
        this.advanced();
      }
      return;
    }
    if (event.revision <= this.revision) return;
    if (event.type === "DELETED") {
      if (this.objects.delete(event.key)) this.keys.delete(event.key);
    } else {
      if (!this.objects.has(event.key)) this.keys.insert(event.key);
      this.objects.set(event.key, event.object);
    }
    this.history.push(event);
    // Trimmed in chunks of an eighth: dropping one event per write shifts the whole array
    // (about 75 µs per event at 10,000 in V8), a chunk costs that once per historySize/8 events.
    if (this.history.length > this.historySize + (this.historySize >> 3)) {
      const dropped = this.history.splice(0, this.history.length - this.historySize);
      this.windowStart = (dropped[dropped.length - 1] as ObjectWatchEvent).revision;
    }
    this.revision = event.revision;
    this.advanced();
  }

  /** The cache moved forward: wake readers waiting for it and watchers. */
  private advanced(): void {
    if (this.waiters.length > 0) {
      const due = this.waiters.filter((w) => w.revision <= this.revision);
      this.waiters = this.waiters.filter((w) => w.revision > this.revision);
      for (const waiter of due) {
        this.clock.clearTimeout(waiter.timer);
        waiter.resolve();
      }
    }
    this.watchers.notify();
  }

  private scheduleBookmarks(): void {
    if (this.closed) return;
    const tick = () => {
      // Ask the backend for progress first, so the revision in the bookmarks is fresh.
      this.backendWatch?.requestProgress();
      this.watchers.bookmark();
      this.scheduleBookmarks();
    };
    this.bookmarkTimer = background(this.clock.setTimeout(tick, this.bookmarkIntervalMs));
  }
}
