#!/usr/bin/env node
// Watch fan-out (scenario 5 of issue 16): --watchers watches, --rate writes a second, vs a bare
// node:https server that writes the same event bytes to the same number of sockets.
//
//   node bench/watch.mjs [--quick] [--json] [--watchers 1000] [--rate 10] [--seconds 8] [--rounds N]
//
// One server process holds ours (ApiServer, memory storage behind the watch cache, local-mode
// client certificates) and the bare fan-out server (same serving certificate and TLS settings;
// GET /watch holds a chunked response open, POST /write appends the posted event line to every
// open response). Both sets of watchers stay connected for the whole run, each its own TLS
// connection (HTTP/1.1, as a Go client without h2); rounds alternate which server gets the writes.
// - delivery: the server's CPU per delivered event, bare over ours (a saturated core delivers
//   1/CPU events a second); every watcher must receive every write.
// - commit-to-client: from the moment the storage write resolved in the server (the bare server:
//   when the POST arrived) to the event's arrival at each watcher, p99 (clocks: both processes'
//   performance.timeOrigin + now() on one machine).
// - memory per idle watcher: collected memory before and after the watchers connected, per watcher.
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, createServer, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { MemoryStorage } from "@apiserver-kit/storage";
import { count, option, progress, serverExecArgv } from "./lib/args.mjs";
import { LoadClient } from "./lib/https-load.mjs";
import { startLocalServer } from "./lib/local-server.mjs";
import { FLUNDERS, flunder } from "./lib/objects.mjs";
import { collectedMemory, serveRequests, startServerProcess } from "./lib/process.mjs";
import { budgetRow, emit, figure, ratioRow } from "./lib/result.mjs";
import { alternate, latencySummary, median } from "./lib/stats.mjs";

const now = () => performance.timeOrigin + performance.now();
const nameOf = (line) => {
  const at = line.indexOf('"name":"');
  return at < 0 ? "" : line.slice(at + 8, line.indexOf('"', at + 8));
};

// ---------------------------------------------------------------- the server process

async function serve() {
  const dir = option("dir");
  const commits = new Map();
  const memory = new MemoryStorage();
  // When each write committed: the backend's create resolved.
  const storage = new Proxy(memory, {
    get(target, property) {
      if (property === "create") {
        return async (key, object) => {
          const created = await target.create(key, object);
          commits.set(object.metadata.name, now());
          return created;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const ours = await startLocalServer(storage, dir);
  const { pki } = ours;
  const watchers = new Set();
  const bare = createServer(
    {
      cert: pki.serving.cert,
      key: pki.serving.key,
      ca: pki.ca.cert,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: "TLSv1.2",
      keepAliveTimeout: 120_000,
    },
    (req, res) => {
      if (req.method === "GET") {
        res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
        res.flushHeaders();
        watchers.add(res);
        res.on("close", () => watchers.delete(res));
        return;
      }
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const line = Buffer.concat(chunks);
        commits.set(nameOf(line.toString("latin1", 0, 400)), now());
        for (const w of watchers) w.write(line);
        const object = line.subarray(line.indexOf('"object":') + 9, line.length - 2);
        res.writeHead(201, { "Content-Type": "application/json", "Content-Length": object.length });
        res.end(object);
      });
    },
  );
  await new Promise((resolve) => bare.listen(0, "127.0.0.1", resolve));
  serveRequests(
    {
      commits: () => {
        const all = Object.fromEntries(commits);
        commits.clear();
        return all;
      },
      rss: async () => {
        await collectedMemory();
        return process.memoryUsage().rss;
      },
      stop: async () => {
        for (const w of watchers) w.destroy();
        bare.close();
        await ours.server.close();
      },
    },
    { ours: ours.port, bare: bare.address().port, credentials: ours.credentials },
  );
}

// ---------------------------------------------------------------- the watchers and the writer

/** `n` watch streams on their own connections; records when each line arrived, by object name. */
async function openWatchers(port, path, credentials, n) {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, ...credentials });
  const arrivals = new Map();
  let lines = 0;
  let sample;
  const streams = [];
  const open = () =>
    new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`watch: ${res.statusCode}`));
        let rest = "";
        res.setEncoding("latin1");
        res.on("data", (chunk) => {
          const at = now();
          let text = rest + chunk;
          let end = text.indexOf("\n");
          while (end >= 0) {
            const line = text.slice(0, end);
            const name = nameOf(line);
            const times = arrivals.get(name);
            if (times) times.push(at);
            else arrivals.set(name, [at]);
            lines++;
            sample ??= `${line}\n`;
            text = text.slice(end + 1);
            end = text.indexOf("\n");
          }
          rest = text;
        });
        streams.push(req);
        resolve();
      });
      req.on("error", reject);
      req.end();
    });
  // A few at a time: 1,000 handshakes at once would time out on a busy machine.
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, open));
  return {
    arrivals,
    get lines() {
      return lines;
    },
    get sample() {
      return sample;
    },
    close() {
      for (const s of streams) s.destroy();
      agent.destroy();
    },
  };
}

async function main() {
  const watcherCount = count("watchers", 1000, 100);
  const rate = count("rate", 10, 10);
  const seconds = count("seconds", 8, 1);
  const rounds = count("rounds", 5, 1);
  const dir = mkdtempSync(join(tmpdir(), "bench-watch-"));
  const server = await startServerProcess(new URL(import.meta.url).pathname, ["--dir", dir], {
    execArgv: serverExecArgv(),
  });
  const { credentials } = server.info;
  const writers = {
    ours: new LoadClient({ port: server.info.ours, tls: credentials, connections: 4 }),
    bare: new LoadClient({ port: server.info.bare, tls: credentials, connections: 4 }),
  };
  const watchers = {};
  try {
    const rv = await writers.ours.send(FLUNDERS());
    const resourceVersion = JSON.parse(rv.body).metadata.resourceVersion;
    const oursPath = `${FLUNDERS()}?watch=true&resourceVersion=${resourceVersion}&timeoutSeconds=3600`;

    progress(`connecting ${watcherCount} watchers to each server`);
    const m0 = await server.memory();
    const r0 = await server.call("rss");
    watchers.ours = await openWatchers(server.info.ours, oursPath, credentials, watcherCount);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const m1 = await server.memory();
    const r1 = await server.call("rss");
    watchers.bare = await openWatchers(server.info.bare, "/watch", credentials, watcherCount);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const m2 = await server.memory();
    const r2 = await server.call("rss");

    let written = 0;
    const lines = []; // ours' event lines, replayed to the bare server
    /** One round of writes to `which`; CPU per delivered event and latencies. */
    const round = async (which) => {
      const w = watchers[which];
      const before = { lines: w.lines, cpu: await server.cpu() };
      const first = written;
      const total = Math.round(rate * seconds);
      await writers[which].openLoop(rate, seconds, (i) => {
        const name = `w-${which}-${written++}`;
        if (which === "ours") {
          return {
            path: FLUNDERS(),
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(flunder(name, i)),
          };
        }
        const line = lines[i % lines.length].replace(/"name":"[^"]*"/, `"name":"${name}"`);
        return { path: "/write", method: "POST", headers: { "Content-Type": "application/json" }, body: line };
      });
      const expected = before.lines + total * watcherCount;
      for (let waited = 0; w.lines < expected && waited < 30_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const cpu = (await server.cpu()) - before.cpu;
      const delivered = w.lines - before.lines;
      if (delivered !== total * watcherCount) {
        throw new Error(`${which}: ${delivered} of ${total * watcherCount} events delivered`);
      }
      const commits = await server.call("commits");
      const latencies = [];
      for (let i = first; i < written; i++) {
        const name = `w-${which}-${i}`;
        for (const at of w.arrivals.get(name) ?? []) latencies.push(at - commits[name]);
        w.arrivals.delete(name);
      }
      return { cpuPerEvent: cpu / delivered, latencies };
    };
    // Warm-up; ours' lines become the bare server's bytes.
    await round("ours");
    const sampleLine = watchers.ours.sample;
    lines.push(sampleLine);
    await round("bare");
    progress(`${rounds} rounds of ${seconds} s at ${rate} writes/s`);
    const { a: ours, b: bare } = await alternate(
      rounds,
      () => round("ours"),
      () => round("bare"),
    );
    const oursLatency = latencySummary(ours.flatMap((r) => r.latencies));
    const bareLatency = latencySummary(bare.flatMap((r) => r.latencies));
    const rows = [
      ratioRow({
        id: "watch-fanout",
        title: `watch fan-out: ${watcherCount} watchers, ${rate} writes/s`,
        ours: { value: median(ours.map((r) => r.cpuPerEvent)), unit: "µs CPU/event" },
        baseline: {
          value: median(bare.map((r) => r.cpuPerEvent)),
          unit: "µs CPU/event",
          label: "bare node:https writing the same bytes",
        },
        ratios: ours.map((r, i) => bare[i].cpuPerEvent / r.cpuPerEvent),
        goal: { op: ">=", value: 0.5 },
        note: `commit-to-client p99 ${oursLatency.p99.toFixed(1)} ms (bare ${bareLatency.p99.toFixed(1)} ms)`,
      }),
      budgetRow({
        id: "watch-memory",
        title: "memory per idle watcher",
        ours: { value: (m1 - m0) / watcherCount / 1024, unit: "KiB" },
        goal: { op: "<=", value: 20, unit: " KiB" },
        note: `bare node:https: ${((m2 - m1) / watcherCount / 1024).toFixed(1)} KiB per connection`,
      }),
    ];
    const figures = [
      figure(
        "watch commit-to-client p99, ours",
        oursLatency.p99,
        "ms",
        `p50 ${oursLatency.p50.toFixed(1)} ms, ${oursLatency.count} deliveries`,
      ),
      figure("watch commit-to-client p99, bare", bareLatency.p99, "ms", `p50 ${bareLatency.p50.toFixed(1)} ms`),
      figure(
        "RSS per idle watcher (with OpenSSL's buffers)",
        (r1 - r0) / watcherCount / 1024,
        "KiB",
        `bare: ${((r2 - r1) / watcherCount / 1024).toFixed(1)} KiB`,
      ),
      figure("event line size", Buffer.byteLength(sampleLine), "bytes"),
    ];
    emit({ scenario: "watch", title: "watch fan-out vs bare node:https", rows, figures });
  } finally {
    watchers.ours?.close();
    watchers.bare?.close();
    writers.ours.close();
    writers.bare.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--serve")) await serve();
else await main();
