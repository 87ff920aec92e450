/**
 * The server: a TLS listener whose director sends API paths through the runtime's own
 * handler chain (request info → authenticate → authorize → route) and every other path
 * to the user's express app. Kubernetes splits the same way ("director" between the
 * REST container and a plain mux), and it keeps express's per-request cost off the API.
 * Around the chain: the request timeout, metrics and one log line per request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { AddressInfo } from "node:net";
import {
  type Storage,
  systemClock as systemTimers,
  type Clock as TimerClock,
  WatchCache,
  type WatchCacheOptions,
} from "@apiserver-kit/storage";
import { AdmissionChain, type AdmissionPlugin } from "../admission/admission.js";
import { admissionContext } from "../admission/listers.js";
import { StatusError } from "../api/errors.js";
import type { UserInfo } from "../api/meta.js";
import type { Auditor, RequestAudit } from "../audit/auditor.js";
import {
  hasImpersonationHeaders,
  impersonate,
  impersonationRequests,
  stripImpersonationHeaders,
} from "../auth/impersonation.js";
import { DEFAULT_REQUEST_HEADERS, stripIdentityHeaders } from "../auth/request-header.js";
import {
  AuthenticationError,
  type Authenticator,
  type AuthorizationAttributes,
  type AuthorizationResult,
  type Authorizer,
  anonymousUser,
  forbidden,
  isPromise,
} from "../auth/types.js";
import { Discovery } from "../discovery/discovery.js";
import { ResourceHandler, type ResourceHandlerOptions, SUPPORTED_PATCH_TYPES } from "../endpoints/resource-handler.js";
import { ApiModel, type ApiResource, type ResourceVersion } from "../model/api-model.js";
import type { ResourceDefinition } from "../model/resource.js";
import { createLogger, type Logger, logRequest } from "../observability/logging.js";
import { MeteredStorage } from "../observability/metered-storage.js";
import {
  ApiServerMetrics,
  COMPONENT,
  dryRunLabel,
  metricScope,
  type RequestKind,
  type RequestLabels,
  reportedVerb,
  requestKind,
} from "../observability/metrics.js";
import { meterWatchEvents } from "../observability/watch-meter.js";
import { OpenAPIService } from "../openapi/service.js";
import { type Clock, GenericStore, systemClock } from "../registry/generic-store.js";
import { parseRequestInfo, type RequestInfo } from "../request/request-info.js";
import { RequestDrain } from "./drain.js";
import { Http2Bridge, ignoreConnectionHeaders } from "./h2-bridge.js";
import { type HealthCheck, serveHealth } from "./health.js";
import {
  type HttpRequest,
  type HttpResponse,
  marshalIndent,
  type PreparedResponse,
  prepareBody,
  setWarnings,
  writeBody,
  writeError,
  writePrepared,
} from "./http.js";
import { InflightLimiter, type InflightLimits } from "./inflight.js";
import { SecureListener, type ServingOptions, type TLSConfig } from "./listener.js";
import { STORAGE_BACKUP_PATH, serveStorageBackup } from "./storage-backup.js";
import { DEFAULT_REQUEST_TIMEOUT_MS, RequestDeadlines } from "./timeout.js";
import { type BuildInfo, FRAMEWORK_VERSION, type VersionInfo, versionInfo } from "./version.js";

export type { ServingOptions, TLSConfig, VersionInfo, BuildInfo };
export { FRAMEWORK_VERSION };

/** Handles requests outside the API paths (an express app is one); always given HTTP/1.1 objects. */
export type NonApiHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ApiServerConfig {
  resources: readonly ResourceDefinition[];
  storage: Storage;
  tls: TLSConfig;
  authenticator: Authenticator;
  authorizer: Authorizer;
  /** Requests outside the API paths; default: 404. */
  nonApiHandler?: NonApiHandler;
  /** Paths (exact, or prefixes ending in "/*") that skip authorization. Default: health checks. */
  alwaysAllowPaths?: string[];
  /** The version of the project serving the API (shown by /version); `build` says more. */
  projectVersion?: string;
  build?: BuildInfo;
  clock?: Clock;
  handlerOptions?: ResourceHandlerOptions;
  /** Serve reads and watches from a per-resource watch cache (default true). */
  watchCache?: boolean;
  watchCacheOptions?: Omit<WatchCacheOptions, "prefix">;
  /** Admission plugins for every resource, run before each kind's own. */
  admission?: AdmissionPlugin[];
  /** Request log and errors. Default: a pino logger at "warn" (request lines are "info"). */
  logger?: Logger;
  /** Default: a fresh registry with process metrics. */
  metrics?: ApiServerMetrics;
  /** Non-long-running requests taking longer get 504 (Kubernetes' --request-timeout). Default 60 s. */
  requestTimeoutMs?: number;
  /** Timers for the request timeout (tests drive them). */
  timers?: TimerClock;
  serving?: ServingOptions;
  /** --max-requests-inflight and --max-mutating-requests-inflight; absent: no limits. */
  inflight?: InflightLimits;
  /** Writes audit events for requests the policy selects. */
  audit?: Auditor;
  /**
   * A garbage collector finalizes this server's objects (kube-apiserver's
   * --enable-garbage-collector): deletes asking for orphan or foreground propagation add the
   * `orphan` / `foregroundDeletion` finalizer for it to remove. Default true; false adds neither,
   * so that no object waits for a collector that never comes.
   */
  garbageCollection?: boolean;
  /**
   * Answer for the core group, which this server has no resources of: /api (APIVersions with
   * v1, or aggregated discovery with the group `""` at v1) and /api/v1 (no resources), as
   * kubectl finds them on a cluster. For a server that kubectl talks to directly (local mode):
   * client-go maps `kind: List` (the file `kubectl get -o yaml` writes for several objects,
   * what `kubectl edit` of several objects edits) only in a discovered core v1. Default false:
   * behind the aggregator /api is kube-apiserver's, and a generic apiserver answers it 404.
   */
  coreGroupDiscovery?: boolean;
}

/** How {@link ApiServer.shutdown} proceeds. */
export interface ShutdownOptions {
  /** How long the server keeps serving, not ready, before it stops accepting (--shutdown-delay-duration). */
  delayMs?: number;
  /** The longest wait for requests in progress. Default: the request timeout plus 5 s. */
  drainTimeoutMs?: number;
  /** The longest wait for watches to close once ended. Default 5 s. */
  watchTimeoutMs?: number;
}

const API_ROOTS = new Set([
  "apis",
  "api",
  "openapi",
  "version",
  "healthz",
  "livez",
  "readyz",
  "metrics",
  "swagger-2.0.0.pb-v1",
]);

function isApiPath(path: string): boolean {
  const second = path.indexOf("/", 1);
  const first = second < 0 ? path.slice(1) : path.slice(1, second);
  return API_ROOTS.has(first) || path === STORAGE_BACKUP_PATH;
}

/** What the chain learns about a request, for its metrics and log line. */
class RequestRecord {
  private parsedQuery?: URLSearchParams;

  constructor(
    readonly path: string,
    /** What follows the `?` of the URL, if anything does. */
    readonly rawQuery: string | undefined,
    readonly start: number,
  ) {}

  /** The query, parsed when first asked for (discovery never asks). */
  get query(): URLSearchParams {
    this.parsedQuery ??= new URLSearchParams(this.rawQuery);
    return this.parsedQuery;
  }

  info?: RequestInfo;
  user?: UserInfo;
  /** Set once the request reached something this server serves: only those are metered. */
  metered?: { resource?: ApiResource; version?: ResourceVersion };
  error?: StatusError;
  /** Counted as in flight (and given a deadline) until it finishes. */
  inflight?: RequestKind;
  /** Labels of a watch counted as long-running. */
  longRunning?: Omit<RequestLabels, "dry_run">;
  /** Gives back the request's in-flight slot. */
  releaseSlot?: () => void;
  audit?: RequestAudit;
  /** When the request arrived, on the auditor's clock. */
  receivedAt?: number;
  /**
   * Followed until its response closes (in-flight count, deadline, drain). Only requests
   * that outlive the handler's synchronous part need it; the others finish on the spot.
   */
  tracked?: boolean;
  /** Metric labels known before the request ran (the GET of a document built once). */
  labels?: Omit<RequestLabels, "dry_run">;
  /** The body's size when the response bypassed `setHeader` (so `getHeader` can't tell). */
  bytes?: number;
}

/** What is known in advance of a query-less GET (a discovery document, a path read recently): its request info and metric labels. */
interface StaticRequest {
  info: RequestInfo;
  labels: Omit<RequestLabels, "dry_run">;
}

/** Query-less GET paths remembered parsed, at most, and the longest path remembered. */
const MAX_RECENT_GETS = 1024;
const MAX_RECENT_PATH = 512;

const isHttp2 = (req: HttpRequest): req is Http2ServerRequest => req.httpVersionMajor === 2;

/**
 * An HTTP/2 request whose `socket` is its session's (one per connection) instead of the
 * per-stream proxy Node gives, so that authenticators caching per connection (the client
 * certificate one) verify a connection's certificate once, not on every stream.
 */
function withSessionSocket(req: Http2ServerRequest): Http2ServerRequest {
  const socket = req.stream.session?.socket;
  if (!socket) return req;
  return new Proxy(req, {
    get: (target, property) => (property === "socket" ? socket : Reflect.get(target, property, target)),
  });
}

export class ApiServer {
  readonly model: ApiModel;
  readonly discovery: Discovery;
  readonly openapi: OpenAPIService;
  readonly metrics: ApiServerMetrics;
  readonly logger: Logger;
  /** The storage the handlers use: the configured one, metered. */
  readonly storage: Storage;
  readonly healthChecks: HealthCheck[];
  readonly versionInfo: VersionInfo;
  /** /version's answer, written once: WriteRawJSON's indented JSON, whatever the request asks. */
  private readonly versionAnswer: PreparedResponse;
  private readonly handlers = new Map<ApiResource, ResourceHandler>();
  private readonly watchCaches: WatchCache[] = [];
  private readonly alwaysAllow: string[];
  private readonly timers: TimerClock;
  private readonly deadlines: RequestDeadlines;
  private listener?: SecureListener;
  private bridge?: Http2Bridge;
  private shuttingDown = false;
  /** The listener no longer accepts: HTTP/1.1 responses close their connection. */
  private draining = false;
  private readonly drain: RequestDrain;
  /** What the listener serves: the configured TLS, then its reloads. */
  private tls: TLSConfig;
  private readonly limiter?: InflightLimiter;
  /** GETs of the discovery documents, by path: parsed once, not per request. */
  private readonly staticRequests = new Map<string, StaticRequest>();
  /** Other query-less GETs (an object read again and again), by path: parsed once while recent. */
  private readonly recentGets = new Map<string, StaticRequest>();

  constructor(private readonly config: ApiServerConfig) {
    this.model = new ApiModel(config.resources);
    const clock = config.clock ?? systemClock;
    this.metrics = config.metrics ?? new ApiServerMetrics();
    this.logger = config.logger ?? createLogger({ level: "warn" });
    this.timers = config.timers ?? systemTimers;
    this.deadlines = new RequestDeadlines(config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, this.timers);
    this.storage = new MeteredStorage(config.storage, this.metrics);
    this.drain = new RequestDrain(this.timers);
    this.tls = { ...config.tls };
    if (config.inflight) this.limiter = new InflightLimiter(config.inflight);
    // A kind may keep its objects elsewhere (computed or external data); the others share the server's storage.
    // In front of each kind's storage sits a watch cache: lists, gets at "0"/N and every watch are served from memory.
    const stored: Array<{ resource: string; prefix: string; storage: Storage }> = [];
    const stores = new Map(
      this.model.resources.map((r) => {
        const backend = r.definition.rest?.storage ?? this.storage;
        let storage: Storage = backend;
        // A kind's own storage (computed, external) keeps its own mirror: no second cache in front of it.
        if (config.watchCache !== false && backend === this.storage) {
          const cache = new WatchCache(backend, { prefix: r.keyPrefix(), ...config.watchCacheOptions });
          this.watchCaches.push(cache);
          storage = cache;
        }
        if (backend === this.storage)
          stored.push({ resource: `${r.plural}.${r.group}`, prefix: r.keyPrefix(), storage });
        return [
          r,
          new GenericStore(r, storage, clock, { garbageCollection: config.garbageCollection !== false }),
        ] as const;
      }),
    );
    // apiserver_storage_objects, for the kinds kept in the server's storage: what the watch cache
    // holds, or the storage's count without one (or while the cache relists). Kinds with storage
    // of their own (computed, external) are not counted, as kube-apiserver counts only its registry.
    this.metrics.storedObjectCounts = () =>
      stored.map(({ resource, prefix, storage }) => {
        const held = storage instanceof WatchCache ? storage.objectCount() : undefined;
        return [resource, held ?? storage.count(prefix)] as const;
      });
    const listers = admissionContext(stores);
    for (const [resource, store] of stores) {
      const plugins = [...(config.admission ?? []), ...(resource.definition.admission ?? [])];
      this.handlers.set(
        resource,
        new ResourceHandler(store, config.handlerOptions, clock, new AdmissionChain(plugins, listers)),
      );
    }
    const verbsOf = (resource: ApiResource) => [...resource.verbs];
    this.discovery = new Discovery(this.model, verbsOf, { coreGroup: config.coreGroupDiscovery === true });
    const discoveryPaths = ["/apis"];
    if (this.discovery.servesCoreGroup) discoveryPaths.push("/api", "/api/v1");
    for (const [group, versions] of this.model.groups) {
      discoveryPaths.push(`/apis/${group}`, ...versions.map((version) => `/apis/${group}/${version}`));
    }
    for (const path of discoveryPaths) {
      // Frozen: shared by every request of the path, so nothing may change it.
      this.staticRequests.set(path, this.parsedGet(path));
    }
    this.openapi = new OpenAPIService(this.model, {
      patchTypes: SUPPORTED_PATCH_TYPES,
      verbsOf,
      now: () => this.timers.now(),
    });
    this.alwaysAllow = config.alwaysAllowPaths ?? [
      "/healthz",
      "/healthz/*",
      "/livez",
      "/livez/*",
      "/readyz",
      "/readyz/*",
    ];
    this.versionInfo = versionInfo({
      ...config.build,
      ...(config.projectVersion ? { version: config.projectVersion } : {}),
    });
    this.versionAnswer = prepareBody(200, "application/json", marshalIndent(this.versionInfo));
    this.healthChecks = [
      { name: "ping", check: () => undefined },
      {
        name: "storage",
        check: async () => {
          await config.storage.ping();
          return undefined;
        },
      },
    ];
  }

  /** True from {@link beginShutdown} on: /readyz fails so that load balancers drain this replica. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** The first step of a graceful shutdown: readiness fails while requests are still served. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** The request handler: the director. */
  readonly handle = (req: HttpRequest, res: HttpResponse): void => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const record =
      q < 0
        ? new RequestRecord(url, undefined, performance.now())
        : new RequestRecord(url.slice(0, q), url.slice(q + 1), performance.now());
    if (this.config.audit) record.receivedAt = this.config.audit.now();
    if (isHttp2(req)) ignoreConnectionHeaders(res as Http2ServerResponse);
    else if (this.draining) res.setHeader("Connection", "close");
    if (!isApiPath(record.path)) {
      this.track(req, res, record);
      this.serveNonApi(req, res);
      return;
    }
    // The chain runs synchronously as far as it can: cached credentials and decisions, and
    // documents served from memory (discovery, OpenAPI), finish here without a promise.
    let served: void | Promise<void>;
    try {
      served = this.handleApi(req, res, record);
    } catch (error) {
      record.error = writeError(res, error);
      served = undefined;
    }
    if (served) {
      this.track(req, res, record);
      served.catch((error: unknown) => {
        record.error = writeError(res, error);
      });
    } else if (res.writableEnded && !record.tracked) {
      this.finish(req, res, record);
    } else {
      this.track(req, res, record);
    }
  };

  /** Follows a request until its response closes: in-flight count, deadline, shutdown drain. Idempotent. */
  private track(req: HttpRequest, res: HttpResponse, record: RequestRecord): void {
    if (record.tracked) return;
    record.tracked = true;
    res.once("close", () => this.finish(req, res, record));
    this.drain.started(res);
    if (record.inflight) {
      this.metrics.inflightStarted(record.inflight);
      this.deadlines.track(res);
    }
  }

  private serveNonApi(req: HttpRequest, res: HttpResponse): void {
    // User routes skip authentication: identity headers a front proxy did not vouch for must not reach them.
    const { authenticator } = this.config;
    if (authenticator.sanitize) authenticator.sanitize(isHttp2(req) ? withSessionSocket(req) : req);
    else stripIdentityHeaders(req, DEFAULT_REQUEST_HEADERS);
    stripImpersonationHeaders(req);
    if (!this.config.nonApiHandler) {
      writeError(res, new StatusError(404, "NotFound", "the server could not find the requested resource", {}));
    } else if (isHttp2(req)) {
      this.bridge ??= new Http2Bridge(this.guardedNonApiHandler);
      this.bridge.forward(req, res as Http2ServerResponse);
    } else {
      this.guardedNonApiHandler(req as IncomingMessage, res as ServerResponse);
    }
  }

  /** The user's handler; a synchronous throw becomes a 500 and a log line, not a crashed process. */
  private readonly guardedNonApiHandler = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      this.config.nonApiHandler?.(req, res);
    } catch (error) {
      this.logger.error({ path: req.url?.split("?")[0], err: error }, "the non-API handler threw");
      if (!res.headersSent) writeError(res, StatusError.internal(error));
      else res.destroy();
    }
  };

  private isAlwaysAllowed(path: string): boolean {
    for (const p of this.alwaysAllow) {
      if (p.endsWith("/*") ? path.startsWith(p.slice(0, -1)) : path === p) return true;
    }
    return false;
  }

  /** A GET of `path` without a query, parsed and frozen: shared by every request of the path. */
  private parsedGet(path: string): StaticRequest {
    const info = parseRequestInfo("GET", path, new URLSearchParams());
    Object.freeze(info.parts);
    Object.freeze(info);
    // A GET's labels do not depend on its headers (only a PATCH's content type matters).
    const labels = Object.freeze(this.resourceLabels({ method: "GET", headers: {} } as HttpRequest, info));
    return { info, labels };
  }

  /** What is known of a GET in advance: discovery's documents, or a path read recently. */
  private knownGet(record: RequestRecord): StaticRequest | undefined {
    const known = this.staticRequests.get(record.path);
    if (known || record.rawQuery !== undefined || record.path.length > MAX_RECENT_PATH) return known;
    let recent = this.recentGets.get(record.path);
    if (!recent) {
      // Bounded: a client walking many names only costs a reparse.
      if (this.recentGets.size >= MAX_RECENT_GETS) this.recentGets.clear();
      recent = this.parsedGet(record.path);
      this.recentGets.set(record.path, recent);
    }
    return recent;
  }

  private handleApi(req: HttpRequest, res: HttpResponse, record: RequestRecord): void | Promise<void> {
    const known = req.method === "GET" ? this.knownGet(record) : undefined;
    const info = known ? known.info : parseRequestInfo(req.method ?? "GET", record.path, record.query);
    if (known) record.labels = known.labels;
    record.info = info;
    if (info.verb !== "watch") record.inflight = requestKind(info);
    const failed = (error: unknown): never => {
      if (error instanceof AuthenticationError) {
        this.auditFailedAuthentication(req, record, info);
        throw StatusError.unauthorized();
      }
      throw error;
    };
    let answer: Promise<UserInfo | null> | UserInfo | null;
    try {
      answer = this.config.authenticator.authenticate(isHttp2(req) ? withSessionSocket(req) : req);
    } catch (error) {
      return failed(error);
    }
    if (isPromise(answer)) return answer.then((user) => this.authorize(req, res, record, info, user), failed);
    return this.authorize(req, res, record, info, answer);
  }

  private authorize(
    req: HttpRequest,
    res: HttpResponse,
    record: RequestRecord,
    info: RequestInfo,
    authenticated: UserInfo | null,
  ): void | Promise<void> {
    let user = authenticated;
    if (user) {
      // Credentials are not needed past authentication; nothing after it (handlers, logs) gets to see them.
      delete req.headers.authorization;
    } else user = anonymousUser();
    record.user = user;
    if (this.config.audit) this.beginAudit(req, res, record, info, user);
    // Impersonation comes after the audit began (its policy sees who authenticated) and before
    // the limiter and authorization, which see who the request acts as.
    if (hasImpersonationHeaders(req)) {
      const requests = impersonationRequests(req);
      stripImpersonationHeaders(req);
      if (requests.length > 0) {
        const acting = impersonate(user, requests, this.config.authorizer, info.path);
        const actAs = (impersonated: UserInfo) => {
          record.user = impersonated;
          record.audit?.impersonated(impersonated);
          return this.authorizeAs(req, res, record, info, impersonated);
        };
        return isPromise(acting) ? acting.then(actAs) : actAs(acting);
      }
    }
    return this.authorizeAs(req, res, record, info, user);
  }

  private authorizeAs(
    req: HttpRequest,
    res: HttpResponse,
    record: RequestRecord,
    info: RequestInfo,
    user: UserInfo,
  ): void | Promise<void> {
    if (record.inflight && this.limiter) record.releaseSlot = this.limiter.acquire(info.verb, user);
    if (this.isAlwaysAllowed(record.path)) return this.serveAuthorized(req, res, info, record, user);
    const attributes: AuthorizationAttributes = {
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      namespace: info.namespace,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      name: info.name,
    };
    const decided = (result: AuthorizationResult): void | Promise<void> => {
      record.audit?.annotate("authorization.k8s.io/decision", result.decision === "allow" ? "allow" : "forbid");
      record.audit?.annotate("authorization.k8s.io/reason", result.reason ?? "");
      if (result.decision !== "allow") throw forbidden(attributes, result.reason);
      return this.serveAuthorized(req, res, info, record, attributes.user);
    };
    const result = this.config.authorizer.authorize(attributes);
    return isPromise(result) ? result.then(decided) : decided(result);
  }

  private serveAuthorized(
    req: HttpRequest,
    res: HttpResponse,
    info: RequestInfo,
    record: RequestRecord,
    user: UserInfo,
  ): void | Promise<void> {
    if (info.isResourceRequest) return this.serveResource(req, res, info, record, user);
    return this.serveNonResource(req, res, info, record);
  }

  private serveResource(
    req: HttpRequest,
    res: HttpResponse,
    info: RequestInfo,
    record: RequestRecord,
    user: UserInfo,
  ): void | Promise<void> {
    const found =
      info.apiPrefix === "apis" ? this.model.lookup(info.apiGroup, info.apiVersion, info.resource) : undefined;
    if (!found) throw this.notFound();
    record.metered = found;
    // Every request to a deprecated version says so, whatever its verb or outcome: in a
    // warning, an audit annotation and a gauge, as kube-apiserver does.
    const deprecation = found.version.deprecationWarning;
    if (deprecation !== undefined) {
      setWarnings(res, [deprecation]);
      record.audit?.annotate("k8s.io/deprecated", "true");
      this.metrics.requestedDeprecatedApis.set(
        {
          group: info.apiGroup,
          version: info.apiVersion,
          resource: info.resource,
          subresource: info.subresource,
          // As apiextensions-apiserver's handler passes it for CRD versions, which name no removal release.
          removed_release: "",
        },
        1,
      );
    }
    if (info.verb === "watch") {
      // Followed from here: the drain's long-running mark goes on top of its started entry.
      this.track(req, res, record);
      this.drain.longRunning(res);
      const labels = this.resourceLabels(req, info);
      this.metrics.longRunning.inc(labels);
      record.longRunning = labels;
      const kind = { group: found.resource.group, version: found.version.name, kind: found.resource.kind };
      meterWatchEvents(res, (bytes) => {
        this.metrics.watchEvents.inc(kind);
        this.metrics.watchEventSizes.observe(kind, bytes);
      });
    }
    const handler = this.handlers.get(found.resource) as ResourceHandler;
    return handler.handle({ req, res, info, query: record.query, user, version: found.version });
  }

  private serveNonResource(
    req: HttpRequest,
    res: HttpResponse,
    info: RequestInfo,
    record: RequestRecord,
  ): void | Promise<void> {
    const segments = record.path.split("/").filter(Boolean);
    const [root, second] = segments;
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") throw this.notFound();
    switch (root) {
      case "healthz":
      case "livez":
      case "readyz": {
        if (segments.length > 2) throw this.notFound();
        record.metered = {};
        const checks =
          root === "readyz"
            ? [
                ...this.healthChecks,
                // Readiness only (as kube-apiserver's informer-sync): a long first list must not fail liveness.
                {
                  name: "watch-cache",
                  check: () =>
                    this.watchCaches.every((c) => c.isReady()) ? undefined : "the watch cache is not synced yet",
                },
                { name: "shutdown", check: () => (this.shuttingDown ? "shutting down" : undefined) },
              ]
            : this.healthChecks;
        return serveHealth(res, root, checks, second ?? "", record.query);
      }
      case "version":
        if (segments.length !== 1) throw this.notFound();
        record.metered = {};
        return writePrepared(res, this.versionAnswer);
      case "debug":
        if (record.path !== STORAGE_BACKUP_PATH || method !== "GET") throw this.notFound();
        record.metered = {};
        // A backup streams for as long as the database takes to copy: no request timeout.
        this.track(req, res, record);
        this.deadlines.done(res);
        return serveStorageBackup(res, this.config.storage);
      case "metrics": {
        if (segments.length !== 1) throw this.notFound();
        record.metered = {};
        return this.metrics.exposition().then(({ contentType, body }) => writeBody(res, 200, contentType, body));
      }
      case "api":
        // Extension servers have no core group (client-go tolerates 404 here), unless this one
        // stands in for a cluster (coreGroupDiscovery): then the core group with no resources.
        if (segments.length > 2 || !this.discovery.has(info)) throw this.notFound();
        return this.serveDiscovery(req, res, info, record);
      case "apis":
        // /apis/<g>/<v>/watch and /proxy without more parse as non-resource requests: nothing here.
        if (segments.length > 3) throw this.notFound();
        return this.serveDiscovery(req, res, info, record);
      case "openapi":
        if (second === "v2" && segments.length === 2) {
          record.metered = {};
          return this.openapi.serveV2(req, res);
        }
        if (second === "v3") {
          record.metered = {};
          return this.openapi.serveV3(req, res, segments.slice(2), record.query);
        }
        throw this.notFound();
      case "swagger-2.0.0.pb-v1":
        if (segments.length !== 1) throw this.notFound();
        record.metered = {};
        return this.openapi.serveLegacyProtobuf(req, res);
      default:
        throw this.notFound();
    }
  }

  /** /apis, /apis/<g>, /apis/<g>/<v>, and /api, /api/v1 when served. */
  private serveDiscovery(req: HttpRequest, res: HttpResponse, info: RequestInfo, record: RequestRecord): void {
    if (this.discovery.has(info)) record.metered = {};
    if (record.labels && !this.config.audit) {
      // Nobody reads this response's headers back (no audit): one writeHead instead of a setHeader each.
      const answer = this.discovery.answer(req, info);
      record.bytes = Number(answer.headers["Content-Length"] ?? 0);
      writePrepared(res, answer, true);
      return;
    }
    this.discovery.serve(req, res, info);
  }

  private notFound(): StatusError {
    return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
  }

  private resourceLabels(req: HttpRequest, info: RequestInfo): Omit<RequestLabels, "dry_run"> {
    const resource = info.isResourceRequest;
    return {
      verb: reportedVerb(req.method ?? "GET", info, req.headers["content-type"]),
      group: resource ? info.apiGroup : "",
      version: resource ? info.apiVersion : "",
      resource: resource ? info.resource : "",
      subresource: resource ? info.subresource : info.path,
      scope: metricScope(info),
      component: COMPONENT,
    };
  }

  /** Starts the request's audit (after authentication, as Kubernetes' audit filter). */
  private beginAudit(req: HttpRequest, res: HttpResponse, record: RequestRecord, info: RequestInfo, user?: UserInfo) {
    const audit = this.config.audit?.begin({
      req,
      requestURI: req.url ?? record.path,
      attributes: { ...info, ...(user ? { user } : {}) },
      receivedAt: record.receivedAt ?? 0,
    });
    if (!audit) return;
    record.audit = audit;
    if (this.config.audit && !req.headers["audit-id"]) res.setHeader("Audit-Id", audit.auditID);
    audit.captureRequest(req);
    if (info.verb === "watch") audit.watchResponseStart(res);
    else audit.captureResponse(res);
  }

  /** A refused credential is audited too (without a user), as Kubernetes' failed-authentication audit. */
  private auditFailedAuthentication(req: HttpRequest, record: RequestRecord, info: RequestInfo): void {
    const audit = this.config.audit?.begin(
      {
        req,
        requestURI: req.url ?? record.path,
        attributes: info,
        receivedAt: record.receivedAt ?? 0,
      },
      { failedAuthentication: true },
    );
    if (audit) record.audit = audit;
  }

  /** When the response is done (or the client went away): metrics and the log line. */
  private finish(req: HttpRequest, res: HttpResponse, record: RequestRecord): void {
    if (record.tracked) {
      this.drain.finished(res);
      if (record.inflight) {
        this.metrics.inflightDone(record.inflight);
        this.deadlines.done(res);
      }
    } else if (record.inflight) {
      // Finished within the handler: in flight for that moment, as the high-water mark should show.
      this.metrics.inflightStarted(record.inflight);
      this.metrics.inflightDone(record.inflight);
    }
    record.releaseSlot?.();
    record.audit?.complete(res, res.statusCode, record.error?.status);
    if (record.longRunning) this.metrics.longRunning.dec(record.longRunning);
    const seconds = (performance.now() - record.start) / 1000;
    const code = res.statusCode;
    const info = record.info;
    if (info && record.metered) {
      const labels = record.labels ?? this.resourceLabels(req, info);
      const size =
        labels.verb === "GET" || labels.verb === "LIST"
          ? (record.bytes ?? Number(res.getHeader("content-length") ?? 0))
          : undefined;
      const dryRun = record.rawQuery === undefined ? "" : dryRunLabel(record.query);
      this.metrics.observeRequest(labels, dryRun, code, seconds, size);
    }
    // Building the line costs more than the check: skip it when the level is off.
    if (!this.logger.isLevelEnabled(code >= 500 ? "error" : "info")) return;
    logRequest(this.logger, {
      verb: info?.verb ?? (req.method ?? "GET").toLowerCase(),
      path: record.path,
      ...(info?.isResourceRequest
        ? {
            group: info.apiGroup,
            version: info.apiVersion,
            resource: info.resource,
            subresource: info.subresource,
            namespace: info.namespace,
            name: info.name,
          }
        : {}),
      ...(record.user ? { user: record.user.name } : {}),
      ...(typeof req.headers["user-agent"] === "string" ? { userAgent: req.headers["user-agent"] } : {}),
      protocol: `HTTP/${req.httpVersion}`,
      code,
      latencyMs: Math.round(seconds * 1e6) / 1e3,
      ...(record.error ? { reason: record.error.reason } : {}),
    });
  }

  /** Starts listening on `port` (0: a free port) and `host`. */
  async listen(port = 0, host = "127.0.0.1"): Promise<AddressInfo> {
    this.listener = new SecureListener(this.tls, this.handle, this.config.serving);
    return this.listener.listen(port, host);
  }

  /** New serving certificate or client CAs for connections from now on (files reloaded, the ConfigMap changed). */
  updateTLS(tls: Partial<TLSConfig>): void {
    this.tls = { ...this.tls, ...tls };
    this.listener?.updateTLS(this.tls);
  }

  /** Requests in progress and open watches, as a shutdown sees them. */
  get pending(): { requests: number; watches: number } {
    return { requests: this.drain.inFlight, watches: this.drain.openWatches };
  }

  /**
   * The graceful shutdown of k8s.io/apiserver: readiness fails at once while everything is
   * still served for `delayMs` (load balancers and the aggregator notice); then no new
   * connections; requests in progress finish; watches are ended cleanly; then the rest
   * closes. Resolves once closed.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.beginShutdown();
    const delayMs = options.delayMs ?? 0;
    if (delayMs > 0) await new Promise<void>((resolve) => this.timers.setTimeout(resolve, delayMs));
    this.draining = true;
    this.listener?.stopAccepting();
    const drainTimeout = options.drainTimeoutMs ?? (this.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) + 5000;
    if (!(await this.drain.waitForRequests(drainTimeout))) {
      this.logger.warn({ requests: this.drain.inFlight }, "requests still in progress at the end of the shutdown");
    }
    if (!(await this.drain.endWatches(options.watchTimeoutMs ?? 5000))) {
      this.logger.warn({ watches: this.drain.openWatches }, "watches still open at the end of the shutdown");
    }
    await this.close();
  }

  /** Stops accepting connections and closes the open ones; readiness fails first. */
  async close(): Promise<void> {
    this.beginShutdown();
    this.deadlines.stop();
    this.bridge?.close();
    await this.listener?.close();
    await Promise.all(this.watchCaches.map((c) => c.close()));
  }
}
