import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { status } from "@grpc/grpc-js";

/** A failed call as grpc-js reports one: a gRPC status code and its message. */
export interface GrpcCallError extends Error {
  readonly code: number;
  readonly details: string;
}

export function grpcCallError(code: number, details: string): GrpcCallError {
  return Object.assign(new Error(`${code} ${status[code] ?? ""}: ${details}`), { code, details });
}

/** TLS material for an https:// endpoint (PEM file paths). */
export interface UnaryTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

const { NGHTTP2_CANCEL } = http2.constants;

/**
 * gRPC unary calls straight over node:http2, for the calls every write makes (KV Range and
 * Txn): grpc-js's call stack (interceptors, resolving, load-balancing, retrying and subchannel
 * calls, metadata objects, per-call timers) cost about as much CPU as the HTTP/2 work itself,
 * ≈45% of a call. One session per endpoint, opened on first use and replaced when it closes,
 * errors, gets a GOAWAY or stops answering pings. Failures carry grpc-js's status codes, so
 * that callers (endpoint rotation, toStorageError) treat both alike.
 */
export class GrpcUnaryChannel {
  private session: http2.ClientHttp2Session | undefined;
  private readonly options: http2.SecureClientSessionOptions;
  private closed = false;

  constructor(
    private readonly url: URL,
    tls: UnaryTls,
  ) {
    this.options =
      url.protocol === "https:"
        ? {
            ALPNProtocols: ["h2"],
            ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
            ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
            ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
          }
        : {};
  }

  call<Req, Res>(
    path: string,
    request: Req,
    serialize: (request: Req) => Buffer,
    deserialize: (response: Buffer) => Res,
    timeoutMs: number,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (this.closed) {
        reject(grpcCallError(status.CANCELLED, "channel closed"));
        return;
      }
      let session: http2.ClientHttp2Session | undefined;
      let stream: http2.ClientHttp2Stream;
      const body = serialize(request);
      const frame = Buffer.allocUnsafe(5 + body.length);
      frame[0] = 0;
      frame.writeUInt32BE(body.length, 1);
      body.copy(frame, 5);
      try {
        session = this.connect();
        stream = session.request({
          ":method": "POST",
          ":path": path,
          "content-type": "application/grpc",
          te: "trailers",
          // etcd stops working on a request whose caller gave up.
          "grpc-timeout": `${timeoutMs}m`,
        });
      } catch (error) {
        // A session that cannot open streams (closing, out of stream ids) is replaced on the next call.
        if (session) {
          this.forget(session);
          session.close();
        }
        reject(grpcCallError(status.UNAVAILABLE, (error as Error).message));
        return;
      }
      const open = session;
      let settled = false;
      const finish = (error: GrpcCallError | undefined, value?: Res) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value as Res);
      };
      const timer = setTimeout(() => {
        finish(grpcCallError(status.DEADLINE_EXCEEDED, `deadline of ${timeoutMs} ms exceeded`));
        stream.close(NGHTTP2_CANCEL);
        this.checkAlive(open, timeoutMs);
      }, timeoutMs);
      const chunks: Buffer[] = [];
      let code: number | undefined;
      let message = "";
      const noteStatus = (headers: http2.IncomingHttpHeaders) => {
        const value = headers["grpc-status"];
        if (value === undefined) return;
        code = Number(value);
        const text = headers["grpc-message"];
        message = typeof text === "string" ? percentDecoded(text) : "";
      };
      stream.on("response", (headers) => {
        const httpStatus = headers[":status"];
        if (httpStatus !== 200) {
          finish(grpcCallError(status.UNAVAILABLE, `etcd answered HTTP ${httpStatus}`));
          return;
        }
        noteStatus(headers);
      });
      stream.on("trailers", noteStatus);
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (code === undefined) {
          finish(grpcCallError(status.UNAVAILABLE, "the stream ended without a gRPC status"));
          return;
        }
        if (code !== status.OK) {
          finish(grpcCallError(code, message));
          return;
        }
        const data = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        if (data.length < 5 || data[0] !== 0 || data.readUInt32BE(1) !== data.length - 5) {
          finish(grpcCallError(status.INTERNAL, "etcd's answer is not one uncompressed gRPC message"));
          return;
        }
        try {
          finish(undefined, deserialize(data.subarray(5)));
        } catch (error) {
          finish(grpcCallError(status.INTERNAL, `cannot decode etcd's answer: ${(error as Error).message}`));
        }
      });
      stream.on("error", (error) => finish(grpcCallError(status.UNAVAILABLE, error.message)));
      // Every stream closes, also after its answer: the error (and its stack trace) only when it is one.
      stream.on("close", () => {
        if (!settled) finish(grpcCallError(status.UNAVAILABLE, `stream closed (code ${stream.rstCode})`));
      });
      stream.end(frame);
    });
  }

  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }

  private connect(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = http2.connect(this.url.origin, this.options);
    // Errors reach the calls through their streams; the session is replaced on the next call.
    session.on("error", () => this.forget(session));
    session.on("close", () => this.forget(session));
    session.on("goaway", () => this.forget(session));
    // Pending calls keep the process alive through their deadline timers, an idle session does not.
    session.unref();
    this.session = session;
    return session;
  }

  private forget(session: http2.ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }

  /** After a deadline: a session that does not answer a ping either is dropped (a dead peer). */
  private checkAlive(session: http2.ClientHttp2Session, timeoutMs: number): void {
    if (session.destroyed) return;
    const drop = () => {
      this.forget(session);
      session.destroy();
    };
    const timer = setTimeout(drop, timeoutMs);
    timer.unref();
    try {
      session.ping((error) => {
        clearTimeout(timer);
        if (error) drop();
      });
    } catch {
      clearTimeout(timer);
      drop();
    }
  }
}

/** grpc-message is percent-encoded; a malformed one is kept as it came. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
