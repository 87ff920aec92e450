import { background, type Clock, systemClock, type TimerHandle } from "../clock.js";
import { isStorageError, StorageError } from "../errors.js";
import type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  ReadConsistency,
  Storage,
  StoredObject,
  UpdateFunction,
  UpdateOptions,
  WatchHandle,
  WatchOptions,
  WatchSink,
} from "../interface.js";
import { continueRevision } from "../list/page.js";
import { MemoryStorage } from "../memory/memory-storage.js";
import { keyMatches, revisionOf } from "../objects.js";
import { RetentionCompactor } from "../sqlite/retention-compactor.js";
import { normalizeObject, sameContent } from "./content.js";
import { MethodNotAllowedError, SourceError, type WriteVerb } from "./errors.js";
import { ResourceKeys, type SourceObjectRef, type SourceScope } from "./keys.js";
import { Coalescer, KeyedMutex } from "./serialize.js";

/** Options shared by ExternalStorage and computedStorage. */
export interface MirrorOptions {
  /** The kind's key prefix, `/registry/<group>/<plural>/`: keys are `<prefix>[<namespace>/]<name>`. */
  keyPrefix: string;
  clock?: Clock;
  /**
   * The revision of the empty mirror; default `epochRevision(clock.now())`. Revisions are
   * per process: anything below it was never issued here and is Expired.
   */
  initialRevision?: number;
  /**
   * How long a watch from a revision beyond the current one waits for this storage to reach
   * it before it ends with Expired (default 3 s, the watch cache's wait for a fresh revision).
   */
  futureRevisionWaitMs?: number;
  /** How much watch history the mirror keeps for resuming watches (default 5 min, as etcd is compacted). */
  historyRetentionMs?: number;
  /** Called once per failed read of the source (list, get or compute); ping() rejects until one succeeds. */
  onSyncError?: (error: SourceError) => void;
}

/**
 * Multiplies a start time in ms by 1000: revisions of a process started later begin above
 * every revision an earlier one could issue at under 1000 writes per ms, and stay below
 * 2^53 until the year 2255.
 */
export function epochRevision(nowMs: number): number {
  return Math.floor(nowMs) * 1000;
}

/** How the mirror reads its source: absent list = the mirror is the truth (fed by the owner). */
export interface MirrorSource {
  list?(prefix: string, scope: SourceScope): Promise<Iterable<StoredObject>> | Iterable<StoredObject>;
  get?(key: string, ref: SourceObjectRef): Promise<StoredObject | null>;
}

/** How a subclass tunes the mirror. */
export interface MirrorBehaviour {
  name: string;
  source: MirrorSource;
  pollIntervalMs: number;
  /** A consistent read within this long of the last sync of its range is served from the mirror (0 = always read). */
  readStalenessMs: number;
  /** When a read of the source fails, serve the last good state instead of failing (once there is one). */
  staleOnError: boolean;
  /** The source can list one namespace; otherwise every sync lists everything. */
  scopedList: boolean;
}

interface Watcher {
  stopped: boolean;
  inner?: WatchHandle;
  /** A revision beyond the head this watch waits to see issued, and the timer that gives up. */
  awaiting?: number;
  timer?: TimerHandle;
}

const DEFAULT_FUTURE_WAIT_MS = 3000;
const DEFAULT_RETENTION_MS = 5 * 60_000;

/**
 * A Storage over data that lives in a source (another system, a computation): an in-memory
 * MVCC mirror (a MemoryStorage starting at an epoch revision) holds what the source last
 * showed and supplies resourceVersions, history and watches. Every read of the source is
 * diffed into the mirror here, in one place: an object whose content changed gets a new
 * revision, one that disappeared a DELETED event, an unchanged one nothing.
 *
 * Reads of the source may overlap each other and writes: each gets a sequence number when
 * it starts, and a key only takes a state from a read newer than every read or write that
 * already set it, so a slow read never reverts a newer state.
 */
export abstract class MirroredStorage implements Storage {
  readonly name: string;
  protected readonly keys: ResourceKeys;
  protected readonly clock: Clock;
  private readonly behaviour: MirrorBehaviour;
  private readonly sourceList: MirrorSource["list"];
  private readonly sourceGet: MirrorSource["get"];
  private readonly mirror: MemoryStorage;
  private readonly futureRevisionWaitMs: number;
  private readonly onSyncError: ((error: SourceError) => void) | undefined;
  private readonly compactor: RetentionCompactor;
  private readonly reads = new Coalescer();
  private readonly locks = new KeyedMutex();
  /** Mirror changes run one at a time, in the order they were queued. */
  private applying: Promise<unknown> = Promise.resolve();
  private head: number;
  private seq = 0;
  /** Reads and writes in progress; while there are none, the two maps below are forgotten. */
  private inflight = 0;
  /** Per key, the sequence number of the newest read or write that set it (Infinity while a write runs). */
  private readonly keySeq = new Map<string, number>();
  /** Per list prefix, the sequence number of the newest list applied. */
  private readonly rangeSeq = new Map<string, number>();
  /** When the last successful list of each prefix started. */
  private readonly syncedAt = new Map<string, number>();
  /** When the last list of each prefix started, successful or not. */
  private readonly attemptedAt = new Map<string, number>();
  private syncError: SourceError | undefined;
  private readonly watchers = new Set<Watcher>();
  private pollTimer: TimerHandle | undefined;
  private polling = false;
  private lastPollAt: number | undefined;
  private closed = false;

  protected constructor(options: MirrorOptions, behaviour: MirrorBehaviour) {
    this.name = behaviour.name;
    this.behaviour = behaviour;
    this.sourceList = behaviour.source.list?.bind(behaviour.source);
    this.sourceGet = behaviour.source.get?.bind(behaviour.source);
    this.keys = new ResourceKeys(options.keyPrefix);
    this.clock = options.clock ?? systemClock;
    this.head = options.initialRevision ?? epochRevision(this.clock.now());
    this.mirror = new MemoryStorage({ initialRevision: this.head });
    this.futureRevisionWaitMs = options.futureRevisionWaitMs ?? DEFAULT_FUTURE_WAIT_MS;
    this.onSyncError = options.onSyncError;
    const retentionMs = options.historyRetentionMs ?? DEFAULT_RETENTION_MS;
    this.compactor = new RetentionCompactor(
      this.clock,
      Math.min(60_000, retentionMs),
      retentionMs,
      () => this.head,
      (revision) => this.mirror.compact(revision),
    );
    this.compactor.start();
  }

  async get(key: string, options: GetOptions = {}): Promise<StoredObject | null> {
    this.checkOpen(key);
    await this.freshen(this.keys.parentOf(key), key, options.consistency);
    return this.mirror.get(key, options);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen(prefix);
    const from = options.continueFrom;
    if (from && from.revision > this.head) throw this.notIssued(prefix, from.revision);
    // A continuation at the latest revision reads as fresh as a first page.
    if (!from) await this.freshen(prefix, undefined, options.consistency);
    else if (continueRevision(from) === undefined) await this.freshen(prefix, undefined, { kind: "consistent" });
    return this.mirror.list(prefix, options);
  }

  abstract create(key: string, object: StoredObject): Promise<StoredObject>;
  abstract guaranteedUpdate(key: string, update: UpdateFunction, options?: UpdateOptions): Promise<StoredObject>;
  abstract delete(key: string, options?: DeleteOptions): Promise<StoredObject>;

  /**
   * Watches the mirror. While anyone watches, the source is listed every pollIntervalMs, so
   * changes made behind the storage's back arrive within one interval. A watch from a
   * revision beyond the current one waits futureRevisionWaitMs for it, then ends Expired: it
   * most likely comes from another process or an earlier run, whose revisions mean nothing here.
   */
  watch(prefixOrKey: string, options: WatchOptions, sink: WatchSink): WatchHandle {
    const watcher: Watcher = { stopped: false };
    const finish = () => {
      if (watcher.stopped) return;
      watcher.stopped = true;
      if (watcher.timer) this.clock.clearTimeout(watcher.timer);
      this.watchers.delete(watcher);
      this.updatePolling();
    };
    if (!this.closed) this.watchers.add(watcher);
    if (!this.closed && options.fromRevision > this.head) {
      watcher.awaiting = options.fromRevision;
      watcher.timer = background(
        this.clock.setTimeout(() => {
          if (watcher.stopped || this.head >= options.fromRevision) return;
          watcher.inner?.stop();
          finish();
          sink.error(this.notIssued(prefixOrKey, options.fromRevision));
        }, this.futureRevisionWaitMs),
      );
    }
    watcher.inner = this.mirror.watch(prefixOrKey, options, {
      event: (event) => sink.event(event),
      error: (error) => {
        finish();
        sink.error(error);
      },
    });
    this.updatePolling();
    const inner = watcher.inner;
    return {
      stop: () => {
        inner.stop();
        finish();
      },
      resume: () => inner.resume(),
      requestProgress: () => inner.requestProgress(),
    };
  }

  /**
   * Reads the source first, as a consistent list of everything would (etcd's answer is a
   * quorum read): a cache in front that waits for this revision then serves fresh data.
   */
  async currentRevision(): Promise<number> {
    this.checkOpen("");
    await this.freshen(this.keys.prefix, undefined, { kind: "consistent" });
    return this.head;
  }

  compactedRevision(): Promise<number> {
    return this.mirror.compactedRevision();
  }

  compact(revision: number): Promise<void> {
    return this.mirror.compact(revision);
  }

  /** Counts what the mirror holds, without reading the source. */
  count(prefix: string): Promise<number> {
    return this.mirror.count(prefix);
  }

  /** Rejects while the latest read of the source failed; the first ping reads the source if nothing has yet. */
  async ping(): Promise<void> {
    this.checkOpen("");
    if (this.syncError) throw StorageError.unavailable("", this.syncError);
    if (this.sourceList && !this.syncedAt.has(this.keys.prefix)) {
      await this.freshen(this.keys.prefix, undefined, { kind: "any" });
    }
  }

  /** Stops polling and every timer, and ends open watches with Unavailable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor.stop();
    if (this.pollTimer) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    for (const watcher of this.watchers) if (watcher.timer) this.clock.clearTimeout(watcher.timer);
    await this.mirror.close();
  }

  /** The refusal for a write the source does not support. */
  protected refuse(verb: WriteVerb, key: string): never {
    throw new MethodNotAllowedError(verb, key);
  }

  protected checkOpen(key: string): void {
    if (this.closed) throw StorageError.unavailable(key, new Error("storage closed"));
  }

  /**
   * Runs a write of `key` through to the source: one at a time per key; `read` reads the
   * key from the source and returns the mirror's state after it. While the write runs no
   * other read of the source may set the key, and after it none that started before its end.
   */
  protected writeThrough<T>(key: string, write: (read: () => Promise<StoredObject | null>) => Promise<T>): Promise<T> {
    return this.locks.run(key, async () => {
      this.checkOpen(key);
      this.inflight++;
      this.keySeq.set(key, Number.POSITIVE_INFINITY);
      try {
        return await write(async () => {
          try {
            await this.readKey(key, key);
          } catch (error) {
            throw isStorageError(error) ? error : StorageError.unavailable(key, error);
          }
          return this.mirror.get(key);
        });
      } finally {
        this.keySeq.set(key, ++this.seq);
        this.settle();
      }
    });
  }

  /** Puts an object into the mirror regardless of reads in flight (the end of a write through). */
  protected commit(key: string, object: StoredObject): Promise<StoredObject> {
    return this.enqueue(() => this.upsertMirror(key, normalizeObject(object)));
  }

  /** Removes `key` from the mirror: its last state at the deletion revision, or null when it was absent. */
  protected commitDeletion(key: string): Promise<StoredObject | null> {
    return this.enqueue(() => this.removeMirror(key));
  }

  /** A change the owner feeds in (an upsert, or a deletion with null): newer than every read in flight. */
  protected feed(key: string, object: StoredObject | null): Promise<StoredObject | null> {
    this.checkOpen(key);
    const seq = ++this.seq;
    if (this.inflight > 0) this.keySeq.set(key, seq);
    return object ? this.commit(key, object) : this.commitDeletion(key);
  }

  /** Replaces everything under the kind's prefix with `objects`, as a list newer than every read in flight. */
  protected feedAll(objects: Iterable<StoredObject>): Promise<void> {
    this.checkOpen(this.keys.prefix);
    const prefix = this.keys.prefix;
    return this.applyList(++this.seq, prefix, this.entries(prefix, objects));
  }

  /** Brings the range of a read up to date as its consistency asks, from the source. */
  private async freshen(prefix: string, key: string | undefined, consistency: ReadConsistency | undefined) {
    if (!this.sourceList && !this.sourceGet) return;
    let maxAgeMs: number;
    if (!consistency || consistency.kind === "consistent") maxAgeMs = this.behaviour.readStalenessMs;
    else if (consistency.kind === "any") maxAgeMs = Number.POSITIVE_INFINITY;
    else return;
    const range = this.behaviour.scopedList ? prefix : this.keys.prefix;
    if (maxAgeMs > 0 && this.within(this.syncedAt, range, maxAgeMs)) return;
    // Serving the last good state after a failure: the next attempt waits as long as a success would.
    const hasState = this.within(this.syncedAt, range, Number.POSITIVE_INFINITY);
    if (maxAgeMs > 0 && this.behaviour.staleOnError && hasState && this.within(this.attemptedAt, range, maxAgeMs))
      return;
    try {
      if (key !== undefined && this.sourceGet && this.behaviour.scopedList) {
        await this.reads.run(`key:${key}`, () => this.readKey(key));
      } else {
        await this.reads.run(`list:${range}`, () => this.readList(range));
      }
    } catch (error) {
      if (this.behaviour.staleOnError && hasState) return;
      throw isStorageError(error) ? error : StorageError.unavailable(key ?? prefix, error);
    }
  }

  /** True when `range` or the whole kind was read (per `times`) less than maxAgeMs ago. */
  private within(times: Map<string, number>, range: string, maxAgeMs: number): boolean {
    const now = this.clock.now();
    for (const prefix of new Set([this.keys.prefix, range])) {
      const at = times.get(prefix);
      if (at !== undefined && now - at < maxAgeMs) return true;
    }
    return false;
  }

  /** Lists `prefix` from the source and diffs it into the mirror; `writing` is a key the caller holds. */
  private async readList(prefix: string, writing?: string): Promise<void> {
    const list = this.sourceList;
    if (!list) return;
    const started = this.clock.now();
    this.attemptedAt.set(prefix, started);
    const seq = this.readStarted();
    try {
      const objects = await this.fromSource(prefix, () => list(prefix, this.keys.scopeOf(prefix)));
      await this.applyList(seq, prefix, this.checked(prefix, objects), writing);
      this.syncedAt.set(prefix, started);
      this.syncError = undefined;
    } finally {
      this.settle();
    }
  }

  /** Reads one key (the source's get, or a list of its range) and diffs it into the mirror. */
  private async readKey(key: string, writing?: string): Promise<void> {
    const get = this.sourceGet;
    if (!get) return this.readList(this.behaviour.scopedList ? this.keys.parentOf(key) : this.keys.prefix, writing);
    const seq = this.readStarted();
    try {
      const object = await this.fromSource(key, () => get(key, this.keys.refOf(key)));
      const found = this.checked(key, object ? [object] : []).get(key);
      await this.enqueue(async () => {
        if (writing !== key && !this.accepts(key, seq)) return;
        if (writing !== key) this.keySeq.set(key, seq);
        if (found) await this.upsertMirror(key, found);
        else await this.removeMirror(key);
      });
      this.syncError = undefined;
    } finally {
      this.settle();
    }
  }

  private readStarted(): number {
    this.inflight++;
    return ++this.seq;
  }

  /** One read or write less in flight; with none left, older sequence numbers can no longer matter. */
  private settle(): void {
    this.inflight--;
    if (this.inflight === 0) {
      this.keySeq.clear();
      this.rangeSeq.clear();
    }
  }

  private async fromSource<T>(key: string, read: () => Promise<T> | T): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw this.failed(SourceError.failed(key, error));
    }
  }

  /** `entries` for what the source returned: a bad object fails the read and is reported. */
  private checked(prefixOrKey: string, objects: Iterable<StoredObject>): Map<string, StoredObject> {
    try {
      return this.entries(prefixOrKey, objects);
    } catch (error) {
      throw this.failed(error instanceof SourceError ? error : SourceError.failed(prefixOrKey, error));
    }
  }

  private failed(error: SourceError): SourceError {
    this.syncError = error;
    if (!this.closed) this.onSyncError?.(error);
    return error;
  }

  /** The normalized objects under `prefixOrKey` by key; objects outside it are ignored. */
  private entries(prefixOrKey: string, objects: Iterable<StoredObject>): Map<string, StoredObject> {
    const entries = new Map<string, StoredObject>();
    for (const object of objects) {
      const key = this.keys.keyOf(object, prefixOrKey);
      if (!keyMatches(prefixOrKey, key)) continue;
      if (entries.has(key)) throw SourceError.invalidObject(prefixOrKey, `${key} appears twice`);
      entries.set(key, normalizeObject(object));
    }
    return entries;
  }

  /** Diffs a list of `prefix` read at `seq` into the mirror, key by key where it is the newest word. */
  private applyList(seq: number, prefix: string, entries: Map<string, StoredObject>, writing?: string): Promise<void> {
    return this.enqueue(async () => {
      if (seq < (this.rangeSeq.get(prefix) ?? -1) && writing === undefined) return;
      for (const [key, object] of entries) {
        if (key === writing || this.accepts(key, seq)) await this.upsertMirror(key, object);
      }
      const current = await this.mirror.list(prefix);
      for (const key of current.keys) {
        if (!entries.has(key) && (key === writing || this.accepts(key, seq))) await this.removeMirror(key);
      }
      this.rangeSeq.set(prefix, Math.max(seq, this.rangeSeq.get(prefix) ?? -1));
    });
  }

  /** A read that started at `seq` may set `key` only if nothing newer has (a read of it or its range, a write). */
  private accepts(key: string, seq: number): boolean {
    if (seq < (this.keySeq.get(key) ?? -1)) return false;
    return this.keys.covering(key).every((prefix) => seq >= (this.rangeSeq.get(prefix) ?? -1));
  }

  private async upsertMirror(key: string, object: StoredObject): Promise<StoredObject> {
    const current = await this.mirror.get(key);
    if (current && sameContent(current, object)) return current;
    const stored = await this.mirror.guaranteedUpdate(key, () => object, { allowCreate: true });
    this.advance(revisionOf(stored));
    return stored;
  }

  private async removeMirror(key: string): Promise<StoredObject | null> {
    if (!(await this.mirror.get(key))) return null;
    const last = await this.mirror.delete(key);
    this.advance(revisionOf(last));
    return last;
  }

  private enqueue<T>(change: () => Promise<T>): Promise<T> {
    const result = this.applying.then(change);
    this.applying = result.catch(() => {});
    return result;
  }

  /** A mirror write issued `revision`: watches that waited for it stop waiting. */
  private advance(revision: number): void {
    this.head = Math.max(this.head, revision);
    for (const watcher of this.watchers) {
      if (watcher.awaiting !== undefined && watcher.awaiting <= this.head) {
        if (watcher.timer) this.clock.clearTimeout(watcher.timer);
        watcher.timer = undefined;
        watcher.awaiting = undefined;
      }
    }
  }

  /** Polls while someone watches; no watcher, no timer and no load on the source. */
  private updatePolling(): void {
    const wanted = !this.closed && this.watchers.size > 0 && this.sourceList !== undefined;
    if (!wanted) {
      if (this.pollTimer) this.clock.clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      return;
    }
    if (this.pollTimer || this.polling) return;
    // The next poll is due an interval after the last list of everything, polled or read.
    const last = Math.max(this.lastPollAt ?? -1, this.syncedAt.get(this.keys.prefix) ?? -1);
    const delay = last < 0 ? 0 : Math.max(0, last + this.behaviour.pollIntervalMs - this.clock.now());
    this.pollTimer = background(this.clock.setTimeout(() => this.poll(), delay));
  }

  private poll(): void {
    this.pollTimer = undefined;
    this.polling = true;
    this.lastPollAt = this.clock.now();
    const prefix = this.keys.prefix;
    // A failed poll was reported by the read itself; the next one retries.
    void this.reads
      .run(`list:${prefix}`, () => this.readList(prefix))
      .catch(() => {})
      .finally(() => {
        this.polling = false;
        this.updatePolling();
      });
  }

  private notIssued(key: string, revision: number): StorageError {
    return new StorageError(
      "Expired",
      key,
      `resource version ${revision} was not issued by this server (current ${this.head}); ` +
        "resource versions of this resource are per server process and do not survive a restart",
      this.head,
    );
  }
}
