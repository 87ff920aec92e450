/**
 * A Storage decorator that counts and times every backend call (Kubernetes'
 * etcd_request* metrics, whatever the backend), labelled by operation and by the
 * resource the key belongs to.
 */
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

/** `/registry/<group>/<resource>/...` → `<resource>.<group>` (the `type` label). */
export function storageType(key: string): string {
  const parts = key.split("/");
  if (parts[1] !== "registry" || !parts[2] || !parts[3]) return "unknown";
  return `${parts[3]}.${parts[2]}`;
}

export class MeteredStorage implements Storage {
  readonly name: string;

  constructor(
    readonly backend: Storage,
    private readonly metrics: ApiServerMetrics,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.name = backend.name;
  }

  private async measure<T>(operation: string, type: string, call: () => Promise<T>): Promise<T> {
    const labels = { operation, type };
    const start = this.now();
    this.metrics.storageRequests.inc(labels);
    try {
      return await call();
    } catch (error) {
      this.metrics.storageErrors.inc(labels);
      throw error;
    } finally {
      this.metrics.storageDuration.observe(labels, (this.now() - start) / 1000);
    }
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
