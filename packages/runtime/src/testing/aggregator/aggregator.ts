/**
 * The parts of kube-aggregator (k8s.io/kube-aggregator) an extension server meets, rebuilt
 * from its source for tests:
 * - the availability controller (controllers/status/remote): 5 parallel
 *   `GET /apis/<g>/<v>` with the proxy client certificate and
 *   `X-Remote-User: system:kube-aggregator`, `X-Remote-Group: system:masters`, serving
 *   certificate not checked, 5 s client timeout; any 2xx passes, else
 *   Available=False/FailedDiscoveryCheck with Go's message;
 * - the proxy (apiserver/handler_proxy.go): 503 "service unavailable" while not Available;
 *   otherwise the request goes to the Service with the front-proxy client certificate, the
 *   serving certificate checked against the APIService's caBundle for
 *   `<service>.<namespace>.svc`, the client's credentials and X-Remote-* headers removed and
 *   the authenticated user's set; a transport error is a 503 with the error's text;
 * - the aggregated discovery fetch (v2 `GET /apis` with If-None-Match, 5 s) and the OpenAPI
 *   v2/v3 downloads.
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import type { KubeObject, UserInfo } from "../../api/meta.js";
import type { CertKeyPair } from "../../certs/x509.js";
import { APISERVICES, type ClusterObjects } from "./cluster-objects.js";

export const AGGREGATOR_USER: UserInfo = { name: "system:kube-aggregator", groups: ["system:masters"] };

/** A Service as the aggregator resolves it: its ports, each to a loopback port here. */
export interface TestService {
  namespace: string;
  name: string;
  /** Service port → the port on 127.0.0.1 that serves it. */
  ports: Record<number, number>;
}

export interface APIServiceSpec {
  group: string;
  version: string;
  service?: { namespace: string; name: string; port?: number };
  /** Base64 PEM of the CA that signed the server's serving certificate. */
  caBundle?: string;
  insecureSkipTLSVerify?: boolean;
  groupPriorityMinimum?: number;
  versionPriority?: number;
}

export interface APIServiceCondition {
  type: "Available";
  status: "True" | "False" | "Unknown";
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface APIService extends KubeObject {
  spec: APIServiceSpec;
  status?: { conditions?: APIServiceCondition[] };
}

export const AGGREGATED_DISCOVERY_ACCEPT =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

/** The outcome of one aggregated-discovery fetch. */
export interface DiscoveryFetch {
  /** Fetched: a v2 document; NotModified: 304 for the stored ETag; Legacy: fell back to /apis/<g>/<v>. */
  outcome: "Fetched" | "NotModified" | "Legacy" | "Failed";
  status: number;
  durationMs: number;
  etag?: string;
  /** The v2 document (APIGroupDiscoveryList), or the legacy APIResourceList. */
  document?: Record<string, unknown>;
  error?: string;
}

export interface OpenAPIDownload {
  v2?: { etag?: string; document: Record<string, unknown> };
  /** By path, e.g. `apis/wardle.example.com/v1alpha1`. */
  v3: Record<string, { hash: string; document: Record<string, unknown> }>;
}

interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
]);

/** What the aggregator never forwards: the client's own credentials and identity claims. */
function forwardable(name: string): boolean {
  const n = name.toLowerCase();
  return !(
    HOP_BY_HOP.has(n) ||
    n === "authorization" ||
    n.startsWith("impersonate-") ||
    n === "x-remote-user" ||
    n === "x-remote-uid" ||
    n === "x-remote-group" ||
    n.startsWith("x-remote-extra-")
  );
}

/** client-go's SetAuthProxyHeaders: the user as X-Remote-* headers, extra keys %-escaped. */
export function authProxyHeaders(user: UserInfo): Array<[string, string]> {
  const headers: Array<[string, string]> = [["X-Remote-User", user.name]];
  for (const group of user.groups) headers.push(["X-Remote-Group", group]);
  for (const [key, values] of Object.entries(user.extra ?? {})) {
    for (const value of values) headers.push([`X-Remote-Extra-${encodeURIComponent(key)}`, value]);
  }
  return headers;
}

const nowTime = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export class Aggregator {
  readonly services = new Map<string, TestService>();
  private readonly discovery = new Map<string, DiscoveryFetch>();
  private readonly openapi = new Map<string, OpenAPIDownload>();
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly objects: ClusterObjects,
    private frontProxyClient: CertKeyPair,
  ) {}

  /** The aggregator's proxy client certificate changed (a rotated front-proxy CA). */
  setProxyClientCertificate(pair: CertKeyPair): void {
    this.frontProxyClient = pair;
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  registerService(service: TestService): void {
    this.services.set(`${service.namespace}/${service.name}`, service);
  }

  apiServices(): APIService[] {
    return this.objects.list(APISERVICES) as APIService[];
  }

  /** The APIService serving a group version, if one is registered. */
  forGroupVersion(group: string, version: string): APIService | undefined {
    return this.apiServices().find((a) => a.spec.group === group && a.spec.version === version);
  }

  isAvailable(apiService: APIService): boolean {
    return apiService.status?.conditions?.some((c) => c.type === "Available" && c.status === "True") ?? false;
  }

  /** Where a Service's port is served here, or why it can't be reached. */
  private resolve(apiService: APIService): { url: string } | { reason: string; message: string } {
    const ref = apiService.spec.service;
    if (!ref) return { url: "" };
    const service = this.services.get(`${ref.namespace}/${ref.name}`);
    if (!service) {
      return {
        reason: "ServiceNotFound",
        message: `service/${ref.name} in ${JSON.stringify(ref.namespace)} is not present`,
      };
    }
    const port = service.ports[ref.port ?? 443];
    if (port === undefined) {
      return {
        reason: "ServicePortError",
        message: `service/${ref.name} in ${JSON.stringify(ref.namespace)} is not listening on port ${ref.port ?? 443}`,
      };
    }
    return { url: `https://127.0.0.1:${port}` };
  }

  /** Runs the availability check of one APIService now and records its Available condition. */
  async checkAvailability(name: string): Promise<APIServiceCondition> {
    const apiService = this.objects.mustGet(APISERVICES, "", name) as APIService;
    let condition: Omit<APIServiceCondition, "type" | "lastTransitionTime">;
    const target = this.resolve(apiService);
    if (!apiService.spec.service) {
      condition = { status: "True", reason: "Local", message: "Local APIServices are always available" };
    } else if ("reason" in target) {
      condition = { status: "False", ...target };
    } else {
      const discoveryURL = `${target.url}/apis/${apiService.spec.group}/${apiService.spec.version}`;
      const failure = await this.probe(discoveryURL);
      condition =
        failure === undefined
          ? { status: "True", reason: "Passed", message: "all checks passed" }
          : { status: "False", reason: "FailedDiscoveryCheck", message: failure };
    }
    const old = apiService.status?.conditions?.find((c) => c.type === "Available");
    // Fields in Go's order; the transition time moves only when the status does (SetAPIServiceCondition).
    const next: APIServiceCondition = {
      type: "Available",
      status: condition.status,
      lastTransitionTime: old && old.status === condition.status ? old.lastTransitionTime : nowTime(),
      reason: condition.reason,
      message: condition.message,
    };
    if (!old || old.status !== next.status || old.reason !== next.reason || old.message !== next.message) {
      const current = this.objects.mustGet(APISERVICES, "", name) as APIService;
      current.status = {
        conditions: [...(current.status?.conditions ?? []).filter((c) => c.type !== "Available"), next],
      };
      this.objects.update(APISERVICES, "", name, current, "status");
    }
    if (next.status === "True" && apiService.spec.service) await this.downloadOpenAPI(name).catch(() => undefined);
    return next;
  }

  /** Five parallel GETs; undefined when any passed, else the last failure's message (Go's wording). */
  private async probe(discoveryURL: string): Promise<string | undefined> {
    const attempt = async (): Promise<string | undefined> => {
      try {
        const answer = await this.send(discoveryURL, {
          identity: AGGREGATOR_USER,
          verifyServer: false,
          timeoutMs: 5000,
        });
        if (answer.status < 200 || answer.status >= 300) {
          return `failing or missing response from ${discoveryURL}: bad status from ${discoveryURL}: ${answer.status}`;
        }
        return undefined;
      } catch (error) {
        return `failing or missing response from ${discoveryURL}: Get ${JSON.stringify(discoveryURL)}: ${(error as Error).message}`;
      }
    };
    const results = await Promise.all([attempt(), attempt(), attempt(), attempt(), attempt()]);
    if (results.some((r) => r === undefined)) return undefined;
    return results[results.length - 1];
  }

  /** A request to an APIService's Service as the aggregator makes it. */
  private send(
    url: string,
    options: {
      identity: UserInfo;
      verifyServer: boolean | APIService;
      timeoutMs?: number;
      headers?: Record<string, string>;
    },
  ): Promise<HttpAnswer> {
    const tls = this.tlsFor(options.verifyServer);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method: "GET", ...tls, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on("error", reject);
      });
      for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value);
      const identity = authProxyHeaders(options.identity);
      for (const name of new Set(identity.map(([n]) => n))) {
        req.setHeader(
          name,
          identity.filter(([n]) => n === name).map(([, v]) => v),
        );
      }
      const timer = setTimeout(
        () => req.destroy(new Error("net/http: request canceled (Client.Timeout exceeded while awaiting headers)")),
        options.timeoutMs ?? 30_000,
      );
      req.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end();
    });
  }

  /** TLS options toward a Service: the proxy client certificate, and the caBundle check unless skipped. */
  private tlsFor(verify: boolean | APIService) {
    const client = { cert: this.frontProxyClient.cert, key: this.frontProxyClient.key };
    if (verify === false) return { ...client, rejectUnauthorized: false };
    const apiService = verify as APIService;
    if (apiService.spec.insecureSkipTLSVerify) return { ...client, rejectUnauthorized: false };
    const ref = apiService.spec.service;
    return {
      ...client,
      rejectUnauthorized: true,
      ca: apiService.spec.caBundle ? Buffer.from(apiService.spec.caBundle, "base64").toString("utf8") : "",
      // The certificate must name the Service's DNS name, whatever address it is reached at.
      servername: ref ? `${ref.name}.${ref.namespace}.svc` : "localhost",
    };
  }

  private agentFor(apiService: APIService): Agent {
    const key = `${apiService.metadata?.name}/${apiService.metadata?.resourceVersion}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({ keepAlive: true, ...this.tlsFor(apiService) });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Forwards a client's request (already authenticated as `user`) to the APIService, as handler_proxy does. */
  proxy(req: IncomingMessage, res: ServerResponse, apiService: APIService, user: UserInfo): void {
    const plain = (code: number, text: string) => {
      res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
      res.end(`${text}\n`);
    };
    const target = this.resolve(apiService);
    if (!this.isAvailable(apiService) || "reason" in target) {
      plain(503, "service unavailable");
      return;
    }
    const headers: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] as string;
      if (forwardable(name) && name.toLowerCase() !== "x-forwarded-for")
        headers.push([name, req.rawHeaders[i + 1] as string]);
    }
    const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    headers.push(["X-Forwarded-For", forwardedFor]);
    headers.push(...authProxyHeaders(user));
    const upstream = httpsRequest(`${target.url}${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      agent: this.agentFor(apiService),
    });
    for (const name of new Set(headers.map(([n]) => n))) {
      const values = headers.filter(([n]) => n === name).map(([, v]) => v);
      upstream.setHeader(name, values.length === 1 ? (values[0] as string) : values);
    }
    upstream.on("response", (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      res.flushHeaders();
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      if (!res.headersSent) plain(503, error.message);
      else res.destroy();
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  /**
   * The aggregated-discovery fetch: `GET /apis` asking for v2 with the ETag of the last
   * answer, within 5 s; a 304 keeps the stored document; an answer that isn't v2 falls back
   * to the legacy `GET /apis/<g>/<v>`.
   */
  async fetchDiscovery(name: string): Promise<DiscoveryFetch> {
    const apiService = this.objects.mustGet(APISERVICES, "", name) as APIService;
    const target = this.resolve(apiService);
    const started = performance.now();
    const done = (fetch: Omit<DiscoveryFetch, "durationMs">): DiscoveryFetch => {
      const result = { ...fetch, durationMs: performance.now() - started };
      if (result.outcome === "Fetched" || result.outcome === "Legacy") this.discovery.set(name, result);
      return result;
    };
    if ("reason" in target) return done({ outcome: "Failed", status: 0, error: target.message });
    const previous = this.discovery.get(name);
    try {
      const answer = await this.send(`${target.url}/apis`, {
        identity: AGGREGATOR_USER,
        verifyServer: apiService,
        timeoutMs: 5000,
        headers: {
          Accept: AGGREGATED_DISCOVERY_ACCEPT,
          ...(previous?.etag ? { "If-None-Match": previous.etag } : {}),
        },
      });
      if (answer.status === 304) {
        return {
          outcome: "NotModified",
          status: 304,
          durationMs: performance.now() - started,
          ...(previous?.etag ? { etag: previous.etag } : {}),
          ...(previous?.document ? { document: previous.document } : {}),
        };
      }
      const type = String(answer.headers["content-type"] ?? "");
      if (answer.status === 200 && type.includes("as=APIGroupDiscoveryList")) {
        const etag = answer.headers.etag;
        return done({
          outcome: "Fetched",
          status: 200,
          ...(typeof etag === "string" ? { etag } : {}),
          document: JSON.parse(answer.body.toString("utf8")) as Record<string, unknown>,
        });
      }
      const legacy = await this.send(`${target.url}/apis/${apiService.spec.group}/${apiService.spec.version}`, {
        identity: AGGREGATOR_USER,
        verifyServer: apiService,
        timeoutMs: 5000,
      });
      return done({
        outcome: legacy.status === 200 ? "Legacy" : "Failed",
        status: legacy.status,
        ...(legacy.status === 200
          ? { document: JSON.parse(legacy.body.toString("utf8")) as Record<string, unknown> }
          : { error: legacy.body.toString("utf8") }),
      });
    } catch (error) {
      return done({ outcome: "Failed", status: 0, error: (error as Error).message });
    }
  }

  /** Downloads the APIService's OpenAPI v2 (JSON, with its ETag) and every v3 group-version document. */
  async downloadOpenAPI(name: string): Promise<OpenAPIDownload> {
    const apiService = this.objects.mustGet(APISERVICES, "", name) as APIService;
    const target = this.resolve(apiService);
    if ("reason" in target) throw new Error(target.message);
    const get = (path: string, headers: Record<string, string> = {}) =>
      this.send(`${target.url}${path}`, { identity: AGGREGATOR_USER, verifyServer: apiService, headers });
    const previous = this.openapi.get(name);
    const download: OpenAPIDownload = { v3: {} };
    const v2 = await get("/openapi/v2", {
      Accept: "application/json",
      ...(previous?.v2?.etag ? { "If-None-Match": previous.v2.etag } : {}),
    });
    if (v2.status === 304 && previous?.v2) download.v2 = previous.v2;
    else if (v2.status === 200) {
      const etag = v2.headers.etag;
      download.v2 = {
        ...(typeof etag === "string" ? { etag } : {}),
        document: JSON.parse(v2.body.toString("utf8")) as Record<string, unknown>,
      };
    }
    const root = await get("/openapi/v3");
    if (root.status === 200) {
      const paths = (
        JSON.parse(root.body.toString("utf8")) as { paths?: Record<string, { serverRelativeURL: string }> }
      ).paths;
      for (const [path, { serverRelativeURL }] of Object.entries(paths ?? {})) {
        const doc = await get(serverRelativeURL);
        if (doc.status !== 200) continue;
        const text = doc.body.toString("utf8");
        download.v3[path] = {
          hash: createHash("sha512").update(text).digest("hex").slice(0, 128),
          document: JSON.parse(text) as Record<string, unknown>,
        };
      }
    }
    this.openapi.set(name, download);
    return download;
  }

  /** The Swagger 2.0 document of every downloaded APIService, merged (what /openapi/v2 serves). */
  mergedOpenAPIV2(): Record<string, unknown> {
    const paths: Record<string, unknown> = {};
    const definitions: Record<string, unknown> = {};
    for (const download of this.openapi.values()) {
      Object.assign(paths, download.v2?.document.paths ?? {});
      Object.assign(definitions, download.v2?.document.definitions ?? {});
    }
    return { swagger: "2.0", info: { title: "Kubernetes", version: "v1.33.0" }, paths, definitions };
  }

  /** Every downloaded v3 document by path. */
  openAPIV3(): Record<string, { hash: string; document: Record<string, unknown> }> {
    const all: Record<string, { hash: string; document: Record<string, unknown> }> = {};
    for (const download of this.openapi.values()) Object.assign(all, download.v3);
    return all;
  }

  /** The last v2 discovery document fetched for an APIService. */
  discoveryOf(name: string): DiscoveryFetch | undefined {
    return this.discovery.get(name);
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
  }
}
