/**
 * Jittered exponential backoff that never gives up (client-go's
 * exponentialBackoffManager as the reflector uses it: 800 ms doubling to 30 s, jitter
 * 1.0, back to the start after 2 minutes without trouble).
 */
import type { Clock } from "../clock/clock.js";

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Each wait is d + random × jitter × d. */
  jitter?: number;
  /** Start over when the previous wait began longer ago than this. */
  resetAfterMs?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly resetAfterMs: number;
  private current: number;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    options: BackoffOptions,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = options.initialMs ?? 800;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 1;
    this.resetAfterMs = options.resetAfterMs ?? 120_000;
    this.current = this.initialMs;
  }

  /** The next wait in milliseconds. */
  next(): number {
    const now = this.clock.now();
    if (now - this.lastStart > this.resetAfterMs) this.current = this.initialMs;
    this.lastStart = now;
    const base = this.current;
    this.current = Math.min(this.current * this.factor, this.maxMs);
    return base + this.random() * this.jitter * base;
  }

  reset(): void {
    this.current = this.initialMs;
  }
}
