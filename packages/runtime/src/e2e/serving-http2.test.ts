/**
 * HTTP/2 and HTTP/1.1 on one secure port, chosen by ALPN as kube-apiserver does: API
 * requests and the user's express routes over both, and watches multiplexed on one h2
 * connection the way client-go holds them.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { type ClientHttp2Session, connect, type IncomingHttpHeaders } from "node:http2";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect as tlsConnect } from "node:tls";
import express from "express";
import type { Authenticator } from "../auth/types.js";
import { localMode } from "../local/local-mode.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const FLUNDERS = "/apis/wardle.example.com/v1alpha1/namespaces";
const flunder = (name: string) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name },
  spec: { reference: "r" },
});

interface H2Answer {
  headers: IncomingHttpHeaders;
  body: string;
}

function h2Request(
  session: ClientHttp2Session,
  path: string,
  method = "GET",
  body?: string,
  headers: Record<string, string> = {},
): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": method,
      ":path": path,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    });
    let answerHeaders: IncomingHttpHeaders = {};
    let text = "";
    stream.setEncoding("utf8");
    stream.on("response", (h) => {
      answerHeaders = h;
    });
    stream.on("data", (c: string) => {
      text += c;
    });
    stream.on("end", () => resolve({ headers: answerHeaders, body: text }));
    stream.on("error", reject);
    stream.end(body);
  });
}

describe("HTTP/2 and HTTP/1.1 on one port", () => {
  let server: TestServer;
  let session: ClientHttp2Session;
  before(async () => {
    const app = express();
    app.use(express.json());
    app.get("/hello", (req, res) => {
      res.json({
        protocol: req.protocol,
        secure: req.secure,
        query: req.query.x,
        httpVersion: req.httpVersion,
        host: req.hostname,
      });
    });
    app.post("/echo", (req, res) => {
      res
        .status(201)
        .set("X-Echo", "yes")
        .json({ got: req.body as unknown });
    });
    server = await startTestServer({ nonApiHandler: app });
    const admin = server.local.pki.admin;
    session = connect(server.url, { ca: server.local.pki.ca.cert, cert: admin.cert, key: admin.key });
  });
  after(async () => {
    session.close();
    await server.close();
  });

  it("negotiates h2 or http/1.1 by ALPN on the same port", async () => {
    for (const [offered, expected] of [
      [["h2", "http/1.1"], "h2"],
      [["http/1.1"], "http/1.1"],
    ] as const) {
      const protocol = await new Promise<string | false | null>((resolve, reject) => {
        const socket = tlsConnect(
          {
            host: "127.0.0.1",
            port: server.port,
            ca: server.local.pki.ca.cert,
            ALPNProtocols: [...offered],
            servername: "localhost",
          },
          () => {
            resolve(socket.alpnProtocol);
            socket.destroy();
          },
        );
        socket.on("error", reject);
      });
      assert.equal(protocol, expected);
    }
  });

  it("serves the API over both protocols", async () => {
    const h2 = await h2Request(session, "/apis/wardle.example.com/v1alpha1");
    assert.equal(h2.headers[":status"], 200);
    assert.equal(JSON.parse(h2.body).kind, "APIResourceList");
    const h1 = await server.request("/apis/wardle.example.com/v1alpha1");
    assert.equal(h1.status, 200);
    assert.equal(h1.body, h2.body);
    const created = await h2Request(session, `${FLUNDERS}/h2/flunders`, "POST", JSON.stringify(flunder("over-h2")));
    assert.equal(created.headers[":status"], 201);
    assert.equal(JSON.parse(created.body).metadata.name, "over-h2");
  });

  it("runs the user's express routes for h2 clients", async () => {
    const hello = await h2Request(session, "/hello?x=1");
    assert.equal(hello.headers[":status"], 200);
    assert.match(String(hello.headers["content-type"]), /^application\/json/);
    assert.deepEqual(JSON.parse(hello.body), {
      protocol: "https",
      secure: true,
      query: "1",
      httpVersion: "1.1",
      host: "127.0.0.1",
    });
    const echo = await h2Request(session, "/echo", "POST", JSON.stringify({ a: [1, 2] }));
    assert.equal(echo.headers[":status"], 201);
    assert.equal(echo.headers["x-echo"], "yes");
    assert.deepEqual(JSON.parse(echo.body), { got: { a: [1, 2] } });
    const missing = await h2Request(session, "/nowhere");
    assert.equal(missing.headers[":status"], 404, "express's own 404");
    const h1 = await new Promise<string>((resolve, reject) => {
      const admin = server.local.pki.admin;
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port: server.port,
          path: "/hello?x=2",
          ca: server.local.pki.ca.cert,
          cert: admin.cert,
          key: admin.key,
          agent: false,
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
          });
          res.on("end", () => resolve(body));
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(JSON.parse(h1).query, "2");
  });

  it("multiplexes several watches and requests on one h2 connection, client-go style", async () => {
    const namespaces = ["w1", "w2", "w3"];
    const events = new Map<string, Array<{ type: string; object: { metadata: { name: string } } }>>();
    const streams = namespaces.map((ns) => {
      const stream = session.request({ ":path": `${FLUNDERS}/${ns}/flunders?watch=true&allowWatchBookmarks=true` });
      let buffer = "";
      events.set(ns, []);
      stream.setEncoding("utf8");
      stream.on("data", (c: string) => {
        buffer += c;
        let nl = buffer.indexOf("\n");
        while (nl >= 0) {
          events.get(ns)?.push(JSON.parse(buffer.slice(0, nl)));
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf("\n");
        }
      });
      stream.on("error", () => undefined);
      return stream;
    });
    await Promise.all(streams.map((s) => new Promise((resolve) => s.once("response", resolve))));
    // Writes go over the same session as the watches.
    for (const ns of namespaces) {
      for (const name of ["a", "b"]) {
        const res = await h2Request(
          session,
          `${FLUNDERS}/${ns}/flunders`,
          "POST",
          JSON.stringify(flunder(`${ns}-${name}`)),
        );
        assert.equal(res.headers[":status"], 201);
      }
    }
    const deleted = await h2Request(session, `${FLUNDERS}/w2/flunders/w2-a`, "DELETE");
    assert.equal(deleted.headers[":status"], 200);
    const deadline = Date.now() + 5000;
    const complete = () =>
      (events.get("w1")?.length ?? 0) >= 2 &&
      (events.get("w2")?.length ?? 0) >= 3 &&
      (events.get("w3")?.length ?? 0) >= 2;
    while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const ns of namespaces) {
      const seen = (events.get(ns) ?? []).map((e) => `${e.type} ${e.object.metadata.name}`);
      const expected = [`ADDED ${ns}-a`, `ADDED ${ns}-b`, ...(ns === "w2" ? ["DELETED w2-a"] : [])];
      assert.deepEqual(seen, expected, `watch on ${ns} sees only its namespace's events`);
    }
    for (const s of streams) s.close();
  });

  it("hands authenticators the connection, not the stream: a client certificate is verified once per h2 session", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "serving-h2-auth-"));
    const local = localMode(dataDir);
    const sockets = new Set<object>();
    const recording: Authenticator = {
      authenticate: (req) => {
        sockets.add(req.socket);
        return local.authenticator.authenticate(req);
      },
    };
    const other = await startTestServer({ dataDir, authenticator: recording });
    const admin = local.pki.admin;
    const sessions = [0, 1].map(() => connect(other.url, { ca: local.pki.ca.cert, cert: admin.cert, key: admin.key }));
    try {
      for (const session of sessions) {
        for (let i = 0; i < 3; i++) {
          const res = await h2Request(session, "/apis/wardle.example.com/v1alpha1");
          assert.equal(res.headers[":status"], 200);
        }
      }
      assert.equal(sockets.size, 2, "one socket identity per connection");
    } finally {
      for (const session of sessions) session.close();
      await other.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("turns a user handler's synchronous throw into a 500 on both protocols, and keeps serving", async () => {
    const raw = await startTestServer({
      nonApiHandler: (req, res) => {
        if (req.url === "/boom") throw new Error("boom");
        res.end("fine");
      },
    });
    const admin = raw.local.pki.admin;
    const h2 = connect(raw.url, { ca: raw.local.pki.ca.cert, cert: admin.cert, key: admin.key });
    try {
      const overH1 = await raw.request("/boom");
      assert.equal(overH1.status, 500);
      assert.equal(overH1.json().reason, "InternalError");
      const overH2 = await h2Request(h2, "/boom");
      assert.equal(overH2.headers[":status"], 500);
      assert.equal((await raw.request("/fine")).body, "fine");
      assert.equal((await h2Request(h2, "/fine")).body, "fine");
    } finally {
      h2.close();
      await raw.close();
    }
  });
});
