import type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  Storage,
  StoredObject,
  UpdateFunction,
  UpdateOptions,
  WatchEvent,
  WatchHandle,
  WatchOptions,
  WatchSink,
} from "../interface.js";

type Method = "get" | "list" | "create" | "guaranteedUpdate" | "delete" | "watch" | "currentRevision" | "count";

interface HeldWatch {
  readonly sink: WatchSink;
  readonly held: WatchEvent[];
}

/**
 * Wraps a backend for tests: counts calls per method, and injects watch faults (hold
 * events back, refuse progress requests, end watches with an error).
 */
export class InstrumentedStorage implements Storage {
  readonly name: string;
  readonly calls: Record<Method, number> = {
    get: 0,
    list: 0,
    create: 0,
    guaranteedUpdate: 0,
    delete: 0,
    watch: 0,
    currentRevision: 0,
    count: 0,
  };
  /** While true, watch events (bookmarks too) are held back until releaseWatchEvents(). */
  holdingWatchEvents = false;
  /** While true, requestProgress() answers false, as etcd before 3.4.31 does. */
  refuseProgress = false;
  /** Gate for list(): while set, list calls wait for it. */
  listGate: Promise<void> | undefined;
  private readonly watches = new Set<HeldWatch>();

  constructor(readonly backend: Storage) {
    this.name = `instrumented ${backend.name}`;
    const revisionNow = backend.currentRevisionNow;
    if (revisionNow) {
      this.currentRevisionNow = () => {
        this.calls.currentRevision++;
        return revisionNow.call(backend);
      };
    }
  }

  /** Counted as a currentRevision call; defined exactly when the backend's is. */
  readonly currentRevisionNow?: () => number;

  /** Calls to get and list: the reads a cache should avoid. */
  get reads(): number {
    return this.calls.get + this.calls.list;
  }

  resetCounts(): void {
    for (const method of Object.keys(this.calls) as Method[]) this.calls[method] = 0;
  }

  releaseWatchEvents(): void {
    this.holdingWatchEvents = false;
    for (const watch of this.watches) {
      for (const event of watch.held.splice(0)) watch.sink.event(event);
    }
  }

  /** Ends every open watch with `error`, as a backend does on compaction or shutdown. */
  failWatches(error: Error): void {
    const watches = [...this.watches];
    this.watches.clear();
    for (const watch of watches) watch.sink.error(error);
  }

  async get(key: string, options?: GetOptions): Promise<StoredObject | null> {
    this.calls.get++;
    return this.backend.get(key, options);
  }

  async list(prefix: string, options?: ListOptions): Promise<ListResult> {
    this.calls.list++;
    if (this.listGate) await this.listGate;
    return this.backend.list(prefix, options);
  }

  create(key: string, object: StoredObject): Promise<StoredObject> {
    this.calls.create++;
    return this.backend.create(key, object);
  }

  guaranteedUpdate(key: string, update: UpdateFunction, options?: UpdateOptions): Promise<StoredObject> {
    this.calls.guaranteedUpdate++;
    return this.backend.guaranteedUpdate(key, update, options);
  }

  delete(key: string, options?: DeleteOptions): Promise<StoredObject> {
    this.calls.delete++;
    return this.backend.delete(key, options);
  }

  watch(prefixOrKey: string, options: WatchOptions, sink: WatchSink): WatchHandle {
    this.calls.watch++;
    const watch: HeldWatch = { sink, held: [] };
    let stopped = false;
    const inner = this.backend.watch(prefixOrKey, options, {
      event: (event) => {
        if (stopped || !this.watches.has(watch)) return true;
        if (this.holdingWatchEvents) {
          watch.held.push(event);
          return true;
        }
        return sink.event(event);
      },
      error: (error) => {
        if (stopped || !this.watches.delete(watch)) return;
        sink.error(error);
      },
    });
    this.watches.add(watch);
    return {
      stop: () => {
        stopped = true;
        this.watches.delete(watch);
        inner.stop();
      },
      resume: () => inner.resume(),
      requestProgress: () => !this.refuseProgress && inner.requestProgress(),
    };
  }

  currentRevision(): Promise<number> {
    this.calls.currentRevision++;
    return this.backend.currentRevision();
  }

  compactedRevision(): Promise<number> {
    return this.backend.compactedRevision();
  }

  compact(revision: number): Promise<void> {
    return this.backend.compact(revision);
  }

  count(prefix: string): Promise<number> {
    this.calls.count++;
    return this.backend.count(prefix);
  }

  ping(): Promise<void> {
    return this.backend.ping();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
