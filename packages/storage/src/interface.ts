/**
 * The contract every storage backend keeps (memory, SQLite, etcd) and the watch cache
 * decorates. It is a key-value store of JSON objects with one monotonically increasing
 * revision per backend, modelled on k8s.io/apiserver's storage.Interface:
 *
 * - Keys are strings like `/registry/<group>/<resource>/[<namespace>/]<name>`, ordered
 *   by their UTF-8 bytes (JavaScript string order for the ASCII keys Kubernetes allows).
 * - Every write gets a new revision; an object's `metadata.resourceVersion` is the
 *   decimal revision of its last write. Backends set it on every object they return and
 *   never store it.
 * - Objects handed to and returned by storage are shared: callers must not mutate them
 *   (the memory backend and the watch cache return frozen objects to catch mistakes).
 */

/** A JSON object as stored: in practice a Kubernetes object. */
export interface StoredObject {
  metadata?: StoredObjectMeta;
  [field: string]: unknown;
}

export interface StoredObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  [field: string]: unknown;
}

/** Conditions checked against the current object before a write (DeleteOptions.preconditions). */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/**
 * How fresh a read must be, as resourceVersion / resourceVersionMatch select it:
 * - `consistent` (resourceVersion unset): at least the latest revision at the time of the request;
 * - `any` (resourceVersion "0"): whatever the server has, possibly stale;
 * - `notOlderThan`: at least the given revision;
 * - `exact`: exactly the given revision (a historical read; compacted → Expired).
 */
export type ReadConsistency =
  | { readonly kind: "consistent" }
  | { readonly kind: "any" }
  | { readonly kind: "notOlderThan"; readonly revision: number }
  | { readonly kind: "exact"; readonly revision: number };

/** Filters objects on list and watch (k8s SelectionPredicate). */
export type Predicate = (object: StoredObject) => boolean;

export interface GetOptions {
  consistency?: ReadConsistency;
}

/**
 * Where the next page of a list starts: after `key`, read at `revision`. A `revision` of 0 or
 * less reads at the latest revision instead (Kubernetes' "inconsistent continue" token, rv -1,
 * that a 410 for a compacted page offers): the rest of the list as it is now.
 */
export interface ContinuePosition {
  readonly key: string;
  readonly revision: number;
}

export interface ListOptions {
  consistency?: ReadConsistency;
  /** Maximum number of items (after the predicate). 0 or absent: no limit. */
  limit?: number;
  /** Continue a paginated list; the read happens at the position's revision (or the latest, see ContinuePosition). */
  continueFrom?: ContinuePosition;
  predicate?: Predicate;
}

export interface ListResult {
  /** Matching objects in key order. */
  items: StoredObject[];
  /** The key of each item, in the same order (what a cache or a copy needs to store them under). */
  keys: string[];
  /** The revision the list was read at. */
  revision: number;
  /** Present when more items may follow. */
  continueFrom?: ContinuePosition;
  /** Items left after this page, when the backend knows it cheaply (no predicate). */
  remainingItemCount?: number;
}

/**
 * Computes the next state of an object. Receives the current object (or `null` when it
 * does not exist and `allowCreate` was set). Returning the very same object (or one that
 * serializes identically) is a no-op: nothing is written and the revision stays.
 * Throwing aborts the update with that error. May be called more than once on conflicts.
 */
export type UpdateFunction = (current: StoredObject | null) => StoredObject | Promise<StoredObject>;

export interface UpdateOptions {
  preconditions?: Preconditions;
  /** Call the update function with `null` when the key is absent, and create. */
  allowCreate?: boolean;
}

export interface DeleteOptions {
  preconditions?: Preconditions;
  /** Checked against the current object just before deleting; throwing aborts. */
  validateDeletion?: (current: StoredObject) => void | Promise<void>;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface ObjectWatchEvent {
  readonly type: WatchEventType;
  readonly key: string;
  /** The new state; for DELETED the last state, with resourceVersion = the deletion revision. */
  readonly object: StoredObject;
  /** The state before this event, when there was one. */
  readonly prevObject?: StoredObject;
  readonly revision: number;
}

/** Progress: every event up to `revision` has been delivered. */
export interface BookmarkWatchEvent {
  readonly type: "BOOKMARK";
  readonly revision: number;
}

export type WatchEvent = ObjectWatchEvent | BookmarkWatchEvent;

export interface WatchOptions {
  /**
   * Deliver events with a revision greater than this. Older than the oldest revision the
   * watched store still has → Expired. A revision in the future is allowed: events up to
   * it are skipped (etcd semantics).
   */
  fromRevision: number;
  predicate?: Predicate;
  /**
   * Ask for periodic BOOKMARK events when the backend can give them (etcd's
   * progress_notify; the watch cache on its bookmark interval). Bookmarks asked for with
   * `WatchHandle.requestProgress()` come either way.
   */
  progressNotify?: boolean;
}

/**
 * Receives a watch's events in revision order. Calls never overlap. After `error` no
 * further call comes. Must not throw and must not block.
 *
 * Flow control: `event` returns false when the consumer cannot take more now (as
 * `stream.write` does); the producer then holds further events until
 * `WatchHandle.resume()`. A producer never buffers without bound for a paused sink: it
 * ends the watch with an error (Expired once the events it still needs are gone) instead.
 */
export interface WatchSink {
  // biome-ignore lint/suspicious/noConfusingVoidType: sinks written before flow control return nothing; they keep compiling.
  event(event: WatchEvent): boolean | void;
  error(error: Error): void;
}

export interface WatchHandle {
  /** Stops delivery; idempotent. */
  stop(): void;
  /** Continues delivery after the sink returned false; a no-op otherwise. */
  resume(): void;
  /**
   * Asks for a BOOKMARK at a revision ≥ the backend's current revision, delivered after
   * every event up to it (etcd's WatchProgressRequest). Returns false, doing nothing, when
   * the backend cannot promise that (etcd before 3.4.31 / 3.5.13, a stopped watch): the
   * caller must then read from the backend to be consistent.
   */
  requestProgress(): boolean;
}

export interface Storage {
  /** A human-readable backend name for logs and metrics ("memory", "sqlite", "etcd"). */
  readonly name: string;

  get(key: string, options?: GetOptions): Promise<StoredObject | null>;

  /**
   * What `get` would answer, given synchronously when memory can answer it without waiting
   * (a watch cache that is fresh enough); undefined means "call get". Optional: backends
   * that always do I/O leave it out.
   */
  getNow?(key: string, options?: GetOptions): StoredObject | null | undefined;

  /** Lists keys under `prefix` (which ends with "/"). */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;

  /** Creates `key`; KeyExists when present. Returns the stored object with its resourceVersion. */
  create(key: string, object: StoredObject): Promise<StoredObject>;

  /**
   * Read-modify-write with optimistic concurrency, retried on conflicting writes.
   * KeyNotFound when absent (unless allowCreate); a failed precondition → Conflict.
   */
  guaranteedUpdate(key: string, update: UpdateFunction, options?: UpdateOptions): Promise<StoredObject>;

  /** Deletes `key` and returns its last state (resourceVersion = the deletion revision). */
  delete(key: string, options?: DeleteOptions): Promise<StoredObject>;

  /** Watches `prefix` (ending with "/") or a single key. Errors arrive on the sink. */
  watch(prefixOrKey: string, options: WatchOptions, sink: WatchSink): WatchHandle;

  /**
   * The newest revision (linearizable): at least the revision of every write acknowledged
   * before the call. Cheap on memory and SQLite (no I/O); one quorum read on etcd.
   */
  currentRevision(): Promise<number>;

  /**
   * `currentRevision` without a promise, on backends that know it in memory (memory, SQLite);
   * absent where it takes I/O (etcd).
   */
  currentRevisionNow?(): number;

  /** The oldest revision still readable; reads and watches from before it → Expired. */
  compactedRevision(): Promise<number>;

  /** Forgets history at and before `revision`. */
  compact(revision: number): Promise<void>;

  /** Number of keys under a prefix. */
  count(prefix: string): Promise<number>;

  /** Resolves when the backend answers; rejects with Unavailable otherwise. */
  ping(): Promise<void>;

  close(): Promise<void>;
}
