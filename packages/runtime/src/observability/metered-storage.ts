/**
 * A Storage decorator that counts and times every backend call (Kubernetes'
 * etcd_request* metrics, whatever the backend), labelled by operation and by the
 * resource the key belongs to.
 */

import type { HistogramSeries } from "@apiserver-kit/metrics";
import type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  Storage,
  StoredObject,
  UpdateFunction,
  UpdateOptions,
  WatchHandle,
  WatchOptions,
  WatchSink,
} from "@apiserver-kit/storage";
import type { ApiServerMetrics } from "./metrics.js";

interface StorageInstruments {
  /** The sum of the metrics' generations when looked up (a reset makes them stale). */
  generation: number;
  labels: { operation: string; type: string };
  count: { value: number };
  duration: HistogramSeries<"operation" | "type">;
}

/** `/registry/<group>/<resource>/...` → `<resource>.<group>` (the `type` label). */
export function storageType(key: string): string {
  const root = "/registry/";
  if (!key.startsWith(root)) return "unknown";
  const groupEnd = key.indexOf("/", root.length);
  if (groupEnd <= root.length) return "unknown";
  const resourceEnd = key.indexOf("/", groupEnd + 1);
  const resource = key.slice(groupEnd + 1, resourceEnd < 0 ? key.length : resourceEnd);
  if (!resource) return "unknown";
  return `${resource}.${key.slice(root.length, groupEnd)}`;
}

export class MeteredStorage implements Storage {
  readonly name: string;

  constructor(
    readonly backend: Storage,
    private readonly metrics: ApiServerMetrics,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.name = backend.name;
    const revisionNow = backend.currentRevisionNow;
    if (revisionNow) {
      this.currentRevisionNow = () => this.measureNow("currentRevision", "", () => revisionNow.call(backend));
    }
    const getNow = backend.getNow;
    if (getNow) {
      this.getNow = (key, options) =>
        this.measureNow("get", storageType(key), () => getNow.call(backend, key, options));
    }
  }

  /** Defined exactly when the backend's is (see Storage.getNow). */
  readonly getNow?: (key: string, options?: GetOptions) => StoredObject | null | undefined;

  /** Defined exactly when the backend's is (see Storage.currentRevisionNow). */
  readonly currentRevisionNow?: () => number;

  /** The series of each operation and type, looked up once: label objects and keys per call showed in profiles. */
  private readonly instruments = new Map<string, StorageInstruments>();

  private instrumentsOf(operation: string, type: string): StorageInstruments {
    const { storageRequests, storageErrors, storageDuration } = this.metrics;
    const generation = storageRequests.generation + storageErrors.generation + storageDuration.generation;
    const key = `${operation}\u0000${type}`;
    let found = this.instruments.get(key);
    if (!found || found.generation !== generation) {
      const labels = { operation, type };
      found = {
        generation,
        labels,
        count: storageRequests.seriesOf(labels),
        duration: storageDuration.seriesOf(labels),
      };
      this.instruments.set(key, found);
    }
    return found;
  }

  private async measure<T>(operation: string, type: string, call: () => Promise<T>): Promise<T> {
    const instruments = this.instrumentsOf(operation, type);
    const start = this.now();
    instruments.count.value++;
    try {
      return await call();
    } catch (error) {
      this.failed(instruments);
      throw error;
    } finally {
      this.metrics.storageDuration.record(instruments.duration, (this.now() - start) / 1000);
    }
  }

  /** `measure` for a synchronous call. An answer of undefined (getNow: "ask get") is not a request. */
  private measureNow<T>(operation: string, type: string, call: () => T): T {
    const instruments = this.instrumentsOf(operation, type);
    const start = this.now();
    let result: T;
    try {
      result = call();
    } catch (error) {
      this.counted(instruments, start);
      this.failed(instruments);
      throw error;
    }
    if (result !== undefined) this.counted(instruments, start);
    return result;
  }

  private counted(instruments: StorageInstruments, start: number): void {
    instruments.count.value++;
    this.metrics.storageDuration.record(instruments.duration, (this.now() - start) / 1000);
  }

  /** Errors are rare: their series is made when first needed. */
  private failed(instruments: StorageInstruments): void {
    this.metrics.storageErrors.inc(instruments.labels);
  }

  get(key: string, options?: GetOptions): Promise<StoredObject | null> {
    return this.measure("get", storageType(key), () => this.backend.get(key, options));
  }

  list(prefix: string, options?: ListOptions): Promise<ListResult> {
    return this.measure("list", storageType(prefix), () => this.backend.list(prefix, options));
  }

  create(key: string, object: StoredObject): Promise<StoredObject> {
    return this.measure("create", storageType(key), () => this.backend.create(key, object));
  }

  guaranteedUpdate(key: string, update: UpdateFunction, options?: UpdateOptions): Promise<StoredObject> {
    return this.measure("update", storageType(key), () => this.backend.guaranteedUpdate(key, update, options));
  }

  delete(key: string, options?: DeleteOptions): Promise<StoredObject> {
    return this.measure("delete", storageType(key), () => this.backend.delete(key, options));
  }

  /** Counted when opened; a watch's lifetime is not a latency. */
  watch(prefixOrKey: string, options: WatchOptions, sink: WatchSink): WatchHandle {
    this.metrics.storageRequests.inc({ operation: "watch", type: storageType(prefixOrKey) });
    return this.backend.watch(prefixOrKey, options, sink);
  }

  currentRevision(): Promise<number> {
    return this.measure("currentRevision", "", () => this.backend.currentRevision());
  }

  compactedRevision(): Promise<number> {
    return this.backend.compactedRevision();
  }

  compact(revision: number): Promise<void> {
    return this.measure("compact", "", () => this.backend.compact(revision));
  }

  count(prefix: string): Promise<number> {
    return this.measure("count", storageType(prefix), () => this.backend.count(prefix));
  }

  ping(): Promise<void> {
    return this.backend.ping();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
