import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { status } from "@grpc/grpc-js";
import { type GrpcCallError, grpcCallError, grpcFrame, grpcStatusOf } from "./grpc-message.js";
import { GrpcBidiStream } from "./grpc-stream.js";

/** What the channel needs of its open streams: to fail those of a session it gives up. */
type OpenStream = Pick<GrpcBidiStream<never, unknown>, "fail" | "isOn">;

/** TLS material for an https:// endpoint (PEM file paths). */
export interface UnaryTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

const { NGHTTP2_CANCEL } = http2.constants;

/** While streams are open, a ping this often, and a session whose answer takes longer is dropped (grpc-js's keepalive). */
export interface Keepalive {
  intervalMs: number;
  timeoutMs: number;
}

const KEEPALIVE: Keepalive = { intervalMs: 10_000, timeoutMs: 5000 };

/**
 * gRPC calls straight over node:http2, for the calls every write makes (KV Range and Txn) and
 * the Watch streams that deliver every write's event: grpc-js's call stack (interceptors,
 * resolving, load-balancing, retrying and subchannel calls, metadata objects, per-call timers)
 * cost about as much CPU as the HTTP/2 work itself, ≈45% of a call, and 50–130 µs per watch
 * message. One session per endpoint, opened on first use and replaced when it closes, errors,
 * gets a GOAWAY or stops answering pings; its open streams then fail. Failures carry grpc-js's
 * status codes, so that callers (endpoint rotation, toStorageError, EtcdWatch) treat both alike.
 * Open streams keep the process alive; an idle session does not.
 */
export class GrpcChannel {
  private session: http2.ClientHttp2Session | undefined;
  private readonly options: http2.SecureClientSessionOptions;
  private closed = false;
  private readonly streams = new Set<OpenStream>();
  private keepalive: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: URL,
    tls: UnaryTls,
    private readonly keepaliveTiming: Keepalive = KEEPALIVE,
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
      const frame = grpcFrame(serialize(request));
      // etcd stops working on a request whose caller gave up.
      const opened = this.request(path, { "grpc-timeout": `${timeoutMs}m` });
      if ("code" in opened) {
        reject(opened);
        return;
      }
      const { session: open, stream } = opened;
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
        const found = grpcStatusOf(headers);
        if (!found) return;
        code = found.code;
        message = found.message;
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

  /**
   * A bidi stream (no deadline: it lives until cancelled or failed). It shares the session with
   * the unary calls: node:http2 gives the connection window back as data arrives, and holds back
   * only the window of a paused stream, so a paused watch never stalls the calls beside it.
   */
  openStream<Req, Res>(
    path: string,
    serialize: (request: Req) => Buffer,
    deserialize: (response: Buffer) => Res,
  ): GrpcBidiStream<Req, Res> {
    if (this.closed) {
      const failure = grpcCallError(status.CANCELLED, "channel closed");
      return new GrpcBidiStream(undefined, serialize, deserialize, () => {}, failure);
    }
    const opened = this.request(path, {});
    if ("code" in opened) return new GrpcBidiStream(undefined, serialize, deserialize, () => {}, opened);
    const stream: GrpcBidiStream<Req, Res> = new GrpcBidiStream(opened.stream, serialize, deserialize, () =>
      this.untrack(stream),
    );
    this.streams.add(stream);
    this.keepalive ??= setInterval(() => this.ping(), this.keepaliveTiming.intervalMs).unref();
    this.holdProcess(opened.session);
    return stream;
  }

  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }

  /** A new HTTP/2 stream for a call of `path`, or UNAVAILABLE when the session cannot open one. */
  private request(
    path: string,
    headers: http2.OutgoingHttpHeaders,
  ): { session: http2.ClientHttp2Session; stream: http2.ClientHttp2Stream } | GrpcCallError {
    let session: http2.ClientHttp2Session | undefined;
    try {
      session = this.connect();
      const stream = session.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/grpc",
        te: "trailers",
        ...headers,
      });
      return { session, stream };
    } catch (error) {
      // A session that cannot open streams (closing, out of stream ids) is replaced on the next call.
      if (session) {
        this.forget(session);
        session.close();
      }
      return grpcCallError(status.UNAVAILABLE, (error as Error).message);
    }
  }

  private connect(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = http2.connect(this.url.origin, this.options);
    // Errors reach the calls through their streams; the session is replaced on the next call.
    session.on("error", () => this.forget(session));
    session.on("close", () => this.forget(session));
    session.on("goaway", () => {
      this.forget(session);
      // The streams still open on it move to a new session, by failing (EtcdWatch resumes them).
      this.failStreams(session, "etcd sent GOAWAY");
    });
    this.session = session;
    this.holdProcess(session);
    return session;
  }

  private forget(session: http2.ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }

  private failStreams(session: http2.ClientHttp2Session, reason: string): void {
    for (const stream of [...this.streams]) {
      if (stream.isOn(session)) stream.fail(grpcCallError(status.UNAVAILABLE, reason));
    }
  }

  private untrack(stream: OpenStream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0 && this.keepalive) {
      clearInterval(this.keepalive);
      this.keepalive = undefined;
    }
    if (this.session) this.holdProcess(this.session);
  }

  /**
   * Open streams (watches) keep the process alive, as an open socket does; an idle session does
   * not. Pending unary calls keep it alive through their deadline timers.
   */
  private holdProcess(session: http2.ClientHttp2Session): void {
    if (session.destroyed) return;
    if (this.streams.size > 0) session.ref();
    else session.unref();
  }

  /** A stream waits for messages indefinitely: a dead peer is found by pings, not by deadlines. */
  private ping(): void {
    if (this.session) this.checkAlive(this.session, this.keepaliveTiming.timeoutMs);
  }

  /** After a deadline: a session that does not answer a ping either is dropped (a dead peer). */
  private checkAlive(session: http2.ClientHttp2Session, timeoutMs: number): void {
    if (session.destroyed) return;
    const drop = () => {
      this.forget(session);
      this.failStreams(session, "etcd does not answer pings");
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
