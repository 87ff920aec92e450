/**
 * HTTP/2 requests for the user's express app. ALPN picks the protocol before the path is
 * known, so h2 clients reach the non-API routes too, but express 5 can't take Node's
 * http2 compatibility objects (it swaps their prototypes for http.IncomingMessage's). The
 * bridge replays each such request over an in-memory HTTP/1.1 connection into a plain
 * http.Server running the same handler, and streams the answer back on the h2 stream.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";

/** Headers that belong to one hop of HTTP/1.1 and must not cross to HTTP/2 (RFC 9113 8.2.2). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "http2-settings",
]);

/**
 * Makes an HTTP/2 response ignore HTTP/1.1 connection headers instead of throwing on them
 * (Node's compatibility layer refuses e.g. `Transfer-Encoding: chunked` outright, which
 * handlers written for HTTP/1.1 set).
 */
export function ignoreConnectionHeaders(res: Http2ServerResponse): void {
  const target = res as unknown as {
    setHeader: (name: string, value: unknown) => unknown;
    writeHead: (status: number, ...rest: unknown[]) => unknown;
  };
  const setHeader = target.setHeader.bind(res);
  target.setHeader = (name, value) => (HOP_BY_HOP.has(name.toLowerCase()) ? res : setHeader(name, value));
  const writeHead = target.writeHead.bind(res);
  target.writeHead = (status, ...rest) => {
    const last = rest[rest.length - 1];
    if (last && typeof last === "object" && !Array.isArray(last)) {
      const headers: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(last)) if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
      rest[rest.length - 1] = headers;
    }
    return writeHead(status, ...rest);
  };
}

/** Two in-memory streams joined end to end: what one writes, the other reads. */
function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        peer().push(chunk);
        callback();
      },
      final(callback) {
        peer().push(null);
        callback();
      },
      destroy(error, callback) {
        const other = peer();
        if (!other.destroyed) other.destroy();
        callback(error);
      },
    });
  sides.push(
    make(() => sides[1] as Duplex),
    make(() => sides[0] as Duplex),
  );
  return sides as [Duplex, Duplex];
}

/** Gives the server side of the pair what handlers read off a TLS socket. */
function dressAsSocket(side: Duplex, origin: TLSSocket | undefined): void {
  const socket = side as Duplex & Record<string, unknown>;
  socket.remoteAddress = origin?.remoteAddress;
  socket.remotePort = origin?.remotePort;
  socket.remoteFamily = origin?.remoteFamily;
  socket.localAddress = origin?.localAddress;
  socket.localPort = origin?.localPort;
  socket.encrypted = true;
  socket.authorized = origin?.authorized ?? false;
  socket.alpnProtocol = "h2";
  socket.getPeerCertificate = (detailed?: boolean) => origin?.getPeerCertificate(detailed ?? false) ?? {};
  socket.setTimeout = () => socket;
  socket.setNoDelay = () => socket;
  socket.setKeepAlive = () => socket;
}

export class Http2Bridge {
  private readonly server: Server;

  constructor(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.server = createServer(handler);
  }

  /** Answers an HTTP/2 request through the HTTP/1.1 handler. */
  forward(req: Http2ServerRequest, res: Http2ServerResponse): void {
    const [clientSide, serverSide] = duplexPair();
    dressAsSocket(serverSide, req.socket as unknown as TLSSocket);
    this.server.emit("connection", serverSide);
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!name.startsWith(":") && !HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    headers.host = req.authority;
    headers.connection = "close";
    const upstream = request({
      method: req.method,
      path: req.url,
      headers: headers as Record<string, string | string[]>,
      createConnection: () => clientSide as never,
    });
    let complete = false;
    upstream.on("response", (answer) => {
      answer.once("end", () => {
        complete = true;
      });
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res as unknown as NodeJS.WritableStream);
    });
    upstream.on("error", () => {
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
        res.end("bad gateway\n");
      } else res.destroy();
    });
    res.on("close", () => {
      if (!complete) upstream.destroy();
      serverSide.destroy();
    });
    req.pipe(upstream);
  }

  close(): void {
    this.server.close();
  }
}
