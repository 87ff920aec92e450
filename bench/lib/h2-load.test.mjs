import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { constants, createSecureServer } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureLocalPki } from "@apiserver-kit/runtime";
import { decodeStatus, H2LoadClient } from "./h2-load.mjs";

// The lean HTTP/2 load client against node's own HTTP/2 server (nghttp2's encoder and flow control).
describe("H2LoadClient", () => {
  let dir;
  let server;
  let client;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "h2-load-"));
    const pki = ensureLocalPki(dir);
    server = createSecureServer({ key: pki.serving.key, cert: pki.serving.cert }, (req, res) => {
      const url = new URL(req.url, "https://x");
      if (url.pathname === "/reset") {
        req.stream.close(constants.NGHTTP2_CANCEL);
        return;
      }
      const chunks = [];
      req.on("data", (chunk) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const status = Number(url.searchParams.get("status") ?? 200);
        const size = Number(url.searchParams.get("size") ?? 0);
        res.writeHead(status, { "content-type": "application/json", "x-seen": req.headers["x-remote-user"] ?? "" });
        if (size > 0) res.end(Buffer.alloc(size, 0x61));
        else
          res.end(
            JSON.stringify({
              method: req.method,
              path: url.pathname,
              length: body.length,
              type: req.headers["content-type"],
            }),
          );
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    client = new H2LoadClient({ port: server.address().port, tls: { ca: pki.ca.cert } });
    await client.open();
  });
  after(async () => {
    client.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads every status nghttp2 encodes, indexed or Huffman-coded, with the body", async () => {
    const statuses = [200, 201, 202, 204, 206, 299, 304, 400, 401, 403, 404, 409, 410, 418, 422, 429, 500, 503, 504];
    for (const status of statuses) {
      const answer = await client.request("GET", `/x?status=${status}`, { "x-remote-user": "admin" });
      assert.equal(answer.status, status);
      if (status !== 204 && status !== 304) {
        assert.deepEqual(JSON.parse(answer.body.toString()), { method: "GET", path: "/x", length: 0 });
      }
    }
    assert.equal(await client.get("/x?status=418", {}), 418);
  });

  it("sends bodies past the connection's first window, waiting for the server's WINDOW_UPDATEs", async () => {
    const body = JSON.stringify({ pad: "b".repeat(4000) });
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        client.request("POST", `/create-${i}?status=201`, { "Content-Type": "application/json" }, body),
      ),
    );
    assert.equal(64 * body.length > 65_535, true, "more than the default connection window");
    answers.forEach((answer, i) => {
      assert.equal(answer.status, 201);
      assert.deepEqual(JSON.parse(answer.body.toString()), {
        method: "POST",
        path: `/create-${i}`,
        length: body.length,
        type: "application/json",
      });
    });
  });

  it("receives an answer larger than a default window and frame", async () => {
    const answer = await client.request("GET", "/big?size=3000000", {});
    assert.equal(answer.status, 200);
    assert.equal(answer.body.length, 3_000_000);
    assert.equal(
      answer.body.every((b) => b === 0x61),
      true,
    );
  });

  it("fails a reset stream and goes on with the others", async () => {
    await assert.rejects(client.request("GET", "/reset", {}), /stream \d+ reset with code 8/);
    assert.equal(await client.get("/after-reset", {}), 200);
  });

  it("decodes a literal :status as HPACK writes it without Huffman coding", () => {
    // Literal without indexing, name index 8 (:status), value "201" as plain octets.
    assert.equal(decodeStatus(Buffer.from([0x08, 0x03, 0x32, 0x30, 0x31])), 201);
    // A dynamic table size update first, then indexed :status 404 (index 13).
    assert.equal(decodeStatus(Buffer.from([0x20, 0x8d])), 404);
    assert.throws(() => decodeStatus(Buffer.from([0x82])), /indexed 2, not a :status/);
  });
});
