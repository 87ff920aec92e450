/**
 * Audit events as kube-apiserver writes them (k8s.io/apiserver pkg/audit, filters/audit.go):
 * after authentication the policy picks a level; at Metadata and above an
 * `audit.k8s.io/v1` Event is written at RequestReceived and at ResponseComplete (and
 * ResponseStarted for watches), Request adds the request's object and RequestResponse the
 * response's. Headers are never written: no token, Authorization header or certificate
 * can reach the log.
 */
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { parse as parseYAML } from "yaml";
import type { Status, UserInfo } from "../api/meta.js";
import type { HttpRequest, HttpResponse } from "../server/http.js";
import type { AuditBackend } from "./log-backend.js";
import {
  type AuditAttributes,
  type AuditLevel,
  type AuditPolicy,
  AuditPolicyEvaluator,
  type AuditStage,
  type RequestAuditConfig,
} from "./policy.js";

export interface AuditObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  subresource?: string;
}

export interface AuditUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditEvent {
  kind: "Event";
  apiVersion: "audit.k8s.io/v1";
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: AuditUser;
  /** Who the request acted as, when it impersonated someone (stages after RequestReceived). */
  impersonatedUser?: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: AuditObjectReference;
  responseStatus?: Partial<Omit<Status, "kind" | "apiVersion">> & { metadata: Record<string, never> };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

export interface AuditorOptions {
  policy: AuditPolicy;
  backend: AuditBackend;
  /** Milliseconds (fractions give microseconds). Default: performance's clock. */
  now?: () => number;
  /** Warnings, e.g. an event that could not be written. */
  log?: (line: string) => void;
}

/** What the auditor needs to know about a request once it is authenticated. */
export interface AuditRequestInput {
  req: HttpRequest;
  /** The path with its query, as received. */
  requestURI: string;
  attributes: AuditAttributes & { apiVersion: string };
  /** When the request arrived (the same clock as `now`). */
  receivedAt: number;
}

const MAX_CAPTURE_BYTES = 10 * 1024 * 1024;
const MAX_USER_AGENT = 1024;

/** RFC 3339 with microseconds, as Go's metav1.MicroTime. */
export function microTime(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.min(999, Math.round((ms - whole) * 1000));
  return `${new Date(whole).toISOString().slice(0, 23)}${String(micros).padStart(3, "0")}Z`;
}

const LEVEL_ORDER: Record<AuditLevel, number> = { None: 0, Metadata: 1, Request: 2, RequestResponse: 3 };

/** X-Forwarded-For, X-Real-Ip, then the peer: k8s.io/apimachinery's SourceIPs. */
export function sourceIPs(req: HttpRequest): string[] {
  const ips: string[] = [];
  const clean = (text: string) => {
    const ip = text.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
    return isIP(ip) ? ip : undefined;
  };
  const forwarded = req.headers["x-forwarded-for"];
  if (typeof forwarded === "string") {
    for (const part of forwarded.split(",")) {
      const ip = clean(part);
      if (ip) ips.push(ip);
    }
  }
  const real = req.headers["x-real-ip"];
  const realIP = typeof real === "string" ? clean(real) : undefined;
  if (realIP && !ips.includes(realIP)) ips.push(realIP);
  const remote = clean(req.socket?.remoteAddress ?? "");
  if (remote && ips[ips.length - 1] !== remote) ips.push(remote);
  return ips;
}

function withoutManagedFields(value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const strip = (o: Record<string, unknown>) => {
    const meta = o.metadata as Record<string, unknown> | undefined;
    if (!meta || !("managedFields" in meta)) return o;
    const { managedFields: _, ...rest } = meta;
    return { ...o, metadata: rest };
  };
  const stripped = strip(object);
  if (Array.isArray(stripped.items)) {
    return {
      ...stripped,
      items: stripped.items.map((i) => (i && typeof i === "object" ? strip(i as Record<string, unknown>) : i)),
    };
  }
  return stripped;
}

/** A body as the event's object: JSON as is, YAML (apply patches) converted; anything else left out. */
function decodeBody(chunks: Buffer[], contentType: string | undefined): unknown {
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    if (contentType?.includes("yaml")) return parseYAML(text);
    if (!contentType || contentType.includes("json")) return JSON.parse(text);
  } catch {}
  return undefined;
}

export class Auditor {
  private readonly evaluator: AuditPolicyEvaluator;
  readonly now: () => number;

  constructor(private readonly options: AuditorOptions) {
    this.evaluator = new AuditPolicyEvaluator(options.policy);
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
  }

  /** The level and stages for a request, by the policy. */
  evaluate(attributes: AuditAttributes): RequestAuditConfig {
    return this.evaluator.evaluate(attributes);
  }

  /**
   * Starts auditing a request (writes RequestReceived); undefined when its level is None.
   * A request whose credentials were refused has no user and one event, at its end, whose
   * status names the credentials tried (Kubernetes' failed-authentication audit).
   */
  begin(input: AuditRequestInput, options: { failedAuthentication?: boolean } = {}): RequestAudit | undefined {
    const config = this.evaluate(input.attributes);
    if (config.level === "None") return undefined;
    const audit = new RequestAudit(this, config, input);
    if (options.failedAuthentication) audit.failedAuthentication();
    else audit.emit("RequestReceived");
    return audit;
  }

  /** One event to the backend; a failing backend is logged, never fails the request. */
  write(event: AuditEvent): void {
    try {
      this.options.backend.write(`${JSON.stringify(event)}\n`);
    } catch (error) {
      this.options.log?.(`audit event ${event.auditID} not written: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.options.backend.close();
  }
}

export class RequestAudit {
  readonly auditID: string;
  private readonly base: Omit<AuditEvent, "stage" | "stageTimestamp">;
  private readonly annotations: Record<string, string> = {};
  private requestChunks?: Buffer[];
  private responseChunks?: Buffer[];
  private captured = 0;
  private completed = false;
  private statusMessage?: string;

  constructor(
    private readonly auditor: Auditor,
    readonly config: RequestAuditConfig,
    private readonly input: AuditRequestInput,
  ) {
    const { req, attributes } = input;
    const header = req.headers["audit-id"];
    this.auditID = typeof header === "string" && header !== "" && !/\s/.test(header) ? header : randomUUID();
    const { user } = attributes;
    const agent = req.headers["user-agent"];
    this.base = {
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: config.level,
      auditID: this.auditID,
      requestURI: input.requestURI,
      verb: attributes.verb,
      user: user ? auditUser(user) : {},
      sourceIPs: sourceIPs(req),
      ...(typeof agent === "string"
        ? { userAgent: agent.length > MAX_USER_AGENT ? `${agent.slice(0, MAX_USER_AGENT)}...TRUNCATED` : agent }
        : {}),
      ...(attributes.isResourceRequest ? { objectRef: objectRef(attributes) } : {}),
      requestReceivedTimestamp: microTime(input.receivedAt),
    };
  }

  get level(): AuditLevel {
    return this.config.level;
  }

  /** The request's credentials were refused: its ResponseComplete says which kinds were tried. */
  failedAuthentication(): void {
    const { req } = this.input;
    const tried: string[] = [];
    const authorization = req.headers.authorization;
    if (typeof authorization === "string") {
      const scheme = authorization.trim().split(" ")[0]?.toLowerCase();
      if (scheme === "basic") tried.push("basic");
      if (scheme === "bearer") tried.push("bearer");
    }
    if (peerHasCertificate(req)) tried.push("x509");
    this.statusMessage = tried.length
      ? `Authentication failed, attempted: ${tried.join(", ")}`
      : "Authentication failed, no credentials provided";
  }

  /** The request acts as `user` from now on (impersonation): later stages name them. */
  impersonated(user: UserInfo): void {
    this.base.impersonatedUser = auditUser(user);
  }

  annotate(key: string, value: string): void {
    this.annotations[key] = value;
  }

  /** Keeps the request body as it is read (Request level and above). */
  captureRequest(req: HttpRequest): void {
    if (LEVEL_ORDER[this.level] < LEVEL_ORDER.Request) return;
    const chunks: Buffer[] = [];
    this.requestChunks = chunks;
    // Tapping `emit` sees exactly the bytes the handler reads, without taking the stream over.
    const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
    (req as { emit: typeof emit }).emit = (event, ...args) => {
      if (event === "data") this.keep(chunks, args[0]);
      return emit(event, ...args);
    };
  }

  /** Keeps the response body as it is written (RequestResponse level; not for watches). */
  captureResponse(res: HttpResponse): void {
    if (this.level !== "RequestResponse") return;
    const chunks: Buffer[] = [];
    this.responseChunks = chunks;
    const target = res as unknown as { write: (...a: unknown[]) => boolean; end: (...a: unknown[]) => unknown };
    const write = target.write.bind(res);
    const end = target.end.bind(res);
    target.write = (chunk, ...rest) => {
      this.keep(chunks, chunk);
      return write(chunk, ...rest);
    };
    target.end = (chunk, ...rest) => {
      if (chunk !== undefined && typeof chunk !== "function") this.keep(chunks, chunk);
      return end(chunk, ...rest);
    };
  }

  /** Writes ResponseStarted once the response's headers go out (watches). */
  watchResponseStart(res: HttpResponse): void {
    const target = res as unknown as Record<string, (...a: unknown[]) => unknown>;
    let started = false;
    const wrap = (method: string) => {
      const original = target[method];
      if (typeof original !== "function") return;
      const bound = original.bind(res);
      target[method] = (...args: unknown[]) => {
        if (!started) {
          started = true;
          this.emit("ResponseStarted", { code: 200 });
        }
        return bound(...args);
      };
    };
    wrap("flushHeaders");
    wrap("writeHead");
  }

  /** Writes ResponseComplete with the response's code and, for errors, its Status. */
  complete(res: HttpResponse, code: number, status?: Status): void {
    if (this.completed) return;
    this.completed = true;
    const responseStatus: AuditEvent["responseStatus"] = status
      ? {
          metadata: {},
          ...(status.status ? { status: status.status } : {}),
          ...(this.statusMessage || status.message ? { message: this.statusMessage ?? status.message } : {}),
          ...(status.reason ? { reason: status.reason } : {}),
          ...(status.details ? { details: status.details } : {}),
          code,
        }
      : { metadata: {}, code };
    const extra: Partial<AuditEvent> = { responseStatus };
    if (this.requestChunks) {
      const object = decodeBody(this.requestChunks, headerText(this.input.req.headers["content-type"]));
      if (object !== undefined)
        extra.requestObject = this.config.omitManagedFields ? withoutManagedFields(object) : object;
    }
    if (this.responseChunks) {
      const object = decodeBody(this.responseChunks, headerText(res.getHeader("content-type")));
      if (object !== undefined)
        extra.responseObject = this.config.omitManagedFields ? withoutManagedFields(object) : object;
    }
    this.emit("ResponseComplete", undefined, extra);
  }

  emit(stage: AuditStage, started?: { code: number }, extra: Partial<AuditEvent> = {}): void {
    if (this.config.omitStages.includes(stage)) return;
    const event: AuditEvent = {
      ...this.base,
      stage,
      ...(started ? { responseStatus: { metadata: {}, code: started.code } } : {}),
      ...extra,
      requestReceivedTimestamp: this.base.requestReceivedTimestamp,
      stageTimestamp: microTime(this.auditor.now()),
      ...(stage !== "RequestReceived" && Object.keys(this.annotations).length
        ? { annotations: { ...this.annotations } }
        : {}),
    };
    this.auditor.write(reorder(event));
  }

  private keep(chunks: Buffer[], chunk: unknown): void {
    if (this.captured > MAX_CAPTURE_BYTES) return;
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : undefined;
    if (!buffer) return;
    this.captured += buffer.length;
    // A body too big to keep is left out of the event rather than cut.
    if (this.captured > MAX_CAPTURE_BYTES) chunks.length = 0;
    else chunks.push(buffer);
  }
}

function peerHasCertificate(req: HttpRequest): boolean {
  const socket = req.socket as { getPeerCertificate?: () => { raw?: Buffer } };
  return typeof socket.getPeerCertificate === "function" && Boolean(socket.getPeerCertificate()?.raw);
}

const headerText = (value: unknown): string | undefined =>
  typeof value === "string" ? value : Array.isArray(value) ? String(value[0]) : undefined;

function auditUser(user: UserInfo): AuditUser {
  return {
    username: user.name,
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.groups.length ? { groups: [...user.groups] } : {}),
    ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}),
  };
}

function objectRef(a: AuditAttributes & { apiVersion: string }): AuditObjectReference {
  const ref: AuditObjectReference = {};
  if (a.resource) ref.resource = a.resource;
  if (a.namespace) ref.namespace = a.namespace;
  if (a.name) ref.name = a.name;
  if (a.apiGroup) ref.apiGroup = a.apiGroup;
  if (a.apiVersion) ref.apiVersion = a.apiVersion;
  if (a.subresource) ref.subresource = a.subresource;
  return ref;
}

/** Fields in the order Go's audit.Event declares them, so lines read like kube-apiserver's. */
function reorder(e: AuditEvent): AuditEvent {
  const order: Array<keyof AuditEvent> = [
    "kind",
    "apiVersion",
    "level",
    "auditID",
    "stage",
    "requestURI",
    "verb",
    "user",
    "impersonatedUser",
    "sourceIPs",
    "userAgent",
    "objectRef",
    "responseStatus",
    "requestObject",
    "responseObject",
    "requestReceivedTimestamp",
    "stageTimestamp",
    "annotations",
  ];
  const out: Record<string, unknown> = {};
  for (const key of order) if (e[key] !== undefined) out[key] = e[key];
  return out as unknown as AuditEvent;
}
