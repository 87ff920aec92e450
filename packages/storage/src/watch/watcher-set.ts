import { StorageError } from "../errors.js";
import type { ObjectWatchEvent, WatchHandle, WatchOptions, WatchSink } from "../interface.js";
import { filterEvent, keyMatches } from "../objects.js";

/**
 * The events a store has published, readable by revision. Watchers do not hold events of
 * their own: each keeps a cursor into this log and pulls from it as fast as its sink
 * drains, so a stalled watcher costs no memory; it only falls behind until the log no
 * longer has what it needs (readAfter throws Expired) and is then closed.
 */
export interface EventLog {
  /** Every event with a revision ≤ head() is readable (head may be past the last event). */
  head(): number;
  /** The oldest `after` readAfter accepts: watchers whose cursor falls below it are closed with Expired. */
  oldest(): number;
  /** Events with revision > `after` and ≤ head, oldest first, at most `max`; Expired when `after` < oldest(). */
  readAfter(after: number, max: number): readonly ObjectWatchEvent[];
}

interface Watcher {
  readonly prefix: string;
  readonly options: WatchOptions;
  readonly sink: WatchSink;
  /** Every event up to this revision has been delivered or skipped. */
  cursor: number;
  /** The sink returned false: wait for resume(). */
  paused: boolean;
  stopped: boolean;
  scheduled: boolean;
  pumping: boolean;
  /** A requested BOOKMARK, due once the cursor reaches this revision. */
  bookmarkAt?: number;
  failure?: Error;
}

/** Events read from the log per step, and delivered per turn before yielding to I/O. */
const READ_BATCH = 256;
const EVENTS_PER_TURN = 4096;

/**
 * Delivers an EventLog to many watchers (used by the memory and SQLite backends and the
 * watch cache): prefix or key match, predicate transitions, ordered non-overlapping sink
 * calls, flow control (a sink returning false pauses its watcher until resume()), and
 * bookmarks on request.
 */
export class WatcherSet {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly log: EventLog) {}

  get size(): number {
    return this.watchers.size;
  }

  /**
   * Starts a watcher. It only reports an error when `unavailable` is given (a closed store)
   * or when fromRevision is older than the log keeps (Expired).
   */
  add(prefix: string, options: WatchOptions, sink: WatchSink, unavailable?: Error): WatchHandle {
    const oldest = this.log.oldest();
    const failure =
      unavailable ??
      (options.fromRevision < oldest ? StorageError.expired(prefix, options.fromRevision, oldest) : undefined);
    const watcher: Watcher = {
      prefix,
      options,
      sink,
      cursor: options.fromRevision,
      paused: false,
      stopped: false,
      scheduled: false,
      pumping: false,
    };
    if (failure) watcher.failure = failure;
    else this.watchers.add(watcher);
    this.schedule(watcher);
    return {
      stop: () => this.remove(watcher),
      resume: () => {
        if (!watcher.paused) return;
        watcher.paused = false;
        this.schedule(watcher);
      },
      requestProgress: () => {
        if (watcher.stopped) return false;
        watcher.bookmarkAt = Math.max(this.log.head(), watcher.bookmarkAt ?? 0);
        this.schedule(watcher);
        return true;
      },
    };
  }

  /**
   * New events are readable: wake every watcher that is not paused. A paused watcher the
   * log has moved past (its next events are gone) is closed with Expired now, so that its
   * consumer can release the connection instead of waiting for a resume.
   */
  notify(): void {
    const oldest = this.log.oldest();
    for (const watcher of this.watchers) {
      if (watcher.paused && watcher.cursor < oldest) {
        this.fail(watcher, StorageError.expired(watcher.prefix, watcher.cursor, oldest));
      } else {
        this.schedule(watcher);
      }
    }
  }

  /** Queues a BOOKMARK at the current head for every watcher that asked for progress notifications. */
  bookmark(): void {
    const head = this.log.head();
    for (const watcher of this.watchers) {
      if (!watcher.options.progressNotify) continue;
      watcher.bookmarkAt = Math.max(head, watcher.bookmarkAt ?? 0);
      this.schedule(watcher);
    }
  }

  /** Ends every watcher with `error` (after nothing more: events not yet pulled are dropped). */
  failAll(error: Error): void {
    for (const watcher of this.watchers) this.fail(watcher, error);
  }

  private remove(watcher: Watcher): void {
    watcher.stopped = true;
    this.watchers.delete(watcher);
  }

  private fail(watcher: Watcher, error: Error): void {
    if (watcher.stopped || watcher.failure) return;
    watcher.failure = error;
    watcher.paused = false;
    this.schedule(watcher);
  }

  /** Sink calls happen later, never inside the write or watch() call that caused them. */
  private schedule(watcher: Watcher): void {
    if (watcher.scheduled || watcher.stopped) return;
    watcher.scheduled = true;
    queueMicrotask(() => {
      watcher.scheduled = false;
      this.pump(watcher);
    });
  }

  private pump(watcher: Watcher): void {
    if (watcher.pumping || watcher.stopped) return;
    if (watcher.failure) {
      this.remove(watcher);
      watcher.sink.error(watcher.failure);
      return;
    }
    if (watcher.paused) return;
    watcher.pumping = true;
    try {
      let delivered = 0;
      while (!watcher.stopped && !watcher.paused && !watcher.failure) {
        let batch: readonly ObjectWatchEvent[];
        try {
          batch = this.log.readAfter(watcher.cursor, READ_BATCH);
        } catch (error) {
          watcher.failure = error as Error;
          break;
        }
        if (batch.length === 0) {
          this.caughtUp(watcher);
          break;
        }
        for (const event of batch) {
          watcher.cursor = event.revision;
          if (!keyMatches(watcher.prefix, event.key)) continue;
          const filtered = filterEvent(event, watcher.options.predicate);
          if (!filtered) continue;
          if (watcher.sink.event(filtered) === false) watcher.paused = true;
          if (watcher.stopped || watcher.paused) break;
        }
        delivered += batch.length;
        if (delivered >= EVENTS_PER_TURN) {
          // Let I/O run between large replays; the watcher continues on the next turn.
          setImmediate(() => this.pump(watcher));
          return;
        }
      }
    } finally {
      watcher.pumping = false;
    }
    if (watcher.failure && !watcher.stopped) this.pump(watcher);
  }

  private caughtUp(watcher: Watcher): void {
    // Nothing after the cursor up to head: everything up to head is delivered.
    const head = this.log.head();
    if (head > watcher.cursor) watcher.cursor = head;
    if (watcher.bookmarkAt !== undefined && watcher.cursor >= watcher.bookmarkAt) {
      watcher.bookmarkAt = undefined;
      if (watcher.sink.event({ type: "BOOKMARK", revision: watcher.cursor }) === false) watcher.paused = true;
    }
  }
}
