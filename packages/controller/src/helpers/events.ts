/**
 * Events about objects (client-go tools/record, simplified): written as core/v1 Events
 * when the server serves them, logged otherwise. An extension API server alone has no
 * core group, so against it events are log lines; in a cluster the controller's rest
 * config points at kube-apiserver, which has them.
 */
import { hostname } from "node:os";
import type { RestClient } from "../client/rest-client.js";
import { type Clock, systemClock } from "../clock/clock.js";
import { errorFields, type Logger } from "../log/logger.js";
import type { KubeObject } from "../objects/meta.js";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  /** Records that `reason` happened to `object`. Never throws; delivery is best effort. */
  event(object: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface EventRecorderOptions {
  /** `source.component` / `reportingComponent`: usually the controller manager's name. */
  component: string;
  rest: RestClient;
  logger: Logger;
  clock?: Clock;
  /** `reportingInstance`; default the host name. */
  instance?: string;
}

/** Writes Events through the API when `/api/v1` lists `events`, else logs them. */
export class ClusterEventRecorder implements EventRecorder {
  private served: Promise<boolean> | undefined;
  private readonly clock: Clock;
  private readonly instance: string;
  /** Writes in flight: `flush()` waits for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: EventRecorderOptions) {
    this.clock = options.clock ?? systemClock;
    this.instance = options.instance ?? hostname();
  }

  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    const write = this.deliver(object, type, reason, message);
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Waits for the events recorded so far to be written or logged. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Whether the server serves core/v1 events (asked once). */
  eventsServed(): Promise<boolean> {
    this.served ??= this.options.rest
      .request<{ resources?: Array<{ name?: string }> }>({ method: "GET", path: "/api/v1" })
      .then((list) => (list.resources ?? []).some((r) => r.name === "events"))
      .catch(() => false);
    return this.served;
  }

  private async deliver(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const { logger, component } = this.options;
    const meta = object.metadata ?? {};
    const involved = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    };
    const fields = { event: { type, reason, message }, object: involved };
    if (!(await this.eventsServed())) {
      (type === "Warning" ? logger.warn : logger.info).call(logger, `event: ${reason}`, fields);
      return;
    }
    const now = this.clock.now();
    const seconds = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
    const namespace = meta.namespace || "default";
    const body = {
      apiVersion: "v1",
      kind: "Event",
      // client-go names events `<object>.<unix nanoseconds in hex>`.
      metadata: { name: `${meta.name ?? "object"}.${(BigInt(now) * 1_000_000n).toString(16)}`, namespace },
      involvedObject: involved,
      reason,
      message,
      type,
      source: { component },
      firstTimestamp: seconds,
      lastTimestamp: seconds,
      count: 1,
      reportingComponent: component,
      reportingInstance: this.instance,
    };
    try {
      await this.options.rest.request({ method: "POST", path: `/api/v1/namespaces/${namespace}/events`, body });
    } catch (error) {
      logger.warn(`event: ${reason} (could not be written)`, { ...fields, error: errorFields(error) });
    }
  }
}
