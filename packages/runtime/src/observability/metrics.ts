/**
 * The server's Prometheus metrics with kube-apiserver's names, labels and buckets
 * (k8s.io/apiserver endpoints/metrics, storage/etcd3/metrics), in a registry of their own
 * so that several servers can share a process.
 */

import { type HistogramSeries, LeanCounter, LeanHistogram } from "@apiserver-kit/metrics";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { RequestInfo } from "../request/request-info.js";

export const COMPONENT = "apiserver";

const REQUEST_LABELS = [
  "verb",
  "dry_run",
  "group",
  "version",
  "resource",
  "subresource",
  "scope",
  "component",
] as const;
const RESOURCE_LABELS = ["verb", "group", "version", "resource", "subresource", "scope", "component"] as const;
type RequestLabel = (typeof REQUEST_LABELS)[number];
type ResourceLabel = (typeof RESOURCE_LABELS)[number];
export type RequestLabels = Record<RequestLabel, string>;

export interface ApiServerMetricsOptions {
  /** Default: a new registry. */
  registry?: Registry;
  /** Also export process_* and nodejs_* metrics (default true). */
  processMetrics?: boolean;
}

/** kube-apiserver's request kinds for inflight accounting. */
export type RequestKind = "readOnly" | "mutating";
const READ_ONLY_VERBS = new Set(["get", "list", "watch"]);

export class ApiServerMetrics {
  readonly registry: Registry;
  readonly requests: LeanCounter<RequestLabel | "code">;
  readonly requestDuration: LeanHistogram<RequestLabel>;
  readonly responseSizes: LeanHistogram<ResourceLabel>;
  readonly longRunning: Gauge<ResourceLabel>;
  readonly inflight: Gauge<"request_kind">;
  /** Objects stored per resource (`<plural>.<group>`), read from the watch caches at each scrape. */
  readonly storageObjects: Gauge<"resource">;
  /** Where `storageObjects` reads its counts (the server sets it): resource → count; a rejected count reports -1. */
  storedObjectCounts: () => Iterable<readonly [resource: string, count: number | Promise<number>]> = () => [];
  /** 1 for every deprecated version requested since start (kube-apiserver's; no removed_release here). */
  readonly requestedDeprecatedApis: Gauge<"group" | "version" | "resource" | "subresource" | "removed_release">;
  readonly watchEvents: LeanCounter<"group" | "version" | "kind">;
  readonly watchEventSizes: LeanHistogram<"group" | "version" | "kind">;
  readonly storageRequests: LeanCounter<"operation" | "type">;
  readonly storageErrors: LeanCounter<"operation" | "type">;
  readonly storageDuration: LeanHistogram<"operation" | "type">;
  private readonly current: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };
  private readonly highWater: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };

  constructor(options: ApiServerMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.requests = new LeanCounter(
      "apiserver_request_total",
      "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
      [...REQUEST_LABELS, "code"],
      this.registry,
    );
    this.requestDuration = new LeanHistogram(
      "apiserver_request_duration_seconds",
      "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
      REQUEST_LABELS,
      this.registry,
      [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
    );
    this.responseSizes = new LeanHistogram(
      "apiserver_response_sizes",
      "Response size distribution in bytes for each group, version, verb, resource, subresource, scope and component.",
      RESOURCE_LABELS,
      this.registry,
      [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9],
    );
    this.longRunning = new Gauge({
      name: "apiserver_longrunning_requests",
      help: "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.",
      labelNames: RESOURCE_LABELS,
      registers,
    });
    const metrics = this;
    this.inflight = new Gauge({
      name: "apiserver_current_inflight_requests",
      help: "Maximal number of currently used inflight request limit of this apiserver per request kind in last second.",
      labelNames: ["request_kind"],
      registers,
      // The high-water mark since the previous scrape, as Kubernetes reports a maximum rather than a sample.
      collect() {
        for (const kind of ["readOnly", "mutating"] as const) {
          this.set({ request_kind: kind }, metrics.highWater[kind]);
          metrics.highWater[kind] = metrics.current[kind];
        }
      },
    });
    this.storageObjects = new Gauge({
      name: "apiserver_storage_objects",
      help: "Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.",
      labelNames: ["resource"],
      registers,
      async collect() {
        const counts = [...metrics.storedObjectCounts()];
        const values = await Promise.all(counts.map(([, count]) => Promise.resolve(count).catch(() => -1)));
        this.reset();
        counts.forEach(([resource], i) => {
          this.set({ resource }, values[i] as number);
        });
      },
    });
    this.requestedDeprecatedApis = new Gauge({
      name: "apiserver_requested_deprecated_apis",
      help: "Gauge of deprecated APIs that have been requested.",
      labelNames: ["group", "version", "resource", "subresource", "removed_release"],
      registers,
    });
    this.watchEvents = new LeanCounter(
      "apiserver_watch_events_total",
      "Number of events sent in watch clients",
      ["group", "version", "kind"],
      this.registry,
    );
    this.watchEventSizes = new LeanHistogram(
      "apiserver_watch_events_sizes",
      "Watch event size distribution in bytes",
      ["group", "version", "kind"],
      this.registry,
      [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072],
    );
    this.storageRequests = new LeanCounter(
      "etcd_requests_total",
      "Storage request counts for each operation and object type (every storage backend, not only etcd).",
      ["operation", "type"],
      this.registry,
    );
    this.storageErrors = new LeanCounter(
      "etcd_request_errors_total",
      "Storage request error counts for each operation and object type.",
      ["operation", "type"],
      this.registry,
    );
    this.storageDuration = new LeanHistogram(
      "etcd_request_duration_seconds",
      "Storage request latency in seconds for each operation and object type.",
      ["operation", "type"],
      this.registry,
      [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
    );
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The series a request's labels and code land in, looked up once per label values:
   * building label objects and series keys per request showed in profiles.
   */
  private readonly requestSeries = new Map<string, RequestSeries>();
  /** The same for label objects shared across requests, by identity, then by dry run and code. */
  private readonly sharedSeries = new WeakMap<object, Map<string, RequestSeries>>();

  /** Records one finished request: count, latency and (for GET and LIST) response size. */
  observeRequest(
    labels: Omit<RequestLabels, "dry_run">,
    dryRun: string,
    code: number,
    seconds: number,
    responseBytes?: number,
  ): void {
    // Labels shared by every request of a path (frozen, see ApiServer's known GETs) find their
    // series by identity; others by a key of their values.
    const shared = Object.isFrozen(labels);
    let byOutcome = shared ? this.sharedSeries.get(labels) : undefined;
    const outcome = `${dryRun}|${code}`;
    const key = shared
      ? outcome
      : `${labels.verb}|${labels.group}|${labels.version}|${labels.resource}|${labels.subresource}|${labels.scope}|${labels.component}|${outcome}`;
    const generation = this.requests.generation + this.requestDuration.generation + this.responseSizes.generation;
    let series = (byOutcome ?? this.requestSeries).get(key);
    if (!series || series.generation !== generation) {
      const request = { ...labels, dry_run: dryRun };
      series = {
        generation,
        count: this.requests.seriesOf({ ...request, code: String(code) }),
        duration: this.requestDuration.seriesOf(request),
      };
      if (shared) {
        byOutcome ??= new Map();
        this.sharedSeries.set(labels, byOutcome);
        byOutcome.set(key, series);
      } else {
        if (this.requestSeries.size > 4096) this.requestSeries.clear();
        this.requestSeries.set(key, series);
      }
    }
    series.count.value++;
    this.requestDuration.record(series.duration, seconds);
    if (responseBytes !== undefined) {
      // Only GET and LIST have a size series: created on their first observation.
      series.size ??= this.responseSizes.seriesOf(labels);
      this.responseSizes.record(series.size, responseBytes);
    }
  }

  /** A request of this kind is now in flight (until {@link inflightDone}). */
  inflightStarted(kind: RequestKind): void {
    const now = ++this.current[kind];
    if (now > this.highWater[kind]) this.highWater[kind] = now;
  }

  inflightDone(kind: RequestKind): void {
    this.current[kind]--;
  }

  /** Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

interface RequestSeries {
  /** The sum of the three metrics' generations when looked up. */
  generation: number;
  count: { value: number };
  duration: HistogramSeries<RequestLabel>;
  size?: HistogramSeries<ResourceLabel>;
}

export function requestKind(info: Pick<RequestInfo, "verb">): RequestKind {
  return READ_ONLY_VERBS.has(info.verb) ? "readOnly" : "mutating";
}

/** Kubernetes' metrics scope: resource (named or a create), namespace, cluster, or "" off the API. */
export function metricScope(info: Pick<RequestInfo, "name" | "verb" | "namespace" | "isResourceRequest">): string {
  if (info.name !== "" || info.verb === "create") return "resource";
  if (info.namespace !== "") return "namespace";
  if (info.isResourceRequest) return "cluster";
  return "";
}

const REPORTED_VERBS = new Set([
  "APPLY",
  "CONNECT",
  "CREATE",
  "DELETE",
  "DELETECOLLECTION",
  "GET",
  "LIST",
  "PATCH",
  "POST",
  "PROXY",
  "PUT",
  "UPDATE",
  "WATCH",
]);

/**
 * The verb as kube-apiserver reports it in metrics: the HTTP method, with GET split into
 * GET/LIST by scope, WATCH for watches, APPLY for server-side apply (so a delete of a
 * collection is DELETE, a create POST).
 */
export function reportedVerb(method: string, info: RequestInfo, contentType: string | undefined): string {
  if (info.verb === "watch") return "WATCH";
  let verb = method.toUpperCase();
  if (verb === "GET" || verb === "HEAD") {
    const scope = metricScope(info);
    verb = scope !== "resource" && scope !== "" ? "LIST" : "GET";
  }
  if (verb === "PATCH" && (contentType ?? "").split(";")[0]?.trim() === "application/apply-patch+yaml") verb = "APPLY";
  return REPORTED_VERBS.has(verb) ? verb : "other";
}

/** dryRun values, de-duplicated and sorted, as the `dry_run` label carries them. */
export function dryRunLabel(query: URLSearchParams): string {
  const values = query.getAll("dryRun");
  if (values.length === 0) return "";
  if (values.some((v) => v !== "All")) return "invalid";
  return [...new Set(values)].sort().join(",");
}
