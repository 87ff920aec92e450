import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import http2 from "node:http2";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import fc from "fast-check";
import { GrpcChannel } from "./grpc-channel.js";
import { type GrpcCallError, grpcFrame } from "./grpc-message.js";
import { GrpcBidiStream } from "./grpc-stream.js";
import { type H2TestServer, startH2TestServer } from "./h2-test-server.js";

const echo = (b: Buffer) => Buffer.from(b);
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The parts of an HTTP/2 client stream GrpcBidiStream uses, driven by hand. */
class FakeHttp2Stream extends EventEmitter {
  closed = false;
  rstCode = 0;
  readonly session = undefined;
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  close(code = 0): void {
    this.closed = true;
    this.rstCode = code;
  }
  write(): boolean {
    return true;
  }
}

/** What a stream reported, in order. */
function record(stream: GrpcBidiStream<Buffer, Buffer>) {
  const seen: { data: Buffer[]; outcome: "end" | GrpcCallError | undefined; afterOutcome: number } = {
    data: [],
    outcome: undefined,
    afterOutcome: 0,
  };
  stream.on("data", (message) => {
    if (seen.outcome) seen.afterOutcome++;
    seen.data.push(message);
  });
  stream.on("end", () => {
    if (seen.outcome) seen.afterOutcome++;
    seen.outcome = "end";
  });
  stream.on("error", (error) => {
    if (seen.outcome) seen.afterOutcome++;
    seen.outcome = error;
  });
  return seen;
}

function fakeStream() {
  const http2Stream = new FakeHttp2Stream();
  const stream = new GrpcBidiStream<Buffer, Buffer>(
    http2Stream as unknown as http2.ClientHttp2Stream,
    echo,
    echo,
    () => {},
  );
  return { http2Stream, stream };
}

describe("GrpcBidiStream framing", () => {
  it("decodes the encoder's messages however they are cut into chunks, pausing between any two", () => {
    const messages = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 });
    fc.assert(
      fc.property(messages, fc.array(fc.nat(), { maxLength: 20 }), fc.array(fc.boolean()), (arrays, cuts, pauses) => {
        const sent = arrays.map((a) => Buffer.from(a));
        const bytes = Buffer.concat(sent.map(grpcFrame));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((from, i) => bytes.subarray(from, [...points, bytes.length][i]));
        const { http2Stream, stream } = fakeStream();
        const seen = record(stream);
        // The reader pauses after some messages: nothing comes until it resumes.
        let paused = false;
        stream.on("data", () => {
          assert.equal(paused, false, "a message while paused");
          if (pauses[seen.data.length % Math.max(pauses.length, 1)]) {
            paused = true;
            stream.pause();
          }
        });
        const resume = () => {
          paused = false;
          stream.resume();
        };
        http2Stream.emit("response", { ":status": 200 });
        for (const chunk of chunks) {
          http2Stream.emit("data", chunk);
          while (paused) resume();
        }
        http2Stream.emit("trailers", { "grpc-status": "0" });
        http2Stream.emit("end");
        while (paused) resume();
        assert.deepEqual(seen.data, sent);
        assert.equal(seen.outcome, "end");
        assert.equal(seen.afterOutcome, 0);
      }),
    );
  });

  it("keeps a status for after the messages a paused reader has not taken yet", () => {
    const { http2Stream, stream } = fakeStream();
    const seen = record(stream);
    stream.on("data", () => stream.pause());
    http2Stream.emit("response", { ":status": 200 });
    http2Stream.emit("data", Buffer.concat([grpcFrame(Buffer.from("a")), grpcFrame(Buffer.from("b"))]));
    http2Stream.emit("trailers", { "grpc-status": "11", "grpc-message": "out%20of%20range" });
    http2Stream.emit("end");
    http2Stream.emit("close");
    assert.deepEqual(seen.data, [Buffer.from("a")]);
    assert.equal(seen.outcome, undefined);
    stream.resume();
    assert.deepEqual(seen.data, [Buffer.from("a"), Buffer.from("b")]);
    assert.equal(seen.outcome, undefined);
    stream.resume();
    const error = seen.outcome as GrpcCallError | undefined;
    assert.equal(error?.code, status.OUT_OF_RANGE);
    assert.equal(error?.details, "out of range");
  });

  it("fails a stream that ends inside a message, without a status, or with a compressed message", () => {
    const cases: [Buffer, Record<string, string>, number][] = [
      [grpcFrame(Buffer.from("abc")).subarray(0, 6), { "grpc-status": "0" }, status.INTERNAL],
      [grpcFrame(Buffer.from("abc")), {}, status.UNAVAILABLE],
      [Buffer.from([1, 0, 0, 0, 0]), { "grpc-status": "0" }, status.INTERNAL],
    ];
    for (const [bytes, trailers, code] of cases) {
      const { http2Stream, stream } = fakeStream();
      const seen = record(stream);
      http2Stream.emit("response", { ":status": 200 });
      http2Stream.emit("data", bytes);
      http2Stream.emit("trailers", trailers);
      http2Stream.emit("end");
      assert.equal((seen.outcome as GrpcCallError | undefined)?.code, code, bytes.toString("hex"));
    }
  });

  it("fails a stream closed without a status, as a destroyed session closes its streams", () => {
    const { http2Stream, stream } = fakeStream();
    const seen = record(stream);
    http2Stream.emit("response", { ":status": 200 });
    http2Stream.emit("data", grpcFrame(Buffer.from("a")));
    http2Stream.emit("close");
    assert.deepEqual(seen.data, [Buffer.from("a")]);
    assert.equal((seen.outcome as GrpcCallError | undefined)?.code, status.UNAVAILABLE);
  });
});

describe("GrpcBidiStream over node:http2 (GrpcChannel.openStream)", () => {
  let server: H2TestServer;
  let url: URL;
  const serverStreams: { path: string; stream: http2.ServerHttp2Stream }[] = [];
  before(async () => {
    server = await startH2TestServer((stream, headers) => {
      const path = String(headers[":path"]);
      serverStreams.push({ path, stream });
      stream.on("error", () => {});
      if (path === "/trailers-only") {
        stream.respond(
          { ":status": 200, "grpc-status": "5", "grpc-message": "no%20such%20thing" },
          { endStream: true },
        );
        return;
      }
      if (path === "/unary") {
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(grpcFrame(Buffer.from("pong")));
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      if (path === "/flood") {
        // 4 MB of messages, far past the stream and connection windows.
        const message = grpcFrame(Buffer.alloc(64 * 1024 - 5, 7));
        for (let i = 0; i < 64; i++) stream.write(message);
        return;
      }
      // "/echo": every request back; a request "fail" ends the stream with an error status, "ok" with OK.
      let pending = Buffer.alloc(0);
      stream.on("data", (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
          const body = pending.subarray(5, 5 + pending.readUInt32BE(1));
          pending = pending.subarray(5 + body.length);
          const text = body.toString();
          if (text === "fail" || text === "ok") {
            const code = text === "fail" ? "9" : "0";
            stream.on("wantTrailers", () =>
              stream.sendTrailers({ "grpc-status": code, "grpc-message": "no%3A%20way" }),
            );
            stream.end();
            return;
          }
          stream.write(grpcFrame(body));
        }
      });
    });
    url = server.url;
  });
  after(() => server.close());

  const open = (channel: GrpcChannel, path: string) => {
    const stream = channel.openStream(path, echo, echo);
    return { stream, seen: record(stream) };
  };
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 500 && !condition(); i++) await settle(10);
    assert.ok(condition(), "timed out");
  };

  it("sends requests as gRPC messages and ends with the status of the trailers", async () => {
    const channel = new GrpcChannel(url, {});
    try {
      const ok = open(channel, "/echo");
      ok.stream.write(Buffer.from("one"));
      ok.stream.write(Buffer.from("two"));
      await until(() => ok.seen.data.length === 2);
      ok.stream.write(Buffer.from("ok"));
      await until(() => ok.seen.outcome !== undefined);
      assert.deepEqual(ok.seen.data.map(String), ["one", "two"]);
      assert.equal(ok.seen.outcome, "end");

      const failing = open(channel, "/echo");
      failing.stream.write(Buffer.from("fail"));
      await until(() => failing.seen.outcome !== undefined);
      const error = failing.seen.outcome as GrpcCallError;
      assert.equal(error.code, status.FAILED_PRECONDITION);
      assert.equal(error.details, "no: way");
      await settle(50);
      assert.equal(ok.seen.afterOutcome + failing.seen.afterOutcome, 0);
    } finally {
      channel.close();
    }
  });

  it("reports a trailers-only answer's status as the error", async () => {
    const channel = new GrpcChannel(url, {});
    try {
      const { seen } = open(channel, "/trailers-only");
      await until(() => seen.outcome !== undefined);
      assert.equal((seen.outcome as GrpcCallError).code, status.NOT_FOUND);
      assert.equal((seen.outcome as GrpcCallError).details, "no such thing");
    } finally {
      channel.close();
    }
  });

  it("cancels with RST_STREAM CANCEL and reports nothing afterwards", async () => {
    const channel = new GrpcChannel(url, {});
    try {
      const { stream, seen } = open(channel, "/echo");
      stream.write(Buffer.from("one"));
      await until(() => seen.data.length === 1);
      const server = serverStreams.at(-1)?.stream as http2.ServerHttp2Stream;
      stream.cancel();
      if (!server.closed) await once(server, "close");
      assert.equal(server.rstCode, http2.constants.NGHTTP2_CANCEL);
      stream.write(Buffer.from("ignored"));
      await settle(50);
      assert.equal(seen.outcome, undefined);
    } finally {
      channel.close();
    }
  });

  it("fails every open stream when the session is lost or gets a GOAWAY, and opens the next on a new session", async () => {
    const channel = new GrpcChannel(url, {});
    try {
      for (const end of ["destroy", "goaway"] as const) {
        const streams = [open(channel, "/echo"), open(channel, "/echo")];
        for (const { stream } of streams) stream.write(Buffer.from("hello"));
        await until(() => streams.every(({ seen }) => seen.data.length === 1));
        const session = serverStreams.at(-1)?.stream.session as http2.ServerHttp2Session;
        if (end === "destroy") session.destroy();
        else session.goaway(http2.constants.NGHTTP2_NO_ERROR, 2 ** 31 - 1);
        await until(() => streams.every(({ seen }) => seen.outcome !== undefined));
        for (const { seen } of streams) assert.equal((seen.outcome as GrpcCallError).code, status.UNAVAILABLE, end);
        const next = open(channel, "/echo");
        next.stream.write(Buffer.from("again"));
        await until(() => next.seen.data.length === 1);
        assert.notEqual(serverStreams.at(-1)?.stream.session, session);
        next.stream.cancel();
      }
    } finally {
      channel.close();
    }
  });

  it("fails a stream whose peer stops answering pings, and opens the next on a new session", async () => {
    // A TCP proxy that can go silent: a peer that is gone without closing the connection.
    let silent = false;
    const sockets: Socket[] = [];
    const proxy = createServer((client) => {
      const upstream = connect(Number(url.port), url.hostname);
      sockets.push(client, upstream);
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        from.on("error", () => {});
        from.on("data", (chunk: Buffer) => {
          if (!silent) to.write(chunk);
        });
      }
    });
    proxy.listen(0, "127.0.0.1");
    await once(proxy, "listening");
    const proxied = new URL(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    const channel = new GrpcChannel(proxied, {}, { intervalMs: 50, timeoutMs: 100 });
    try {
      const { stream, seen } = open(channel, "/echo");
      stream.write(Buffer.from("one"));
      await until(() => seen.data.length === 1);
      silent = true;
      await until(() => seen.outcome !== undefined);
      assert.equal((seen.outcome as GrpcCallError).code, status.UNAVAILABLE);
      silent = false;
      const next = open(channel, "/echo");
      next.stream.write(Buffer.from("two"));
      await until(() => next.seen.data.length === 1);
      next.stream.cancel();
    } finally {
      channel.close();
      for (const socket of sockets) socket.destroy();
      proxy.close();
    }
  });

  it("holds a paused stream back by flow control without stalling unary calls on the same session", async () => {
    const channel = new GrpcChannel(url, {});
    try {
      const { stream, seen } = open(channel, "/flood");
      stream.on("data", () => stream.pause());
      await until(() => seen.data.length === 1);
      await settle(100);
      const flood = serverStreams.at(-1)?.stream as http2.ServerHttp2Stream;
      assert.ok(flood.writableLength > 0, "the server is held back");
      assert.equal(seen.data.length, 1);
      const answer = await channel.call("/unary", Buffer.from("ping"), echo, echo, 2000);
      assert.equal(answer.toString(), "pong");
      stream.removeAllListeners("data");
      stream.on("data", (message) => seen.data.push(message));
      stream.resume();
      await until(() => seen.data.length === 64);
      stream.cancel();
    } finally {
      channel.close();
    }
  });
});
