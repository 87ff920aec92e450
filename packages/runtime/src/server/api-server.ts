/**
 * The server: a TLS listener whose director sends API paths through the runtime's own
 * handler chain (request info → authenticate → authorize → route) and every other path
 * to the user's express app. Kubernetes splits the same way ("director" between the
 * REST container and a plain mux), and it keeps express's per-request cost off the API.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Storage } from "@apiserver-kit/storage";
import { StatusError } from "../api/errors.js";
import type { UserInfo } from "../api/meta.js";
import {
  AuthenticationError,
  type Authenticator,
  type AuthorizationAttributes,
  type Authorizer,
  anonymousUser,
  forbidden,
} from "../auth/types.js";
import { Discovery, STORED_RESOURCE_VERBS } from "../discovery/discovery.js";
import { acceptsJSON } from "../endpoints/negotiation.js";
import { ResourceHandler, type ResourceHandlerOptions, SUPPORTED_PATCH_TYPES } from "../endpoints/resource-handler.js";
import { ApiModel, type ApiResource } from "../model/api-model.js";
import type { ResourceDefinition } from "../model/resource.js";
import { buildGroupVersionDocument, type OpenAPIDocument } from "../openapi/v3.js";
import { type Clock, GenericStore, systemClock } from "../registry/generic-store.js";
import { parseRequestInfo, type RequestInfo } from "../request/request-info.js";
import { type HealthCheck, serveHealth } from "./health.js";
import { type HttpRequest, type HttpResponse, writeBody, writeError, writeJSON } from "./http.js";

/** Handles requests outside the API paths (an express app is one). */
export type NonApiHandler = (req: HttpRequest, res: HttpResponse) => void;

export interface TLSConfig {
  cert: string;
  key: string;
  /** CAs whose client certificates the handshake asks for (verification is the authenticators' job). */
  clientCA?: string;
}

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

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
  /** The version of the project serving the API (shown by /version). */
  projectVersion?: string;
  clock?: Clock;
  handlerOptions?: ResourceHandlerOptions;
}

export const FRAMEWORK_VERSION = "0.1.0";

const API_ROOTS = new Set(["apis", "api", "openapi", "version", "healthz", "livez", "readyz", "metrics"]);

function isApiPath(path: string): boolean {
  const second = path.indexOf("/", 1);
  const first = second < 0 ? path.slice(1) : path.slice(1, second);
  return API_ROOTS.has(first);
}

/** Splits `req.url` into path and query without the cost of `new URL` on every request. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf("?");
  if (q < 0) return { path: url, query: new URLSearchParams() };
  return { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}

export class ApiServer {
  readonly model: ApiModel;
  readonly discovery: Discovery;
  private readonly handlers = new Map<ApiResource, ResourceHandler>();
  private readonly openapi = new Map<string, OpenAPIDocument>();
  private readonly alwaysAllow: string[];
  private readonly versionInfo: VersionInfo;
  private server?: HttpsServer;
  private shuttingDown = false;
  readonly healthChecks: HealthCheck[];

  constructor(private readonly config: ApiServerConfig) {
    this.model = new ApiModel(config.resources);
    const clock = config.clock ?? systemClock;
    for (const resource of this.model.resources) {
      this.handlers.set(
        resource,
        new ResourceHandler(new GenericStore(resource, config.storage, clock), config.handlerOptions, clock),
      );
    }
    const verbsOf = () => STORED_RESOURCE_VERBS;
    this.discovery = new Discovery(this.model, verbsOf);
    for (const gv of this.model.groupVersions()) {
      this.openapi.set(
        `${gv.group}/${gv.version}`,
        buildGroupVersionDocument(gv, { patchTypes: SUPPORTED_PATCH_TYPES, verbsOf }),
      );
    }
    this.alwaysAllow = config.alwaysAllowPaths ?? [
      "/healthz",
      "/healthz/*",
      "/livez",
      "/livez/*",
      "/readyz",
      "/readyz/*",
    ];
    const [major = "0", minor = "0"] = (config.projectVersion ?? FRAMEWORK_VERSION).split(".");
    this.versionInfo = {
      major,
      minor,
      gitVersion: `v${config.projectVersion ?? FRAMEWORK_VERSION}`,
      gitCommit: "",
      gitTreeState: "",
      buildDate: "",
      goVersion: `node ${process.version}`,
      compiler: `apiserver-kit ${FRAMEWORK_VERSION}`,
      platform: `${process.platform}/${process.arch}`,
    };
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

  /** The request handler: the director. */
  readonly handle = (req: HttpRequest, res: HttpResponse): void => {
    const url = req.url ?? "/";
    const { path, query } = splitUrl(url);
    if (!isApiPath(path)) {
      if (this.config.nonApiHandler) this.config.nonApiHandler(req, res);
      else writeError(res, new StatusError(404, "NotFound", "the server could not find the requested resource", {}));
      return;
    }
    this.handleApi(req, res, path, query).catch((error: unknown) => writeError(res, error));
  };

  private isAlwaysAllowed(path: string): boolean {
    for (const p of this.alwaysAllow) {
      if (p.endsWith("/*") ? path.startsWith(p.slice(0, -1)) : path === p) return true;
    }
    return false;
  }

  private async handleApi(req: HttpRequest, res: HttpResponse, path: string, query: URLSearchParams): Promise<void> {
    const info = parseRequestInfo(req.method ?? "GET", path, query);
    let user: UserInfo | null;
    try {
      user = await this.config.authenticator.authenticate(req);
    } catch (error) {
      if (error instanceof AuthenticationError) throw StatusError.unauthorized();
      throw error;
    }
    user ??= anonymousUser();
    if (!this.isAlwaysAllowed(path)) {
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
      const result = await this.config.authorizer.authorize(attributes);
      if (result.decision !== "allow") throw forbidden(attributes, result.reason);
    }
    if (info.isResourceRequest) return this.serveResource(req, res, info, query, user);
    return this.serveNonResource(req, res, info, path, query);
  }

  private async serveResource(
    req: HttpRequest,
    res: HttpResponse,
    info: RequestInfo,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<void> {
    const found =
      info.apiPrefix === "apis" ? this.model.lookup(info.apiGroup, info.apiVersion, info.resource) : undefined;
    if (!found) throw new StatusError(404, "NotFound", "the server could not find the requested resource", {});
    const handler = this.handlers.get(found.resource) as ResourceHandler;
    await handler.handle({ req, res, info, query, user, version: found.version });
  }

  private async serveNonResource(
    req: HttpRequest,
    res: HttpResponse,
    info: RequestInfo,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const segments = path.split("/").filter(Boolean);
    const [root, second, third] = segments;
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") throw this.notFound();
    switch (root) {
      case "healthz":
      case "livez":
      case "readyz": {
        if (segments.length > 2) throw this.notFound();
        const checks =
          root === "readyz"
            ? [
                ...this.healthChecks,
                { name: "shutdown", check: () => (this.shuttingDown ? "shutting down" : undefined) },
              ]
            : this.healthChecks;
        return serveHealth(res, root, checks, second ?? "", query);
      }
      case "version":
        if (segments.length !== 1) throw this.notFound();
        return writeJSON(res, 200, this.versionInfo);
      case "api":
        // Extension servers have no core group; client-go tolerates 404 here.
        throw this.notFound();
      case "apis":
        return this.serveDiscovery(req, res, info);
      case "openapi":
        if (second === "v3") return this.serveOpenAPIv3(req, res, segments.slice(2), query);
        throw this.notFound();
      default:
        void third;
        throw this.notFound();
    }
  }

  private notFound(): StatusError {
    return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
  }

  private serveDiscovery(req: HttpRequest, res: HttpResponse, info: RequestInfo): void {
    const accept = req.headers.accept;
    if (!info.apiGroup) {
      const { document, contentType } = this.discovery.negotiateRoot(accept);
      res.setHeader("Vary", "Accept");
      if (contentType !== "application/json") {
        res.setHeader("ETag", document.etag);
        if (req.headers["if-none-match"] === document.etag) {
          res.statusCode = 304;
          res.end();
          return;
        }
      }
      writeBody(res, 200, contentType, document.body);
      return;
    }
    if (!acceptsJSON(accept)) throw StatusError.notAcceptable(["application/json"]);
    const document = info.apiVersion
      ? this.discovery.resourceList(info.apiGroup, info.apiVersion)
      : this.discovery.group(info.apiGroup);
    if (!document) throw this.notFound();
    writeBody(res, 200, "application/json", document.body);
  }

  private serveOpenAPIv3(req: HttpRequest, res: HttpResponse, rest: string[], query: URLSearchParams): void {
    if (!acceptsJSON(req.headers.accept)) throw StatusError.notAcceptable(["application/json"]);
    if (rest.length === 0) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const [gv, doc] of this.openapi)
        paths[`apis/${gv}`] = { serverRelativeURL: `/openapi/v3/apis/${gv}?hash=${doc.hash}` };
      writeJSON(res, 200, { paths });
      return;
    }
    if (rest[0] !== "apis" || rest.length !== 3) throw this.notFound();
    const key = `${rest[1]}/${rest[2]}`;
    const doc = this.openapi.get(key);
    if (!doc) throw this.notFound();
    const hash = query.get("hash");
    const etag = `"${doc.hash}"`;
    if (hash !== null && hash !== doc.hash) {
      res.statusCode = 301;
      res.setHeader("Location", `/openapi/v3/apis/${key}?hash=${doc.hash}`);
      res.end();
      return;
    }
    res.setHeader("ETag", etag);
    res.setHeader("Vary", "Accept");
    if (req.headers["if-none-match"] === etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    writeBody(res, 200, "application/json", doc.json, {
      "Cache-Control": hash !== null ? "public, immutable, max-age=31536000" : "no-cache, private",
    });
  }

  /** Starts listening on `port` (0: a free port) and `host`. */
  async listen(port = 0, host = "127.0.0.1"): Promise<AddressInfo> {
    const { tls } = this.config;
    const server = createHttpsServer(
      {
        cert: tls.cert,
        key: tls.key,
        ...(tls.clientCA ? { ca: tls.clientCA } : {}),
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: "TLSv1.2",
        keepAliveTimeout: 75_000,
      },
      this.handle,
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** Stops accepting connections and closes the idle ones; readiness fails first. */
  async close(): Promise<void> {
    this.shuttingDown = true;
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Watches are long-running: end them so that close completes.
      setImmediate(() => server.closeAllConnections());
    });
  }
}
