/**
 * An informer: a reflector feeding a store, and event handlers told of every change
 * (client-go's SharedIndexInformer, without the DeltaFIFO: the reflector delivers in
 * order on one event loop, so it writes the store and calls handlers directly). Handlers
 * should only enqueue keys; the reconciler reads the store.
 */

import type { ResourceClient } from "../client/resource-client.js";
import { type Clock, systemClock, type TimerHandle } from "../clock/clock.js";
import { errorFields, type Logger, silentLogger } from "../log/logger.js";
import { objectKey } from "../objects/keys.js";
import type { KubeObject } from "../objects/meta.js";
import { Reflector, type ReflectorOptions, type ReflectorSink, type ReflectorStats } from "./reflector.js";
import { type IndexFunc, Store } from "./store.js";

export interface EventHandler<T> {
  /** `initialList`: the object came with the informer's first list (or a replay to a late handler). */
  onAdd?(object: T, initialList: boolean): void;
  /** Also called with `oldObject === newObject` on a periodic resync. */
  onUpdate?(oldObject: T, newObject: T): void;
  /** `finalStateUnknown`: the object vanished between watches (seen missing on a relist); `object` is its last known state. */
  onDelete?(object: T, finalStateUnknown: boolean): void;
}

export interface InformerOptions extends ReflectorOptions {
  /** Re-deliver every cached object as an update this often; 0 or absent: never. */
  resyncPeriodMs?: number;
  indexers?: Record<string, IndexFunc<KubeObject>>;
}

export class Informer<T extends KubeObject> {
  readonly store: Store<T>;
  private readonly reflector: Reflector<T>;
  private readonly handlers = new Set<EventHandler<T>>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private resyncTimer: TimerHandle | undefined;

  constructor(
    readonly client: ResourceClient<T>,
    private readonly options: InformerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ informer: client.type.plural });
    this.store = new Store<T>((options.indexers ?? {}) as Record<string, IndexFunc<T>>);
    const sink: ReflectorSink<T> = {
      replace: (items) => this.replace(items),
      added: (object) => this.upsert(object),
      modified: (object) => this.upsert(object),
      deleted: (object) => this.remove(object),
    };
    this.reflector = new Reflector(client, sink, options);
  }

  get stats(): Readonly<ReflectorStats> {
    return this.reflector.stats;
  }

  /**
   * Registers handlers. If the informer has synced, the cached objects are replayed to
   * them as adds first (as client-go does for a handler added late). Returns an unregister function.
   */
  addEventHandler(handler: EventHandler<T>): () => void {
    this.handlers.add(handler);
    if (this.synced) for (const object of this.store.list()) this.call(handler, "onAdd", object, true);
    return () => this.handlers.delete(handler);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the store, false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      });
    });
  }

  /** Lists, watches and resyncs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.scheduleResync(signal);
    try {
      await this.reflector.run(signal);
    } finally {
      if (this.resyncTimer !== undefined) this.clock.clearTimeout(this.resyncTimer);
      this.resyncTimer = undefined;
    }
  }

  private replace(items: T[]): void {
    const initial = !this.synced;
    // Keys to keep; an empty store (the first list) has nothing to delete, so none are collected.
    const seen = this.store.size > 0 ? new Set<string>() : undefined;
    for (const object of items) {
      seen?.add(objectKey(object));
      const old = this.store.set(object);
      if (old) this.dispatch("onUpdate", old, object);
      else this.dispatch("onAdd", object, initial);
    }
    if (seen)
      for (const key of this.store.keys()) {
        if (seen.has(key)) continue;
        const old = this.store.delete(key) as T;
        this.dispatch("onDelete", old, true);
      }
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  private upsert(object: T): void {
    const old = this.store.set(object);
    if (old) this.dispatch("onUpdate", old, object);
    else this.dispatch("onAdd", object, false);
  }

  private remove(object: T): void {
    // The event carries the last state; it is delivered even when the store never had it.
    this.store.delete(objectKey(object));
    this.dispatch("onDelete", object, false);
  }

  private scheduleResync(signal: AbortSignal): void {
    const period = this.options.resyncPeriodMs ?? 0;
    if (period <= 0 || signal.aborted) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      if (signal.aborted) return;
      if (this.synced) {
        for (const object of this.store.list()) this.dispatch("onUpdate", object, object);
      }
      this.scheduleResync(signal);
    }, period);
  }

  /** Calls `what` of every handler with `args`. */
  private dispatch<K extends keyof EventHandler<T>>(
    what: K,
    ...args: Parameters<NonNullable<EventHandler<T>[K]>>
  ): void {
    for (const handler of this.handlers) this.call(handler, what, ...args);
  }

  /** Calls `what` of one handler; a failing handler must not stop the others or the reflector. */
  private call<K extends keyof EventHandler<T>>(
    handler: EventHandler<T>,
    what: K,
    ...args: Parameters<NonNullable<EventHandler<T>[K]>>
  ): void {
    const method = handler[what] as ((...values: typeof args) => void) | undefined;
    if (method === undefined) return;
    try {
      method.apply(handler, args);
    } catch (error) {
      this.logger.error("event handler failed", { handler: what, error: errorFields(error) });
    }
  }
}
