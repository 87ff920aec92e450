/**
 * The reflector (client-go tools/cache reflector.go): gets a kind's current state, then
 * watches from its resourceVersion, and keeps doing so for as long as it runs.
 * - The state comes as a watch list (sendInitialEvents: one stream, no paging) when the
 *   server can, else as a paged list.
 * - Watches ask for bookmarks, so a quiet watch still advances its resourceVersion.
 * - A 410 Expired (too old a resourceVersion) makes it relist; any other failure waits a
 *   jittered, growing backoff and tries again, forever.
 * - A watch that ended normally (its timeout) is reopened from where it was.
 * - A watchdog ends a watch that has sent nothing (not even a bookmark) for
 *   `watchIdleTimeoutMs` and reopens it: a connection can die without the socket
 *   noticing (Pepr's ADR 0015 is the cautionary tale).
 */

import { ApiError, isExpired, TransportError } from "../client/errors.js";
import type { ResourceClient } from "../client/resource-client.js";
import { type WireWatchEvent, watchErrorToApiError } from "../client/rest-client.js";
import { type Clock, sleep, systemClock, type TimerHandle } from "../clock/clock.js";
import { errorFields, type Logger, silentLogger } from "../log/logger.js";
import type { KubeObject } from "../objects/meta.js";
import { Backoff, type BackoffOptions } from "./backoff.js";

export interface ReflectorOptions {
  /** Only this namespace (namespaced kinds); default: all. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per list page. Default 500. */
  pageSize?: number;
  /** Watches ask the server to end after a random time between this and twice it. Default 300 s. */
  minWatchTimeoutSeconds?: number;
  /** End and reopen a watch silent for this long. Default 180 s (servers bookmark about every minute). */
  watchIdleTimeoutMs?: number;
  /**
   * Get the initial state as a watch list (sendInitialEvents) instead of a paged list,
   * when the server can; a server that refuses is listed instead. Default true.
   */
  watchList?: boolean;
  backoff?: BackoffOptions;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /**
   * Applied to every object as it arrives, before the store or a handler sees it (client-go's
   * `SetTransform`; controller-runtime's cache `Transform`): to drop what the controller never
   * reads and save its memory, e.g. {@link stripManagedFields}. It may change the object in place
   * and return it. A transform that throws fails the list or watch like a server error: logged,
   * retried after a backoff, with a fresh sync.
   */
  transform?: TransformFunc;
}

/** What {@link ReflectorOptions.transform} is given and returns: one object. */
export type TransformFunc = (object: KubeObject) => KubeObject;

/** Thrown out of a list or watch when the configured transform failed on an object. */
export class TransformError extends Error {
  override readonly name = "TransformError";
}

/**
 * A transform dropping `metadata.managedFields` (controller-runtime's
 * `TransformStripManagedFields`): most controllers never read them, and they are often a large
 * share of an object. The field is removed: an update sent from such an object keeps the server's
 * managedFields (a server resets them only when asked to with `[{}]`).
 */
export function stripManagedFields(object: KubeObject): KubeObject {
  const metadata = object.metadata;
  if (metadata === undefined || !("managedFields" in metadata)) return object;
  // A copy without the key: `delete` would turn the cached metadata into a slow dictionary.
  const { managedFields: _, ...rest } = metadata;
  object.metadata = rest;
  return object;
}

/** Where the reflector delivers what it learns. Called synchronously, in order. */
export interface ReflectorSink<T> {
  /** A full list: the new truth. */
  replace(items: T[], resourceVersion: string): void;
  added(object: T): void;
  modified(object: T): void;
  deleted(object: T): void;
}

/** Counters for logs, metrics and tests. */
export interface ReflectorStats {
  /** Times the store was replaced with the server's full state (a list or a watch list). */
  syncs: number;
  /** Paged lists. */
  lists: number;
  /** Relists caused by a 410 Expired. */
  expiredRelists: number;
  watches: number;
  /** Watches ended by the watchdog. */
  idleRestarts: number;
  /** Failed lists and watches (each followed by a backoff). */
  failures: number;
  events: number;
  lastSyncResourceVersion: string;
}

const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

type WatchOutcome =
  | { kind: "closed" }
  | { kind: "idle" }
  | { kind: "stopped" }
  | { kind: "expired" }
  | { kind: "failed"; error: ApiError | TransportError | TransformError };

export class Reflector<T extends KubeObject> {
  readonly stats: ReflectorStats = {
    syncs: 0,
    lists: 0,
    expiredRelists: 0,
    watches: 0,
    idleRestarts: 0,
    failures: 0,
    events: 0,
    lastSyncResourceVersion: "",
  };
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private watchListSupported = true;

  constructor(
    private readonly client: ResourceClient<T>,
    private readonly sink: ReflectorSink<T>,
    private readonly options: ReflectorOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = (options.logger ?? silentLogger).child({ reflector: client.type.plural });
    this.backoff = new Backoff(options.backoff ?? {}, this.clock, this.random);
  }

  /** Lists and watches until `signal` aborts. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let needSync = true;
    let watchedSinceSync = false;
    while (!signal.aborted) {
      if (needSync && !this.watchListUsable()) {
        try {
          await this.list(signal);
          needSync = false;
          watchedSinceSync = false;
        } catch (error) {
          if (signal.aborted) return;
          this.stats.failures++;
          this.logger.warn("list failed", { error: errorFields(error) });
          await sleep(this.clock, this.backoff.next(), signal);
          continue;
        }
      }
      const initial = needSync;
      const { outcome, synced } = await this.watch(signal, initial);
      if (synced) {
        needSync = false;
        watchedSinceSync = false;
      } else if (initial && this.refusesWatchList(outcome)) {
        this.watchListSupported = false;
        this.logger.info("the server does not stream initial events: listing instead");
        continue;
      }
      switch (outcome.kind) {
        case "stopped":
          return;
        case "closed":
        case "idle":
          watchedSinceSync = true;
          break;
        case "expired":
          this.stats.expiredRelists++;
          this.logger.info("watch expired, relisting", { resourceVersion: this.stats.lastSyncResourceVersion });
          needSync = true;
          // Expired straight after a sync means the server compacts faster than we can follow.
          if (!watchedSinceSync) await sleep(this.clock, this.backoff.next(), signal);
          break;
        case "failed": {
          this.stats.failures++;
          this.logger.warn("watch failed", { error: errorFields(outcome.error) });
          // A transport failure may be a restarting server: the watch resumes from where it was.
          // A server's refusal (500, 403, ...) is answered with a fresh sync, as client-go does.
          if (!(outcome.error instanceof TransportError)) needSync = true;
          await sleep(this.clock, this.backoff.next(), signal);
          break;
        }
      }
    }
  }

  private watchListUsable(): boolean {
    return (this.options.watchList ?? true) && this.watchListSupported;
  }

  /** A server that rejects sendInitialEvents (400/422), or ends the stream before the initial events end, can't do it. */
  private refusesWatchList(outcome: WatchOutcome): boolean {
    if (outcome.kind === "closed") return true;
    return outcome.kind === "failed" && outcome.error instanceof ApiError && [400, 422].includes(outcome.error.code);
  }

  private async list(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let resourceVersion = "";
    let continueToken: string | undefined;
    this.stats.lists++;
    do {
      if (signal.aborted) return;
      const page = await this.client.list({
        ...this.selection(),
        limit: this.options.pageSize ?? 500,
        ...(continueToken ? { continue: continueToken } : {}),
      });
      for (const item of page.items) items.push(this.transformed(item));
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
      continueToken = page.metadata.continue || undefined;
    } while (continueToken);
    this.replace(items, resourceVersion);
  }

  private replace(items: T[], resourceVersion: string): void {
    this.sink.replace(items, resourceVersion);
    this.stats.syncs++;
    this.stats.lastSyncResourceVersion = resourceVersion;
    this.logger.debug("synced", { items: items.length, resourceVersion });
  }

  /**
   * One watch. With `initial`, a watch list: the server streams the current state as
   * ADDED events and a bookmark marking their end, which replaces the store; `synced`
   * says whether that end arrived.
   */
  private async watch(signal: AbortSignal, initial: boolean): Promise<{ outcome: WatchOutcome; synced: boolean }> {
    if (signal.aborted) return { outcome: { kind: "stopped" }, synced: false };
    const minTimeout = this.options.minWatchTimeoutSeconds ?? 300;
    const idleTimeoutMs = this.options.watchIdleTimeoutMs ?? 180_000;
    let outcome: WatchOutcome | undefined;
    let watchdog: TimerHandle | undefined;
    let initialItems: T[] | undefined = initial ? [] : undefined;
    // One timer per watch, not one per event: each event only notes the time, and the
    // timer, when due, re-arms for what is left of the idle window.
    let lastEventAt = this.clock.now();
    const watchdogFired = () => {
      if (outcome) return;
      const idleFor = this.clock.now() - lastEventAt;
      if (idleFor < idleTimeoutMs) {
        watchdog = this.clock.setTimeout(watchdogFired, idleTimeoutMs - idleFor);
        return;
      }
      this.stats.idleRestarts++;
      this.logger.warn("watch silent, restarting", { idleTimeoutMs });
      outcome = { kind: "idle" };
      connection.stop();
    };
    this.stats.watches++;
    const connection = this.client.watch(
      {
        ...this.selection(),
        // A watch list reads the current state (a consistent read); a plain watch resumes.
        resourceVersion: initial ? "" : this.stats.lastSyncResourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.floor(minTimeout * (1 + this.random())),
        ...(initial ? { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" as const } : {}),
      },
      (event) => {
        if (outcome) return;
        lastEventAt = this.clock.now();
        try {
          if (initialItems) {
            if (event.type === "ADDED") {
              initialItems.push(this.transformed(event.object));
              return;
            }
            if (event.type === "BOOKMARK" && event.object.metadata?.annotations?.[INITIAL_EVENTS_END] === "true") {
              this.stats.events += initialItems.length;
              this.replace(initialItems, event.object.metadata?.resourceVersion ?? "");
              initialItems = undefined;
              return;
            }
          }
          this.handle(event, (error) => {
            outcome = isExpired(error) ? { kind: "expired" } : { kind: "failed", error };
            connection.stop();
          });
        } catch (error) {
          if (!(error instanceof TransformError)) throw error;
          outcome = { kind: "failed", error };
          connection.stop();
        }
      },
    );
    const onAbort = () => {
      outcome ??= { kind: "stopped" };
      connection.stop();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    watchdog = this.clock.setTimeout(watchdogFired, idleTimeoutMs);
    const end = await connection.done;
    signal.removeEventListener("abort", onAbort);
    if (watchdog !== undefined) this.clock.clearTimeout(watchdog);
    const synced = initial && initialItems === undefined;
    if (outcome) return { outcome, synced };
    if (end.kind === "failed") return { outcome: isExpired(end.error) ? { kind: "expired" } : end, synced };
    return { outcome: end.kind === "closed" ? { kind: "closed" } : { kind: "stopped" }, synced };
  }

  private handle(event: WireWatchEvent, fail: (error: ApiError) => void): void {
    if (event.type === "ERROR") {
      fail(watchErrorToApiError(event.object));
      return;
    }
    const resourceVersion = event.object.metadata?.resourceVersion;
    this.stats.events++;
    switch (event.type) {
      case "ADDED":
        this.sink.added(this.transformed(event.object));
        break;
      case "MODIFIED":
        this.sink.modified(this.transformed(event.object));
        break;
      case "DELETED":
        this.sink.deleted(this.transformed(event.object));
        break;
      case "BOOKMARK":
        break;
    }
    if (resourceVersion) this.stats.lastSyncResourceVersion = resourceVersion;
  }

  /** The object as the configured transform makes it; a transform that throws or returns no object is a TransformError. */
  private transformed(object: KubeObject): T {
    const transform = this.options.transform;
    if (transform === undefined) return object as T;
    let result: unknown;
    try {
      result = transform(object);
    } catch (error) {
      throw new TransformError(`${this.describe(object)}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    if (typeof result !== "object" || result === null || Array.isArray(result)) {
      throw new TransformError(
        `${this.describe(object)}: the transform returned ${result === null ? "null" : typeof result}, not an object`,
      );
    }
    return result as T;
  }

  private describe(object: KubeObject): string {
    const { namespace, name } = object.metadata ?? {};
    return `transforming ${this.client.type.plural} ${namespace ? `${namespace}/` : ""}${name ?? "(no name)"} failed`;
  }

  private selection() {
    return {
      ...(this.options.namespace ? { namespace: this.options.namespace } : {}),
      ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
      ...(this.options.fieldSelector ? { fieldSelector: this.options.fieldSelector } : {}),
    };
  }
}
