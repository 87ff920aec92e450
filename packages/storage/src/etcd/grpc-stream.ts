import { EventEmitter } from "node:events";
import http2 from "node:http2";
import { status } from "@grpc/grpc-js";
import { type GrpcCallError, grpcCallError, grpcFrame, grpcStatusOf } from "./grpc-message.js";

const { NGHTTP2_CANCEL } = http2.constants;

/**
 * A bidirectional gRPC stream as its user sees it: decoded messages, then exactly one of "end"
 * (status OK) or "error" (a GrpcCallError carrying grpc-js's status code) — or nothing after
 * cancel(). pause() stops "data" at once, also between messages of one received chunk.
 */
export interface GrpcDuplex<Req, Res> {
  on(event: "data", listener: (message: Res) => void): this;
  on(event: "error", listener: (error: GrpcCallError) => void): this;
  on(event: "end", listener: () => void): this;
  write(request: Req): void;
  cancel(): void;
  pause(): void;
  resume(): void;
}

/**
 * One gRPC bidi stream over an HTTP/2 stream: requests go out as 5-byte length-prefixed
 * messages, answers are reassembled from DATA chunks (a message may span chunks, a chunk may
 * hold several) and decoded one at a time, so that a pause between two holds the rest back.
 */
export class GrpcBidiStream<Req, Res> extends EventEmitter implements GrpcDuplex<Req, Res> {
  /** Received bytes not yet decoded, in arrival order, and their total length. */
  private parts: Buffer[] = [];
  private size = 0;
  private paused = false;
  private draining = false;
  /** The server ended its side; the status is known once trailers (or trailers-only headers) came. */
  private ended = false;
  private code: number | undefined;
  private message = "";
  /** An outcome was reported or the caller cancelled: nothing more is emitted. */
  private done = false;

  /** `stream` undefined: the stream could not be opened, and fails with `openError`. */
  constructor(
    private readonly stream: http2.ClientHttp2Stream | undefined,
    private readonly serialize: (request: Req) => Buffer,
    private readonly deserialize: (response: Buffer) => Res,
    private readonly onDone: () => void,
    openError?: GrpcCallError,
  ) {
    super();
    if (!stream) {
      // Later, so that the caller's listeners are attached when it comes.
      process.nextTick(() => this.fail(openError ?? grpcCallError(status.UNAVAILABLE, "stream not opened")));
      return;
    }
    stream.on("response", (headers) => {
      const httpStatus = headers[":status"];
      if (httpStatus !== 200) {
        this.fail(grpcCallError(status.UNAVAILABLE, `etcd answered HTTP ${httpStatus}`));
        return;
      }
      this.noteStatus(headers);
    });
    stream.on("trailers", (headers) => this.noteStatus(headers));
    stream.on("data", (chunk: Buffer) => {
      this.parts.push(chunk);
      this.size += chunk.length;
      this.drain();
    });
    stream.on("end", () => {
      this.ended = true;
      this.drain();
    });
    stream.on("error", (error) => this.fail(grpcCallError(status.UNAVAILABLE, error.message)));
    // A session destroyed or lost closes its streams, some without an error event.
    stream.on("close", () => {
      if (this.ended && this.code !== undefined) return; // the outcome waits for a paused reader
      this.fail(grpcCallError(status.UNAVAILABLE, `stream closed (code ${stream.rstCode})`));
    });
  }

  write(request: Req): void {
    if (this.done || !this.stream || this.stream.closed) return;
    this.stream.write(grpcFrame(this.serialize(request)));
  }

  /** RST_STREAM CANCEL; no event follows. */
  cancel(): void {
    if (this.done) return;
    this.settle();
    this.stream?.close(NGHTTP2_CANCEL);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stream?.resume();
    this.drain();
  }

  /** Ends the stream with `error` (its session failed or went away). */
  fail(error: GrpcCallError): void {
    if (this.done) return;
    this.settle();
    if (this.stream && !this.stream.closed) this.stream.close(NGHTTP2_CANCEL);
    this.emit("error", error);
  }

  /** True while this stream runs on `session`. */
  isOn(session: http2.ClientHttp2Session): boolean {
    return this.stream?.session === session;
  }

  private noteStatus(headers: http2.IncomingHttpHeaders): void {
    const found = grpcStatusOf(headers);
    if (!found) return;
    this.code = found.code;
    this.message = found.message;
  }

  /** Decodes and emits every whole message received, until paused; then the outcome, once all is out. */
  private drain(): void {
    if (this.draining) return; // a listener paused or resumed from inside "data"
    this.draining = true;
    try {
      while (!this.done && !this.paused && this.size >= 5) {
        let first = this.parts[0] as Buffer;
        if (first.length < 5) first = this.merge();
        const total = 5 + first.readUInt32BE(1);
        if (this.size < total) break;
        if (first.length < total) first = this.merge();
        if (first[0] !== 0) {
          this.fail(grpcCallError(status.INTERNAL, "etcd sent a compressed message, which was not asked for"));
          return;
        }
        const body = first.subarray(5, total);
        if (first.length === total) this.parts.shift();
        else this.parts[0] = first.subarray(total);
        this.size -= total;
        let message: Res;
        try {
          message = this.deserialize(body);
        } catch (error) {
          this.fail(grpcCallError(status.INTERNAL, `cannot decode etcd's message: ${(error as Error).message}`));
          return;
        }
        this.emit("data", message);
      }
    } finally {
      this.draining = false;
    }
    if (this.ended && !this.done && !this.paused) this.finish();
  }

  /** The server's side ended and every message went out: the status decides. */
  private finish(): void {
    if (this.size > 0) {
      this.fail(grpcCallError(status.INTERNAL, "the stream ended inside a message"));
    } else if (this.code === undefined) {
      this.fail(grpcCallError(status.UNAVAILABLE, "the stream ended without a gRPC status"));
    } else if (this.code !== status.OK) {
      this.fail(grpcCallError(this.code, this.message));
    } else {
      this.settle();
      if (this.stream && !this.stream.closed) this.stream.close();
      this.emit("end");
    }
  }

  private merge(): Buffer {
    const whole = Buffer.concat(this.parts, this.size);
    this.parts = [whole];
    return whole;
  }

  private settle(): void {
    this.done = true;
    this.parts = [];
    this.size = 0;
    this.onDone();
  }
}
