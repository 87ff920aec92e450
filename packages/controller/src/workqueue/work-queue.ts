/**
 * The work queue of client-go (util/workqueue queue.go, delaying_queue.go,
 * rate_limiting_queue.go) in one class:
 * - an item is never handed to two workers at once: while it is processing, adds only
 *   mark it dirty, and `done` puts it back once;
 * - adds of an item already waiting merge into one;
 * - `addAfter` holds an item until its time (the earliest of several wins);
 * - `addRateLimited` waits as the rate limiter says (per-item backoff, overall bucket);
 * - after shutdown adds are ignored, queued items are still handed out, and
 *   `shutDownWithDrain` resolves once no item is processing.
 * Time comes from an injectable clock.
 */
import { type Clock, systemClock, type TimerHandle } from "../clock/clock.js";
import { DelayHeap } from "./delay-heap.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiters.js";

/** Hooks for metrics (workqueue_depth, _adds_total, _queue_duration_seconds, ...). */
export interface WorkQueueMetrics<T> {
  /** An item became dirty: depth + 1, adds + 1. */
  add(item: T): void;
  /** A worker took the item: depth - 1; `queuedSeconds` since it became dirty. */
  get(item: T, queuedSeconds: number): void;
  /** A worker finished the item: time since get. */
  done(item: T): void;
  /** A delayed or rate-limited add. */
  retry(): void;
}

export interface WorkQueueOptions<T> {
  clock?: Clock;
  /** Default: controller-runtime's (5 ms doubling per item, 10 qps / 100 burst overall). */
  rateLimiter?: RateLimiter<T>;
  metrics?: WorkQueueMetrics<T>;
}

export class WorkQueue<T> {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<T>;
  private readonly metrics: WorkQueueMetrics<T> | undefined;

  /** Items ready to hand out, in order; every one is also dirty and not processing. */
  private queue: T[] = [];
  private head = 0;
  /**
   * Items needing processing, with the time each became dirty when metrics want it (else 0): kept
   * here rather than in a map of the metrics' own, which cost a fifth of a 10,000-object initial sync.
   */
  private readonly dirty = new Map<T, number>();
  private readonly processing = new Set<T>();
  private readonly getters: Array<(item: T | undefined) => void> = [];
  private shutdown = false;
  private drainWaiters: Array<() => void> = [];

  private readonly waiting = new Map<T, number>();
  private readonly heap = new DelayHeap<T>();
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerDue = Number.POSITIVE_INFINITY;

  constructor(options: WorkQueueOptions<T> = {}) {
    this.clock = options.clock ?? systemClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
    this.metrics = options.metrics;
  }

  /** Marks `item` as needing processing. */
  add(item: T): void {
    if (this.shutdown || this.dirty.has(item)) return;
    if (this.metrics) {
      this.metrics.add(item);
      this.dirty.set(item, this.clock.now());
    } else {
      this.dirty.set(item, 0);
    }
    if (this.processing.has(item)) return;
    this.enqueue(item);
  }

  /**
   * The next item, once there is one; `undefined` once the queue is shut down and empty.
   * The caller must call `done(item)` when finished with it.
   */
  get(): Promise<T | undefined> {
    if (this.head < this.queue.length) return Promise.resolve(this.take(this.dequeue()));
    if (this.shutdown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /**
   * The next item if one is ready now, else undefined (then `get` waits for one). A worker that
   * finds work this way skips a promise per item; the caller must call `done(item)` as after `get`.
   */
  tryGet(): T | undefined {
    return this.head < this.queue.length ? this.take(this.dequeue()) : undefined;
  }

  /** Finishes `item`; if it was added again meanwhile, it goes back in the queue. */
  done(item: T): void {
    this.metrics?.done(item);
    this.processing.delete(item);
    if (this.dirty.has(item)) this.enqueue(item);
    else if (this.processing.size === 0 && this.drainWaiters.length > 0) this.notifyDrained();
  }

  /** Adds `item` after `delayMs`; an earlier pending time for the same item wins. */
  addAfter(item: T, delayMs: number): void {
    if (this.shutdown) return;
    this.metrics?.retry();
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const current = this.waiting.get(item);
    if (current !== undefined && current <= readyAt) return;
    this.waiting.set(item, readyAt);
    this.heap.push({ item, readyAt, seq: this.seq++ });
    this.schedule();
  }

  /** Adds `item` when the rate limiter allows (a retry after a failure). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Clears the rate limiter's memory of `item` (it succeeded). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Items ready to hand out (not processing, not waiting for their time). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Items waiting for their time (addAfter, addRateLimited). */
  waitingLen(): number {
    return this.waiting.size;
  }

  /** Items handed out and not yet done. */
  processingLen(): number {
    return this.processing.size;
  }

  get shuttingDown(): boolean {
    return this.shutdown;
  }

  /** Ignores further adds; workers blocked in `get` are released with `undefined`. */
  shutDown(): void {
    this.shutdown = true;
    for (const resolve of this.getters.splice(0)) resolve(undefined);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    this.waiting.clear();
    this.heap.clear();
  }

  /** Shuts down, then resolves once every item handed out is done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private enqueue(item: T): void {
    const getter = this.getters.shift();
    if (getter) getter(this.take(item));
    else this.queue.push(item);
  }

  private dequeue(): T {
    const item = this.queue[this.head] as T;
    this.head++;
    // Compact now and then so that a long-lived queue does not keep its past alive.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private take(item: T): T {
    if (this.metrics) this.metrics.get(item, (this.clock.now() - (this.dirty.get(item) ?? 0)) / 1000);
    this.processing.add(item);
    this.dirty.delete(item);
    return item;
  }

  private notifyDrained(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Keeps one timer, due when the earliest waiting item is. */
  private schedule(): void {
    let top = this.heap.peek();
    while (top && this.waiting.get(top.item) !== top.readyAt) {
      this.heap.pop();
      top = this.heap.peek();
    }
    if (!top) return;
    if (this.timer !== undefined && this.timerDue <= top.readyAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerDue = top.readyAt;
    this.timer = this.clock.setTimeout(() => this.fireReady(), Math.max(0, top.readyAt - this.clock.now()));
  }

  private fireReady(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (let top = this.heap.peek(); top && top.readyAt <= now; top = this.heap.peek()) {
      this.heap.pop();
      if (this.waiting.get(top.item) !== top.readyAt) continue;
      this.waiting.delete(top.item);
      this.add(top.item);
    }
    this.schedule();
  }
}
