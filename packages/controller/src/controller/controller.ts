/**
 * A controller: declared by the kind it is for, the kinds it owns and extra watches; runs
 * a reconcile loop fed by shared informers. Only keys go in the queue; the reconciler
 * reads current state from the informers' stores or the server.
 */

import type { ResourceType } from "../client/resource-client.js";
import type { Clock } from "../clock/clock.js";
import type { Informer } from "../informer/informer.js";
import type { Logger } from "../log/logger.js";
import type { ControllerMetrics } from "../metrics/metrics.js";
import type { KubeObject } from "../objects/meta.js";
import type { Reconciler } from "../reconcile/reconcile.js";
import type { RateLimiter } from "../workqueue/rate-limiters.js";
import { WorkQueue } from "../workqueue/work-queue.js";
import { enqueueMapped, type MapFunc, mapToOwner, mapToSelf } from "./event-handlers.js";
import { ReconcileLoop } from "./reconcile-loop.js";

/** An extra watch: changes of `type` objects become the requests `map` returns. */
export interface WatchSpec {
  type: ResourceType;
  map: MapFunc;
}

export interface ControllerSpec {
  /** Unique within a manager: metrics label, log field. */
  name: string;
  /** The kind reconciled: each of its objects' changes enqueues that object. */
  for: ResourceType;
  /** Kinds whose objects carry a controller owner reference to a `for` object: their changes enqueue the owner. */
  owns?: ResourceType[];
  watches?: WatchSpec[];
  reconcile: Reconciler;
  /** Default 1. */
  maxConcurrentReconciles?: number;
  /** Default: controller-runtime's (per-item 5 ms doubling to 1000 s, overall 10 qps / burst 100). */
  rateLimiter?: RateLimiter<string>;
  /** Run only while the manager holds the leader lease (when it has leader election). Default true. */
  needLeaderElection?: boolean;
}

/** Where controllers get their informers: the manager's cache, one informer per kind. */
export interface InformerSource {
  informer<T extends KubeObject>(type: ResourceType): Informer<T>;
}

export interface ControllerDeps {
  informers: InformerSource;
  clock: Clock;
  logger: Logger;
  metrics?: ControllerMetrics;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  private readonly loop: ReconcileLoop;
  private started = false;

  constructor(
    readonly spec: ControllerSpec,
    private readonly deps: ControllerDeps,
  ) {
    this.name = spec.name;
    this.queue = new WorkQueue<string>({
      clock: deps.clock,
      ...(spec.rateLimiter ? { rateLimiter: spec.rateLimiter } : {}),
      ...(deps.metrics ? { metrics: deps.metrics.workQueueMetrics<string>(spec.name) } : {}),
    });
    this.loop = new ReconcileLoop({
      name: spec.name,
      reconcile: spec.reconcile,
      queue: this.queue,
      clock: deps.clock,
      logger: deps.logger,
      ...(spec.maxConcurrentReconciles ? { maxConcurrentReconciles: spec.maxConcurrentReconciles } : {}),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    });
  }

  get needLeaderElection(): boolean {
    return this.spec.needLeaderElection ?? true;
  }

  /** The sources: the `for` kind to itself, owned kinds to their owner, extra watches through their maps. */
  sources(): WatchSpec[] {
    return [
      { type: this.spec.for, map: mapToSelf },
      ...(this.spec.owns ?? []).map((type) => ({ type, map: mapToOwner(this.spec.for) })),
      ...(this.spec.watches ?? []),
    ];
  }

  /**
   * Attaches the event handlers, waits for the informers to sync, then reconciles until
   * `signal` aborts; returns once the reconciles in flight have finished.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`controller ${this.name} was started twice`);
    this.started = true;
    const log = this.deps.logger.child({ controller: this.name });
    const enqueue = (key: string) => this.queue.add(key);
    const detach: Array<() => void> = [];
    const informers: Informer<KubeObject>[] = [];
    for (const source of this.sources()) {
      const informer = this.deps.informers.informer<KubeObject>(source.type);
      informers.push(informer);
      detach.push(informer.addEventHandler(enqueueMapped(enqueue, source.map)));
    }
    try {
      log.info("starting, waiting for caches to sync");
      const synced = await Promise.all(informers.map((informer) => informer.waitForSync(signal)));
      if (!synced.every(Boolean)) return;
      log.info("caches synced, starting workers", { workers: this.loop.maxConcurrentReconciles });
      await this.loop.run(signal);
      log.info("all workers finished");
    } finally {
      for (const off of detach) off();
      this.queue.shutDown();
    }
  }
}
