export type { StatusReason, TransportErrorReason } from "./client/errors.js";
export { ApiError, isAlreadyExists, isConflict, isExpired, isNotFound, TransportError } from "./client/errors.js";
export type {
  DeleteOptions,
  ListOptions,
  ObjectRef,
  PatchOptions,
  PatchType,
  ResourceType,
  WatchOptions,
  WriteOptions,
} from "./client/resource-client.js";
export { apiVersionOf, groupOf, ResourceClient } from "./client/resource-client.js";
export type {
  QueryValue,
  RestClientOptions,
  RestRequest,
  WatchConnection,
  WatchEnd,
  WireWatchEvent,
} from "./client/rest-client.js";
export { RestClient } from "./client/rest-client.js";
export type { InClusterOptions, KubeconfigOptions, RestConfig } from "./client/rest-config.js";
export {
  restConfigFromKubeConfig,
  restConfigFromKubeconfigFile,
  restConfigInCluster,
  SERVICE_ACCOUNT_DIR,
} from "./client/rest-config.js";
export type { Clock, TimerHandle } from "./clock/clock.js";
export { sleep, systemClock } from "./clock/clock.js";
export type { ControllerSpec, InformerSource, WatchSpec } from "./controller/controller.js";
export { Controller } from "./controller/controller.js";
export type { MapFunc } from "./controller/event-handlers.js";
export { enqueueMapped, mapToOwner, mapToSelf } from "./controller/event-handlers.js";
export type { ReconcileLoopOptions } from "./controller/reconcile-loop.js";
export { ReconcileLoop } from "./controller/reconcile-loop.js";
export type { ConditionInput } from "./helpers/conditions.js";
export {
  findStatusCondition,
  isStatusConditionFalse,
  isStatusConditionTrue,
  metaTime,
  removeStatusCondition,
  setStatusCondition,
} from "./helpers/conditions.js";
export type { EventRecorder, EventRecorderOptions, EventType } from "./helpers/events.js";
export { ClusterEventRecorder } from "./helpers/events.js";
export { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer } from "./helpers/finalizers.js";
export {
  AlreadyOwnedError,
  getControllerOf,
  isControlledBy,
  OwnerReferenceError,
  ownerRequests,
  removeOwnerReference,
  setControllerReference,
  setOwnerReference,
} from "./helpers/owner-references.js";
export type { Mutation, RetryOptions } from "./helpers/status.js";
export { retryOnConflict, updateStatus, updateWithRetry } from "./helpers/status.js";
export type { BackoffOptions } from "./informer/backoff.js";
export { Backoff } from "./informer/backoff.js";
export type { EventHandler, InformerOptions } from "./informer/informer.js";
export { Informer } from "./informer/informer.js";
export type { ReflectorOptions, ReflectorSink, ReflectorStats, TransformFunc } from "./informer/reflector.js";
export { Reflector, stripManagedFields, TransformError } from "./informer/reflector.js";
export type { IndexFunc } from "./informer/store.js";
export { IndexerConflictError, NAMESPACE_INDEX, namespaceIndexFunc, Store } from "./informer/store.js";
export type { ElectionOutcome, LeaderElectionOptions } from "./leaderelection/leader-elector.js";
export { LeaderElector } from "./leaderelection/leader-elector.js";
export type { Lease, LeaseSpec } from "./leaderelection/lease.js";
export { leaseType, microTime } from "./leaderelection/lease.js";
export type { JsonLoggerOptions, LogFields, Logger, LogLevel } from "./log/logger.js";
export { errorFields, jsonLogger, silentLogger } from "./log/logger.js";
export type { ManagerInformerOptions, ManagerOptions, Runnable } from "./manager/manager.js";
export { LeaderElectionLostError, Manager } from "./manager/manager.js";
export type { HealthCheck } from "./manager/probe-server.js";
export type { ReconcileResultLabel } from "./metrics/metrics.js";
export { ControllerMetrics } from "./metrics/metrics.js";
export type { Request } from "./objects/keys.js";
export { objectKey, requestFor, requestFromKey, requestKey } from "./objects/keys.js";
export type {
  Condition,
  KubeList,
  KubeObject,
  ListMeta,
  ObjectMeta,
  OwnerReference,
  Status,
  StatusCause,
} from "./objects/meta.js";
export type { ReconcileContext, Reconciler, Result } from "./reconcile/reconcile.js";
export { isTerminalError, TerminalError } from "./reconcile/reconcile.js";
export type { RateLimiter } from "./workqueue/rate-limiters.js";
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from "./workqueue/rate-limiters.js";
export type { WorkQueueMetrics, WorkQueueOptions } from "./workqueue/work-queue.js";
export { WorkQueue } from "./workqueue/work-queue.js";
