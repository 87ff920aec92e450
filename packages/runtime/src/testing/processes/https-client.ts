/**
 * An HTTPS client for servers running in other processes (or this one): keep-alive
 * connections with the local-mode admin certificate, answers as text, and raw TLS sockets
 * for tests that misbehave on purpose (stop reading, vanish halfway through a body).
 */
import type { IncomingHttpHeaders } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import { connect, type TLSSocket } from "node:tls";

/** What a client presents and trusts: the local-mode CA and a client certificate (none: anonymous). */
export interface ClientCredentials {
  ca: string;
  cert?: string;
  key?: string;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as received. */
  bytes: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface CallOptions {
  method?: string;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The request is destroyed (and the promise rejects with a `TimeoutError`) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Send the body with chunked transfer encoding instead of a Content-Length. */
  chunked?: boolean;
}

export class HttpsClient {
  readonly url: URL;
  private readonly agent: Agent;

  constructor(
    baseUrl: string,
    readonly credentials: ClientCredentials,
    options: { maxSockets?: number } = {},
  ) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: options.maxSockets ?? 64,
      ca: credentials.ca,
      ...(credentials.cert && credentials.key ? { cert: credentials.cert, key: credentials.key } : {}),
    });
  }

  get port(): number {
    return Number(this.url.port);
  }

  /** One request; rejects only when no answer arrives (connection refused or reset, timeout). */
  request(path: string, options: CallOptions = {}): Promise<HttpAnswer> {
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === "string" || Buffer.isBuffer(options.body)
          ? options.body
          : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: this.url.hostname,
          port: this.port,
          path,
          method: options.method ?? "GET",
          agent: this.agent,
          headers: {
            ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
            ...(body !== undefined && !options.chunked ? { "Content-Length": Buffer.byteLength(body) } : {}),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            clearTimeout(timer);
            const bytes = Buffer.concat(chunks);
            const text = bytes.toString("utf8");
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: text,
              bytes,
              json: <T>() => JSON.parse(text) as T,
            });
          });
          res.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(() => {
        const error = new Error(
          `${options.method ?? "GET"} ${path} got no answer within ${options.timeoutMs ?? 30_000} ms`,
        );
        error.name = "TimeoutError";
        req.destroy(error);
      }, options.timeoutMs ?? 30_000);
      req.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      if (options.chunked && body !== undefined) {
        const bytes = Buffer.from(body);
        for (let at = 0; at < bytes.length; at += 64 * 1024) req.write(bytes.subarray(at, at + 64 * 1024));
        req.end();
      } else {
        req.end(body);
      }
    });
  }

  /** A TLS connection of its own (not pooled), authenticated as the admin. */
  connectRaw(): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: this.url.hostname,
        port: this.port,
        ca: this.credentials.ca,
        cert: this.credentials.cert,
        key: this.credentials.key,
        ALPNProtocols: ["http/1.1"],
      });
      socket.once("secureConnect", () => resolve(socket));
      socket.once("error", reject);
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** True when the error means the server is not there (refused, reset, closed mid-answer). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    (error as Error)?.message === "socket hang up"
  );
}
