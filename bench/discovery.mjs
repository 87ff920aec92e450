#!/usr/bin/env node
// Serving benchmarks against a bare node:https server answering the same bytes with the
// same TLS settings, over keep-alive HTTP/1.1 connections. The servers run in a child
// process (one core), the load generator here (the other); rounds alternate ours and the
// baseline and the median of the per-round ratios is printed.
//
//   node bench/discovery.mjs [--requests 3000] [--rounds 5] [--connections 16] [--only discovery|get|listener]
//
// The ratio is the baseline's server CPU per request over ours (1.0x = as cheap as bare
// node:https): on a shared 2-core machine the load generator and other work distort the
// wall-clock rate, which is printed beside it.
//
// Scenarios: aggregated discovery (/apis, v2), legacy discovery (/apis/<g>/<v>), GET one
// object through the whole chain (goal ≥ 0.8x), and "listener": the cost for HTTP/1.1 of
// the ALPN dispatch to separate h1/h2 servers vs http2.createSecureServer({allowHTTP1}),
// both against https.createServer with the same trivial handler (docs/decisions/0006-http2.md).
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttp2Server, createSecureServer } from "node:http2";
import { Agent, createServer as createHttpsServer, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { ApiServer, localMode } from "@apiserver-kit/runtime";
import { wardleDefinitions } from "@apiserver-kit/runtime/testing";
import { MemoryStorage } from "@apiserver-kit/storage";

const V2 =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
const GV = "/apis/wardle.example.com/v1alpha1";
const ONE = `${GV}/namespaces/default/flunders/bench`;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// ---------------------------------------------------------------- the server process

async function serve() {
  const dir = mkdtempSync(join(tmpdir(), "bench-discovery-"));
  const local = localMode(dir);
  const tlsOptions = {
    cert: local.tls.cert,
    key: local.tls.key,
    ca: local.tls.clientCA,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: "TLSv1.2",
  };
  const ours = new ApiServer({
    resources: wardleDefinitions,
    storage: new MemoryStorage(),
    tls: local.tls,
    authenticator: local.authenticator,
    authorizer: local.authorizer,
  });
  const oursPort = (await ours.listen(0)).port;
  const client = { ca: local.pki.ca.cert, cert: local.pki.admin.cert, key: local.pki.admin.key };
  const once = (path, options = {}) =>
    new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: oursPort, path, agent: false, ...client, ...options }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode,
            type: res.headers["content-type"],
            etag: res.headers.etag,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on("error", reject);
      req.end(options.body);
    });
  const body = JSON.stringify({
    apiVersion: "wardle.example.com/v1alpha1",
    kind: "Flunder",
    metadata: { name: "bench" },
    spec: { reference: "r", replicas: 2 },
  });
  await once(`${GV}/namespaces/default/flunders`, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
  });
  // The baseline answers the very bytes ours answers, per path.
  const answers = {
    "/apis": await once("/apis", { headers: { Accept: V2 } }),
    [GV]: await once(GV),
    [ONE]: await once(ONE),
  };
  const bare = createHttpsServer({ ...tlsOptions, keepAliveTimeout: 120_000 }, (req, res) => {
    const path = req.url.split("?")[0];
    const answer = answers[path];
    if (!answer) {
      res.writeHead(404);
      res.end();
      return;
    }
    const headers = {
      "Content-Type": answer.type,
      "Content-Length": answer.body.length,
      "Cache-Control": "no-cache, private",
    };
    if (answer.etag) headers.ETag = answer.etag;
    res.writeHead(200, headers);
    res.end(answer.body);
  });
  await new Promise((r) => bare.listen(0, "127.0.0.1", r));

  // The listener comparison: one trivial handler behind three ways of serving h1.
  const payload = Buffer.from(JSON.stringify({ kind: "APIResourceList", padding: "x".repeat(900) }));
  const trivial = (_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": payload.length });
    res.end(payload);
  };
  const plain = createHttpsServer({ ...tlsOptions, keepAliveTimeout: 120_000 }, trivial);
  const allow = createSecureServer({ ...tlsOptions, allowHTTP1: true }, trivial);
  const h1 = createHttpServer({ keepAliveTimeout: 120_000 }, trivial);
  h1.emit("listening");
  const h2 = createHttp2Server({}, trivial);
  const alpn = createTlsServer({ ...tlsOptions, ALPNProtocols: ["h2", "http/1.1"] }, (socket) =>
    (socket.alpnProtocol === "h2" ? h2 : h1).emit("connection", socket),
  );
  for (const s of [plain, allow, alpn]) await new Promise((r) => s.listen(0, "127.0.0.1", r));

  process.send({
    ports: {
      ours: oursPort,
      bare: bare.address().port,
      plain: plain.address().port,
      allow: allow.address().port,
      alpn: alpn.address().port,
    },
    client,
  });
  process.on("message", async (m) => {
    if (m === "cpu") {
      const { user, system } = process.cpuUsage();
      process.send({ cpu: user + system });
    }
    if (m === "stop") {
      await ours.close();
      for (const s of [bare, plain, allow, alpn]) s.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- the load generator

/** The server process's CPU time so far, in microseconds. */
function serverCpu(child) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m && typeof m.cpu === "number") {
        child.off("message", onMessage);
        resolve(m.cpu);
      }
    };
    child.on("message", onMessage);
    child.send("cpu");
  });
}

/**
 * `count` requests over `connections` keep-alive connections: requests per second of wall
 * time, and microseconds of the server process's CPU per request (what the server itself
 * spends, whatever else the machine is doing).
 */
async function load(child, port, path, headers, client, count, connections) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections, ...client });
  let started = 0;
  let failed = 0;
  const cpuBefore = await serverCpu(child);
  const t0 = performance.now();
  const worker = async () => {
    while (started < count) {
      started++;
      await new Promise((resolve) => {
        const req = request({ host: "127.0.0.1", port, path, headers, agent }, (res) => {
          if (res.statusCode !== 200) failed++;
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", () => {
          failed++;
          resolve();
        });
        req.end();
      });
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await serverCpu(child)) - cpuBefore;
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} requests failed on port ${port} ${path}`);
  return { rate: count / seconds, cpuPerRequest: cpu / count };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const count = Number(option("requests", "3000"));
  const rounds = Number(option("rounds", "5"));
  const connections = Number(option("connections", "16"));
  const only = option("only", "");
  const child = fork(new URL(import.meta.url).pathname, ["--serve"], { stdio: "inherit" });
  const { ports, client } = await new Promise((resolve) => child.once("message", resolve));
  const scenarios = [
    {
      name: "discovery /apis (aggregated v2)",
      group: "discovery",
      path: "/apis",
      headers: { Accept: V2 },
      goal: 0.9,
      pair: ["ours", "bare"],
    },
    { name: `discovery ${GV}`, group: "discovery", path: GV, headers: {}, goal: 0.9, pair: ["ours", "bare"] },
    { name: "GET one object", group: "get", path: ONE, headers: {}, goal: 0.8, pair: ["ours", "bare"] },
    { name: "h1 via ALPN dispatch vs https", group: "listener", path: "/", headers: {}, pair: ["alpn", "plain"] },
    { name: "h1 via allowHTTP1 vs https", group: "listener", path: "/", headers: {}, pair: ["allow", "plain"] },
  ].filter((s) => !only || s.group === only);
  let missed = false;
  for (const s of scenarios) {
    const [a, b] = s.pair;
    const rateRatios = [];
    const cpuRatios = [];
    const cpu = { [a]: [], [b]: [] };
    await load(child, ports[a], s.path, s.headers, client, count / 4, connections); // warm-up
    await load(child, ports[b], s.path, s.headers, client, count / 4, connections);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? s.pair : [b, a];
      const r = {};
      for (const which of order)
        r[which] = await load(child, ports[which], s.path, s.headers, client, count, connections);
      rateRatios.push(r[a].rate / r[b].rate);
      cpuRatios.push(r[b].cpuPerRequest / r[a].cpuPerRequest);
      cpu[a].push(r[a].cpuPerRequest);
      cpu[b].push(r[b].cpuPerRequest);
    }
    // Server CPU per request decides what a saturated server can do; wall-clock rate is printed too.
    const ratio = median(cpuRatios);
    const verdict =
      s.goal === undefined ? "" : ratio >= s.goal ? `  goal ≥ ${s.goal}x: met` : `  goal ≥ ${s.goal}x: MISSED`;
    if (s.goal !== undefined && ratio < s.goal) missed = true;
    console.log(
      `${s.name.padEnd(44)} server CPU/request ${a} ${median(cpu[a]).toFixed(0)} µs, ${b} ${median(cpu[b]).toFixed(0)} µs → ${ratio.toFixed(2)}x;  wall-clock rate ratio ${median(rateRatios).toFixed(2)}x${verdict}`,
    );
  }
  child.send("stop");
  process.exitCode = missed ? 1 : 0;
}

if (process.argv.includes("--serve")) await serve();
else await main();
