export type { WatchCacheOptions } from "./cache/watch-cache.js";
export { WatchCache } from "./cache/watch-cache.js";
export type { Clock, TimerHandle } from "./clock.js";
export { background, systemClock } from "./clock.js";
export type { StorageErrorCode } from "./errors.js";
export { isStorageError, StorageError } from "./errors.js";
export type { EtcdStorageOptions } from "./etcd/etcd-storage.js";
export { EtcdStorage, KEY_ROOT } from "./etcd/etcd-storage.js";
export { supportsProgressRequests } from "./etcd/etcd-version.js";
export type {
  BookmarkWatchEvent,
  ContinuePosition,
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  ObjectWatchEvent,
  Preconditions,
  Predicate,
  ReadConsistency,
  Storage,
  StoredObject,
  StoredObjectMeta,
  UpdateFunction,
  UpdateOptions,
  WatchEvent,
  WatchEventType,
  WatchHandle,
  WatchOptions,
  WatchSink,
} from "./interface.js";
export { MemoryStorage } from "./memory/memory-storage.js";
export {
  checkPreconditions,
  deepFreeze,
  filterEvent,
  keyMatches,
  prefixEnd,
  revisionOf,
  withoutRevision,
  withRevision,
} from "./objects.js";
export type { SqliteStorageOptions, Synchronous, WriterStatus } from "./sqlite/sqlite-storage.js";
export { SqliteStorage } from "./sqlite/sqlite-storage.js";
