import { StorageError } from "../errors.js";
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
  WatchHandle,
  WatchOptions,
  WatchSink,
} from "../interface.js";
import { continueRevision, type EntryReader, listPage } from "../list/page.js";
import { lowerBound } from "../list/sorted-keys.js";
import { checkPreconditions, deepFreeze, encodeForStorage, withRevision } from "../objects.js";
import { firstAfter } from "../watch/revisions.js";
import { type EventLog, WatcherSet } from "../watch/watcher-set.js";

/** One state of a key: the object at `revision`, or a tombstone (`object` null). */
interface Version {
  readonly revision: number;
  readonly object: StoredObject | null;
  readonly json: string | null;
}

type Entry = readonly [key: string, object: StoredObject];

export interface MemoryStorageOptions {
  /**
   * The revision of the empty store (default 1). When given, history before it counts as
   * compacted: reads and watches from an earlier revision are Expired, as for revisions this
   * store never issued (a store whose revisions start from an epoch, see ExternalStorage).
   */
  initialRevision?: number;
}
const ENTRY: EntryReader<Entry> = { key: (entry) => entry[0], object: (entry) => entry[1] };

/**
 * An in-process multi-version store: every revision of every key stays readable until
 * compacted, like etcd's MVCC. For unit tests, development and the conformance suite.
 */
export class MemoryStorage implements Storage {
  readonly name = "memory";
  private revision: number;
  private compacted: number;
  /** Every key with at least one retained version, sorted. */
  private readonly keys: string[] = [];
  private readonly versions = new Map<string, Version[]>();
  /** Events after `compacted`, in revision order: the watch history. */
  private readonly history: ObjectWatchEvent[] = [];
  private readonly log: EventLog = {
    head: () => this.revision,
    oldest: () => this.compacted,
    readAfter: (after, max) => {
      if (after < this.compacted) throw StorageError.expired("", after, this.compacted);
      const start = firstAfter(this.history, after);
      return this.history.slice(start, start + max);
    },
  };
  private readonly watchers = new WatcherSet(this.log);
  private closed = false;

  constructor(options: MemoryStorageOptions = {}) {
    const initial = options.initialRevision;
    if (initial !== undefined && !(Number.isSafeInteger(initial) && initial >= 1)) {
      throw new RangeError(`initialRevision must be a positive safe integer, got ${initial}`);
    }
    this.revision = initial ?? 1;
    this.compacted = initial ?? 0;
  }

  async get(key: string, options: GetOptions = {}): Promise<StoredObject | null> {
    const at = this.readRevision(key, options.consistency);
    return this.versionAt(key, at)?.object ?? null;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const continueAt = options.continueFrom ? continueRevision(options.continueFrom) : undefined;
    const at =
      continueAt !== undefined
        ? this.checkedRevision(prefix, continueAt)
        : options.continueFrom
          ? this.revision // a continuation at the latest revision
          : this.readRevision(prefix, options.consistency);
    const from = options.continueFrom ? `${options.continueFrom.key}\u0000` : prefix;
    return listPage(this.objectsAt(prefix, from, at), ENTRY, options, at, (afterKey) => {
      let n = 0;
      for (const _ of this.objectsAt(prefix, `${afterKey}\u0000`, at)) n++;
      return n;
    });
  }

  /** The objects under `prefix` at revision `at`, in key order, starting at key `from`. */
  private *objectsAt(prefix: string, from: string, at: number): Generator<Entry> {
    for (let index = lowerBound(this.keys, from); index < this.keys.length; index++) {
      const key = this.keys[index] as string;
      if (!key.startsWith(prefix)) return;
      const object = this.versionAt(key, at)?.object;
      if (object) yield [key, object];
    }
  }

  async create(key: string, object: StoredObject): Promise<StoredObject> {
    this.checkOpen(key);
    if (this.latest(key)?.object) throw StorageError.keyExists(key);
    return this.write(key, encodeForStorage(object), "ADDED");
  }

  async guaranteedUpdate(key: string, update: UpdateFunction, options: UpdateOptions = {}): Promise<StoredObject> {
    for (;;) {
      this.checkOpen(key);
      const current = this.latest(key);
      const currentObject = current?.object ?? null;
      if (!currentObject && !options.allowCreate) throw StorageError.keyNotFound(key);
      if (currentObject) checkPreconditions(key, options.preconditions, currentObject);
      const next = await update(currentObject);
      // Another write landed while the update function ran: recompute on the new state.
      if (this.latest(key) !== current) continue;
      const json = encodeForStorage(next);
      if (current?.object && current.json === json) return current.object;
      return this.write(key, json, currentObject ? "MODIFIED" : "ADDED");
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<StoredObject> {
    for (;;) {
      this.checkOpen(key);
      const current = this.latest(key);
      if (!current?.object) throw StorageError.keyNotFound(key);
      checkPreconditions(key, options.preconditions, current.object);
      if (options.validateDeletion) {
        await options.validateDeletion(current.object);
        if (this.latest(key) !== current) continue;
      }
      const revision = ++this.revision;
      const last = deepFreeze(withRevision(current.object, revision));
      this.append(key, { revision, object: null, json: null });
      this.publish({ type: "DELETED", key, object: last, prevObject: current.object, revision });
      return last;
    }
  }

  watch(prefixOrKey: string, options: WatchOptions, sink: WatchSink): WatchHandle {
    const closed = this.closed ? StorageError.unavailable(prefixOrKey, new Error("storage closed")) : undefined;
    return this.watchers.add(prefixOrKey, options, sink, closed);
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  currentRevisionNow(): number {
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    const target = Math.min(revision, this.revision);
    if (target <= this.compacted) return;
    this.compacted = target;
    this.history.splice(0, firstAfter(this.history, target));
    for (let i = this.keys.length - 1; i >= 0; i--) {
      const key = this.keys[i] as string;
      const versions = this.versions.get(key) as Version[];
      let keepFrom = 0;
      for (let v = 0; v < versions.length; v++) if ((versions[v] as Version).revision <= target) keepFrom = v;
      versions.splice(0, keepFrom);
      const first = versions[0] as Version;
      if (first.object === null && first.revision <= target) versions.shift();
      if (versions.length === 0) {
        this.versions.delete(key);
        this.keys.splice(i, 1);
      }
    }
  }

  async count(prefix: string): Promise<number> {
    let n = 0;
    for (let i = lowerBound(this.keys, prefix); i < this.keys.length; i++) {
      const key = this.keys[i] as string;
      if (!key.startsWith(prefix)) break;
      if (this.latest(key)?.object) n++;
    }
    return n;
  }

  async ping(): Promise<void> {
    if (this.closed) throw StorageError.unavailable("", new Error("storage closed"));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.failAll(StorageError.unavailable("", new Error("storage closed")));
  }

  private write(key: string, json: string, type: "ADDED" | "MODIFIED"): StoredObject {
    const prev = this.latest(key)?.object ?? undefined;
    const revision = ++this.revision;
    const stored = deepFreeze(withRevision(JSON.parse(json) as StoredObject, revision));
    this.append(key, { revision, object: stored, json });
    this.publish(
      prev ? { type, key, object: stored, prevObject: prev, revision } : { type, key, object: stored, revision },
    );
    return stored;
  }

  private append(key: string, version: Version): void {
    const versions = this.versions.get(key);
    if (versions) {
      versions.push(version);
    } else {
      this.versions.set(key, [version]);
      this.keys.splice(lowerBound(this.keys, key), 0, key);
    }
  }

  private publish(event: ObjectWatchEvent): void {
    this.history.push(event);
    this.watchers.notify();
  }

  private latest(key: string): Version | undefined {
    const versions = this.versions.get(key);
    return versions?.[versions.length - 1];
  }

  private versionAt(key: string, revision: number): Version | undefined {
    const versions = this.versions.get(key);
    if (!versions) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      const version = versions[i] as Version;
      if (version.revision <= revision) return version;
    }
    return undefined;
  }

  private readRevision(key: string, consistency: ReadConsistency | undefined): number {
    if (!consistency || consistency.kind === "consistent" || consistency.kind === "any") return this.revision;
    if (consistency.kind === "notOlderThan") {
      if (consistency.revision > this.revision)
        throw StorageError.tooLargeResourceVersion(key, consistency.revision, this.revision);
      return this.revision;
    }
    return this.checkedRevision(key, consistency.revision);
  }

  private checkedRevision(key: string, revision: number): number {
    if (revision < this.compacted) throw StorageError.expired(key, revision, this.compacted);
    if (revision > this.revision) throw StorageError.tooLargeResourceVersion(key, revision, this.revision);
    return revision;
  }

  private checkOpen(key: string): void {
    if (this.closed) throw StorageError.unavailable(key, new Error("storage closed"));
  }
}
