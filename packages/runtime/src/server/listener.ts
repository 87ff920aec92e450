/**
 * The secure port, as kube-apiserver serves it: one TLS listener that offers h2 and
 * http/1.1 by ALPN and hands each connection to an HTTP/2 or an HTTP/1.1 server running
 * the same handler (see docs/decisions/0006-http2.md for why not allowHTTP1).
 */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from "node:tls";
import type { HttpRequest, HttpResponse } from "./http.js";
import type { NodeTLSVersion } from "./tls-options.js";

export interface TLSConfig {
  cert: string;
  key: string;
  /** CAs whose client certificates the handshake asks for (verification is the authenticators' job). */
  clientCA?: string;
  /** Default TLSv1.2 (Go's default for servers). */
  minVersion?: NodeTLSVersion;
  /** OpenSSL cipher list (see tls-options.ts for Go's names); default Node's. */
  ciphers?: string;
}

export interface ServingOptions {
  /**
   * How long an idle HTTP/1.1 connection stays open. Longer than the 90 s a Go client
   * (the aggregator's proxy) keeps idle connections, so that the client closes first and
   * never writes into a connection the server is closing. Default 120 s.
   */
  keepAliveTimeoutMs?: number;
  /**
   * Time allowed to receive a request's headers, answered with 408 when it passes. Default 60 s,
   * and never less than keepAliveTimeoutMs + 1 s (else Node ends idle kept-alive connections early).
   */
  headersTimeoutMs?: number;
  /** How often connections are checked against the headers timeout (Node's connectionsCheckingInterval). Default 30 s. */
  connectionsCheckIntervalMs?: number;
  /** Offer HTTP/2 by ALPN. Default true. */
  http2?: boolean;
  /** Concurrent streams per HTTP/2 connection (kube-apiserver's default: 1000). */
  http2MaxConcurrentStreams?: number;
}

export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 120_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;

type Handler = (req: HttpRequest, res: HttpResponse) => void;

export class SecureListener {
  private readonly tls: TlsServer;
  private readonly h1: HttpServer;
  private readonly h2?: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  private accepting = true;
  private serverClosed?: Promise<void>;

  constructor(tls: TLSConfig, handler: Handler, options: ServingOptions = {}) {
    const keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
    this.h1 = createHttpServer(
      {
        keepAliveTimeout,
        headersTimeout: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
        ...(options.connectionsCheckIntervalMs !== undefined
          ? { connectionsCheckingInterval: options.connectionsCheckIntervalMs }
          : {}),
      },
      handler,
    );
    // headersTimeout must exceed keepAliveTimeout, else Node ends idle kept-alive connections early.
    this.h1.headersTimeout = Math.max(this.h1.headersTimeout, keepAliveTimeout + 1000);
    // The HTTP/1.1 server never listens itself; this starts its connection bookkeeping (timeouts, closeAll).
    this.h1.emit("listening");
    if (options.http2 !== false) {
      const h2 = createHttp2Server({ settings: { maxConcurrentStreams: options.http2MaxConcurrentStreams ?? 1000 } });
      h2.on("request", handler);
      h2.on("session", (session) => {
        this.sessions.add(session);
        session.once("close", () => this.sessions.delete(session));
      });
      this.h2 = h2;
    }
    this.tls = createTlsServer(
      {
        ...secureContextOptions(tls),
        requestCert: true,
        rejectUnauthorized: false,
        // No Nagle: a response's last partial segment must not wait for the client's delayed ACK
        // (up to 200 ms on Linux). https.createServer sets this; a bare tls.Server does not.
        noDelay: true,
        ALPNProtocols: this.h2 ? ["h2", "http/1.1"] : ["http/1.1"],
      },
      (socket: TLSSocket) => {
        if (socket.alpnProtocol === "h2" && this.h2) this.h2.emit("connection", socket);
        else this.h1.emit("connection", socket);
      },
    );
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    const server = this.tls;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** New certificates or client CAs for the connections accepted from now on (existing ones keep theirs). */
  updateTLS(tls: TLSConfig): void {
    this.tls.setSecureContext(secureContextOptions(tls));
  }

  /** False once {@link stopAccepting} ran. */
  get isAccepting(): boolean {
    return this.accepting;
  }

  /**
   * The first step of a graceful close: no new connections, idle HTTP/1.1 connections
   * closed, HTTP/2 sessions told to go away (their open streams still finish). Busy
   * HTTP/1.1 connections close after their response (the server sends Connection: close).
   */
  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    this.closeServer();
    this.h1.closeIdleConnections();
    for (const session of this.sessions) session.close();
  }

  /** Stops accepting, lets idle connections go, then ends the rest (watches never finish on their own). */
  async close(): Promise<void> {
    this.accepting = false;
    const closed = this.closeServer();
    this.h1.closeIdleConnections();
    for (const session of this.sessions) session.close();
    await new Promise((resolve) => setImmediate(resolve));
    this.h1.closeAllConnections();
    for (const session of this.sessions) session.destroy();
    this.h1.close();
    await closed;
  }

  /** Closes the listening socket once; settles when every connection is gone too. */
  private closeServer(): Promise<void> {
    this.serverClosed ??= new Promise<void>((resolve) => this.tls.close(() => resolve()));
    return this.serverClosed;
  }
}

function secureContextOptions(tls: TLSConfig) {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCA ? { ca: tls.clientCA } : {}),
    minVersion: tls.minVersion ?? "TLSv1.2",
    ...(tls.ciphers ? { ciphers: tls.ciphers } : {}),
  } as const;
}
