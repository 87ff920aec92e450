/**
 * The reflector (client-go tools/cache reflector.go): lists a kind, then watches from the
 * list's resourceVersion, and keeps doing so for as long as it runs.
 * - Watches ask for bookmarks, so a quiet watch still advances its resourceVersion.
 * - A 410 Expired (too old a resourceVersion) makes it relist; any other failure waits a
 *   jittered, growing backoff and tries again, forever.
 * - A watch that ended normally (its timeout) is reopened from where it was.
 * - A watchdog ends a watch that has sent nothing (not even a bookmark) for
 *   `watchIdleTimeoutMs` and reopens it: a connection can die without the socket
 *   noticing (Pepr's ADR 0015 is the cautionary tale).
 */

import { type ApiError, isExpired, TransportError } from "../client/errors.js";
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
  backoff?: BackoffOptions;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
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

type WatchOutcome =
  | { kind: "closed" }
  | { kind: "idle" }
  | { kind: "stopped" }
  | { kind: "expired" }
  | { kind: "failed"; error: ApiError | TransportError };

export class Reflector<T extends KubeObject> {
  readonly stats: ReflectorStats = {
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
    let needList = true;
    let watchedSinceList = false;
    while (!signal.aborted) {
      if (needList) {
        try {
          await this.list(signal);
          needList = false;
          watchedSinceList = false;
        } catch (error) {
          if (signal.aborted) return;
          this.stats.failures++;
          this.logger.warn("list failed", { error: errorFields(error) });
          await sleep(this.clock, this.backoff.next(), signal);
          continue;
        }
      }
      const outcome = await this.watch(signal);
      switch (outcome.kind) {
        case "stopped":
          return;
        case "closed":
        case "idle":
          watchedSinceList = true;
          break;
        case "expired":
          this.stats.expiredRelists++;
          this.logger.info("watch expired, relisting", { resourceVersion: this.stats.lastSyncResourceVersion });
          needList = true;
          // Expired straight after a list means the server compacts faster than we can follow.
          if (!watchedSinceList) await sleep(this.clock, this.backoff.next(), signal);
          break;
        case "failed": {
          this.stats.failures++;
          this.logger.warn("watch failed", { error: errorFields(outcome.error) });
          // A transport failure may be a restarting server: the watch resumes from where it was.
          // A server's refusal (500, 403, ...) is answered with a fresh list, as client-go does.
          if (!(outcome.error instanceof TransportError)) needList = true;
          await sleep(this.clock, this.backoff.next(), signal);
          break;
        }
      }
    }
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
      for (const item of page.items) items.push(item);
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
      continueToken = page.metadata.continue || undefined;
    } while (continueToken);
    this.sink.replace(items, resourceVersion);
    this.stats.lastSyncResourceVersion = resourceVersion;
    this.logger.debug("listed", { items: items.length, resourceVersion });
  }

  private watch(signal: AbortSignal): Promise<WatchOutcome> {
    if (signal.aborted) return Promise.resolve({ kind: "stopped" });
    const minTimeout = this.options.minWatchTimeoutSeconds ?? 300;
    const idleTimeoutMs = this.options.watchIdleTimeoutMs ?? 180_000;
    let outcome: WatchOutcome | undefined;
    let watchdog: TimerHandle | undefined;
    this.stats.watches++;
    const connection = this.client.watch(
      {
        ...this.selection(),
        resourceVersion: this.stats.lastSyncResourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.floor(minTimeout * (1 + this.random())),
      },
      (event) => {
        if (outcome) return;
        armWatchdog();
        this.handle(event, (error) => {
          outcome = isExpired(error) ? { kind: "expired" } : { kind: "failed", error };
          connection.stop();
        });
      },
    );
    const armWatchdog = () => {
      if (watchdog !== undefined) this.clock.clearTimeout(watchdog);
      watchdog = this.clock.setTimeout(() => {
        if (outcome) return;
        this.stats.idleRestarts++;
        this.logger.warn("watch silent, restarting", { idleTimeoutMs });
        outcome = { kind: "idle" };
        connection.stop();
      }, idleTimeoutMs);
    };
    const onAbort = () => {
      outcome ??= { kind: "stopped" };
      connection.stop();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    armWatchdog();
    return connection.done.then((end) => {
      signal.removeEventListener("abort", onAbort);
      if (watchdog !== undefined) this.clock.clearTimeout(watchdog);
      if (outcome) return outcome;
      if (end.kind === "failed") return isExpired(end.error) ? { kind: "expired" } : end;
      return end.kind === "closed" ? { kind: "closed" } : { kind: "stopped" };
    });
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
        this.sink.added(event.object as T);
        break;
      case "MODIFIED":
        this.sink.modified(event.object as T);
        break;
      case "DELETED":
        this.sink.deleted(event.object as T);
        break;
      case "BOOKMARK":
        break;
    }
    if (resourceVersion) this.stats.lastSyncResourceVersion = resourceVersion;
  }

  private selection() {
    return {
      ...(this.options.namespace ? { namespace: this.options.namespace } : {}),
      ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
      ...(this.options.fieldSelector ? { fieldSelector: this.options.fieldSelector } : {}),
    };
  }
}
