import assert from "node:assert/strict";
import { once } from "node:events";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import { GrpcChannel } from "./grpc-channel.js";
import { grpcFrame } from "./grpc-message.js";
import { type H2TestServer, startH2TestServer } from "./h2-test-server.js";

const echo = (b: Buffer) => Buffer.from(b);

describe("GrpcChannel (gRPC unary calls over node:http2)", () => {
  let server: H2TestServer;
  let url: URL;
  before(async () => {
    server = await startH2TestServer((stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const request = Buffer.concat(chunks).subarray(5);
        if (headers[":path"] === "/echo") {
          stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
          stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
          // In two DATA frames, as a large answer arrives.
          const framed = grpcFrame(request);
          stream.write(framed.subarray(0, 3));
          stream.end(framed.subarray(3));
        } else if (headers[":path"] === "/fail") {
          // Trailers-only: the status comes in the headers, as etcd's errors do.
          stream.respond(
            { ":status": 200, "grpc-status": "11", "grpc-message": "etcdserver%3A mvcc%3A required revision" },
            { endStream: true },
          );
        }
        // "/hang": never answers.
      });
    });
    url = server.url;
  });
  after(() => server.close());

  it("sends the request as one gRPC message and decodes the answer, also when it arrives in pieces", async () => {
    const channel = new GrpcChannel(url, {});
    try {
      const payload = Buffer.from("x".repeat(70_000));
      const answer = await channel.call("/echo", payload, echo, echo, 5000);
      assert.deepEqual(answer, payload);
    } finally {
      channel.close();
    }
  });

  it("reports a trailers-only error with its code and percent-decoded message", async () => {
    const channel = new GrpcChannel(url, {});
    try {
      await assert.rejects(channel.call("/fail", Buffer.alloc(0), echo, echo, 5000), (error: unknown) => {
        const e = error as { code: number; details: string };
        assert.equal(e.code, status.OUT_OF_RANGE);
        assert.equal(e.details, "etcdserver: mvcc: required revision");
        return true;
      });
    } finally {
      channel.close();
    }
  });

  it("fails a call after its deadline, and keeps a session that still answers pings", async () => {
    const channel = new GrpcChannel(url, {});
    try {
      await assert.rejects(channel.call("/hang", Buffer.alloc(0), echo, echo, 100), (error: unknown) => {
        assert.equal((error as { code: number }).code, status.DEADLINE_EXCEEDED);
        return true;
      });
      assert.deepEqual(await channel.call("/echo", Buffer.from("a"), echo, echo, 5000), Buffer.from("a"));
    } finally {
      channel.close();
    }
  });

  it("answers UNAVAILABLE when nothing listens, and connects again once something does", async () => {
    const probe = http2.createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, "close");
    const channel = new GrpcChannel(new URL(`http://127.0.0.1:${port}`), {});
    try {
      await assert.rejects(channel.call("/echo", Buffer.from("a"), echo, echo, 5000), (error: unknown) => {
        assert.equal((error as { code: number }).code, status.UNAVAILABLE);
        return true;
      });
      const again = http2.createServer();
      again.on("stream", (stream) => {
        stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(grpcFrame(Buffer.from("b")));
      });
      again.listen(port, "127.0.0.1");
      await once(again, "listening");
      try {
        assert.deepEqual(await channel.call("/echo", Buffer.from("a"), echo, echo, 5000), Buffer.from("b"));
      } finally {
        channel.close();
        again.close();
      }
    } finally {
      channel.close();
    }
  });
});
