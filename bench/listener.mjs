#!/usr/bin/env node
// What serving HTTP/1.1 costs behind the runtime's listener (docs/decisions/0006-http2.md): one
// trivial handler (a ~1 KB JSON answer) behind the ALPN dispatch to separate h1/h2 servers (what
// the runtime does) and behind http2.createSecureServer({ allowHTTP1 }), each against
// https.createServer with the same handler and TLS settings. Figures for the decision, no goal.
//
//   node bench/listener.mjs [--quick] [--json] [--requests N] [--rounds N] [--connections N]
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttp2Server, createSecureServer } from "node:http2";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { ensureLocalPki } from "@apiserver-kit/runtime";
import { count, option, progress, serverExecArgv } from "./lib/args.mjs";
import { LoadClient } from "./lib/https-load.mjs";
import { serveRequests, startServerProcess } from "./lib/process.mjs";
import { emit, ratioRow } from "./lib/result.mjs";
import { alternate, median } from "./lib/stats.mjs";

async function serve() {
  const pki = ensureLocalPki(option("dir"));
  const tls = {
    cert: pki.serving.cert,
    key: pki.serving.key,
    ca: pki.ca.cert,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: "TLSv1.2",
  };
  const payload = Buffer.from(JSON.stringify({ kind: "APIResourceList", padding: "x".repeat(900) }));
  const trivial = (_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": payload.length });
    res.end(payload);
  };
  const plain = createHttpsServer({ ...tls, keepAliveTimeout: 120_000 }, trivial);
  const allow = createSecureServer({ ...tls, allowHTTP1: true }, trivial);
  const h1 = createHttpServer({ keepAliveTimeout: 120_000 }, trivial);
  h1.emit("listening");
  const h2 = createHttp2Server({}, trivial);
  const alpn = createTlsServer({ ...tls, ALPNProtocols: ["h2", "http/1.1"] }, (socket) =>
    (socket.alpnProtocol === "h2" ? h2 : h1).emit("connection", socket),
  );
  for (const s of [plain, allow, alpn]) await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  serveRequests(
    {
      stop: () => {
        for (const s of [plain, allow, alpn]) s.close();
      },
    },
    {
      ports: { plain: plain.address().port, allow: allow.address().port, alpn: alpn.address().port },
      tls: { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key },
    },
  );
}

async function main() {
  const requests = count("requests", 4000, 300);
  const rounds = count("rounds", 5, 2);
  const connections = count("connections", 16, 16);
  const dir = mkdtempSync(join(tmpdir(), "bench-listener-"));
  const server = await startServerProcess(new URL(import.meta.url).pathname, ["--dir", dir], {
    execArgv: serverExecArgv(),
  });
  const { ports, tls } = server.info;
  const clients = Object.fromEntries(
    Object.entries(ports).map(([name, port]) => [name, new LoadClient({ port, tls, connections })]),
  );
  const measure = async (which) => {
    const before = await server.cpu();
    await clients[which].closedLoop("/", {}, requests, connections);
    return ((await server.cpu()) - before) / requests;
  };
  try {
    const rows = [];
    for (const [id, which, title] of [
      ["listener-alpn", "alpn", "h1 through the ALPN dispatch (the runtime's listener)"],
      ["listener-allow", "allow", "h1 through http2.createSecureServer({ allowHTTP1 })"],
    ]) {
      progress(`${title}: ${rounds} rounds of ${requests} requests`);
      await measure(which);
      await measure("plain");
      const { a, b } = await alternate(
        rounds,
        () => measure(which),
        () => measure("plain"),
      );
      rows.push(
        ratioRow({
          id,
          title,
          ours: { value: median(a), unit: "µs CPU/request" },
          baseline: { value: median(b), unit: "µs CPU/request", label: "https.createServer, same handler" },
          ratios: a.map((x, i) => b[i] / x),
        }),
      );
    }
    emit({ scenario: "listener", title: "HTTP/1.1 behind the listener variants", rows });
  } finally {
    for (const c of Object.values(clients)) c.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--serve")) await serve();
else await main();
