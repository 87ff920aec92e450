export type { WatchCacheOptions } from "./cache/watch-cache.js";
export { WatchCache } from "./cache/watch-cache.js";
export type { Clock, TimerHandle } from "./clock.js";
export { background, systemClock } from "./clock.js";
export type { StorageErrorCode } from "./errors.js";
export { isStorageError, StorageError } from "./errors.js";
export type { EtcdStorageOptions } from "./etcd/etcd-storage.js";
export { EtcdStorage, KEY_ROOT } from "./etcd/etcd-storage.js";
export { supportsProgressRequests } from "./etcd/etcd-version.js";
export type { ComputedStorage, ComputedStorageOptions } from "./external/computed-storage.js";
export { computedStorage } from "./external/computed-storage.js";
export type { SourceErrorReason, WriteVerb } from "./external/errors.js";
export { isMethodNotAllowedError, MethodNotAllowedError, SourceError } from "./external/errors.js";
export type { ExternalSource, ExternalStorageOptions, SourceWrite } from "./external/external-storage.js";
export { ExternalStorage } from "./external/external-storage.js";
export type { SourceObjectRef, SourceScope } from "./external/keys.js";
export type { MirrorOptions } from "./external/mirrored-storage.js";
export { epochRevision } from "./external/mirrored-storage.js";
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
export type { MemoryStorageOptions } from "./memory/memory-storage.js";
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
