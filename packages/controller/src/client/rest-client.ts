/**
 * HTTP to the API server: JSON requests over a keep-alive agent, and watches as streams
 * of newline-delimited events. One agent per client: connection reuse is what lets a
 * controller keep up with a busy server (client-node makes an agent per request).
 */
import { type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { KubeObject, Status } from "../objects/meta.js";
import { ApiError, TransportError } from "./errors.js";
import type { RestConfig } from "./rest-config.js";

export type QueryValue = string | number | boolean | undefined;

export interface RestRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute API path, e.g. `/apis/g/v1/namespaces/ns/things/x`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/** One event of a watch stream as it arrives. ERROR events carry a Status. */
export interface WireWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject;
}

/** How a watch stream ended. */
export type WatchEnd = { kind: "closed" } | { kind: "stopped" } | { kind: "failed"; error: ApiError | TransportError };

export interface WatchConnection {
  /** Resolves once the stream is over; never rejects. */
  readonly done: Promise<WatchEnd>;
  /** Ends the stream from our side; `done` then resolves with `stopped`. */
  stop(): void;
}

export interface RestClientOptions {
  userAgent?: string;
  /** Sockets per server, shared by requests and watches. */
  maxSockets?: number;
  /** Give up on a non-watch request after this long. */
  requestTimeoutMs?: number;
}

export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export class RestClient {
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private readonly secure: boolean;
  private readonly userAgent: string;
  private readonly requestTimeoutMs: number;

  constructor(
    readonly config: RestConfig,
    options: RestClientOptions = {},
  ) {
    this.base = new URL(config.server);
    this.secure = this.base.protocol === "https:";
    const maxSockets = options.maxSockets ?? 64;
    this.agent = this.secure
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets,
          ...(config.ca ? { ca: config.ca } : {}),
          ...(config.cert ? { cert: config.cert } : {}),
          ...(config.key ? { key: config.key } : {}),
          ...(config.servername ? { servername: config.servername } : {}),
          rejectUnauthorized: config.rejectUnauthorized ?? true,
        })
      : new HttpAgent({ keepAlive: true, maxSockets });
    this.userAgent = options.userAgent ?? "apiserver-kit-controller";
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  }

  /** The default namespace of the configuration (kubeconfig context or service account). */
  get namespace(): string | undefined {
    return this.config.namespace;
  }

  /** Sends a request and parses the JSON answer; throws ApiError or TransportError. */
  async request<T>(req: RestRequest): Promise<T> {
    const res = await this.send(req, this.requestTimeoutMs);
    const body = await readBody(res).catch((error: unknown) => {
      throw TransportError.from(error);
    });
    const code = res.statusCode ?? 0;
    if (code < 200 || code > 299) throw ApiError.fromBody(code, body);
    if (!body) return undefined as T;
    try {
      return JSON.parse(body) as T;
    } catch (error) {
      throw new TransportError("BadResponse", `the answer to ${req.method} ${req.path} is not JSON`, { cause: error });
    }
  }

  /** Opens a watch (the caller sets `watch=true` and friends in the query). Events are delivered in order. */
  watch(path: string, query: Record<string, QueryValue>, onEvent: (event: WireWatchEvent) => void): WatchConnection {
    const controller = new AbortController();
    let stopped = false;
    const done = (async (): Promise<WatchEnd> => {
      let res: IncomingMessage;
      try {
        res = await this.send({ method: "GET", path, query, signal: controller.signal }, 0);
      } catch (error) {
        if (stopped) return { kind: "stopped" };
        return { kind: "failed", error: TransportError.from(error) };
      }
      const code = res.statusCode ?? 0;
      if (code !== 200) {
        const body = await readBody(res).catch(() => "");
        return stopped ? { kind: "stopped" } : { kind: "failed", error: ApiError.fromBody(code, body) };
      }
      return new Promise<WatchEnd>((resolve) => {
        let pending = "";
        let ended = false;
        const finish = (end: WatchEnd) => {
          if (ended) return;
          ended = true;
          resolve(stopped ? { kind: "stopped" } : end);
        };
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (stopped) return;
          pending += chunk;
          let start = 0;
          for (let nl = pending.indexOf("\n", start); nl >= 0; nl = pending.indexOf("\n", start)) {
            const line = pending.slice(start, nl);
            start = nl + 1;
            if (line.trim() === "") continue;
            let event: WireWatchEvent;
            try {
              event = JSON.parse(line) as WireWatchEvent;
            } catch (error) {
              res.destroy();
              finish({
                kind: "failed",
                error: new TransportError("BadResponse", "a watch event is not JSON", { cause: error }),
              });
              return;
            }
            onEvent(event);
            if (stopped) return;
          }
          pending = pending.slice(start);
        });
        res.on("end", () => finish({ kind: "closed" }));
        res.on("aborted", () =>
          finish({ kind: "failed", error: new TransportError("ConnectionReset", "watch aborted") }),
        );
        res.on("error", (error) => finish({ kind: "failed", error: TransportError.from(error) }));
        res.on("close", () => finish({ kind: "failed", error: new TransportError("ConnectionReset", "watch closed") }));
      });
    })();
    return {
      done,
      stop() {
        if (stopped) return;
        stopped = true;
        controller.abort();
      },
    };
  }

  /** Closes idle connections; requests in flight finish. */
  close(): void {
    this.agent.destroy();
  }

  private url(path: string, query: Record<string, QueryValue> | undefined): string {
    const prefix = this.base.pathname.replace(/\/+$/, "");
    return `${prefix}${path}${encodeQuery(query)}`;
  }

  private async send(req: RestRequest, timeoutMs: number): Promise<IncomingMessage> {
    const body =
      req.body === undefined ? undefined : typeof req.body === "string" ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string | number> = { Accept: "application/json", "User-Agent": this.userAgent };
    if (body !== undefined) {
      headers["Content-Type"] = req.contentType ?? "application/json";
      headers["Content-Length"] = Buffer.byteLength(body);
    }
    if (this.config.authHeaders) Object.assign(headers, await this.config.authHeaders());
    const send = this.secure ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      let client: ClientRequest;
      try {
        client = send({
          protocol: this.base.protocol,
          hostname: this.base.hostname.replace(/^\[(.*)\]$/, "$1"),
          port: this.base.port || (this.secure ? 443 : 80),
          path: this.url(req.path, req.query),
          method: req.method,
          headers,
          agent: this.agent,
          ...(req.signal ? { signal: req.signal } : {}),
        });
      } catch (error) {
        reject(TransportError.from(error));
        return;
      }
      client.on("response", resolve);
      client.on("error", (error) => reject(TransportError.from(error)));
      if (timeoutMs > 0) {
        client.setTimeout(timeoutMs, () =>
          client.destroy(new TransportError("Timeout", `${req.method} ${req.path}: no answer in ${timeoutMs} ms`)),
        );
      }
      client.end(body);
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
    res.on("aborted", () => reject(new TransportError("ConnectionReset", "response aborted")));
  });
}

/** Reads the Status out of a watch ERROR event. */
export function watchErrorToApiError(object: KubeObject): ApiError {
  const status = object as Status;
  return new ApiError(status.code ?? 500, status);
}
