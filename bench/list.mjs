#!/usr/bin/env node
// Lists from the watch cache, pages, and the memory a cached object costs (scenarios 4 and 6
// of issue 16).
//
//   node bench/list.mjs [--quick] [--json] [--objects 100000] [--list 10000] [--small 1000] [--rounds N]
//
// One server process holds two servers on SQLite (their databases filled beforehand with
// objects shaped by a real create, ~1 KB of JSON each): "small" with --small objects and
// "large" with --objects, of which --list sit in one namespace.
// - list: GET of that namespace (--list objects, served from the watch cache) — the server's
//   CPU per list vs the CPU of JSON.stringify of the same items in the same process (goal
//   ≤ 2x); peak extra memory while answering (heapUsed + external + arrayBuffers sampled
//   around the response's end and until it is sent, over the collected level before) vs the
//   response size (goal ≤ 3x).
// - pages: limit=500 pages walked with continue tokens across the whole small and large
//   collections; per-page latency at --objects vs at --small (goal ≤ 2x).
// - memory: collected memory before and after the large server loaded its watch cache, per
//   object, vs each object's JSON size (goal ≤ 3x); and what the first list added per listed
//   object (the runtime memoizes each served object's JSON beside it), as a figure.
import { mkdtempSync, rmSync } from "node:fs";
import { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { SqliteStorage } from "@apiserver-kit/storage";
import { count, option, progress, serverExecArgv } from "./lib/args.mjs";
import { fillSqlite, storedTemplate } from "./lib/fill.mjs";
import { LoadClient } from "./lib/https-load.mjs";
import { startLocalServer } from "./lib/local-server.mjs";
import { FLUNDERS, GROUP_VERSION_PATH } from "./lib/objects.mjs";
import { collectedMemory, serveRequests, startServerProcess } from "./lib/process.mjs";
import { budgetRow, emit, figure, ratioRow } from "./lib/result.mjs";
import { alternate, maximum, median } from "./lib/stats.mjs";

const LIST_NAMESPACE = "listed";
const ALL = `${GROUP_VERSION_PATH}/flunders`;

// ---------------------------------------------------------------- the server process

/** Memory samples taken while responses are written (heapUsed + external + arrayBuffers). */
let sampling;
const sample = () => {
  if (!sampling) return;
  const m = process.memoryUsage();
  sampling.push(m.heapUsed + m.external + m.arrayBuffers);
};
// The response body exists in full when end() is called and is copied on its way out: sample
// there, and on every turn until the response is sent.
const originalEnd = ServerResponse.prototype.end;
ServerResponse.prototype.end = function end(...args) {
  sample();
  const result = originalEnd.apply(this, args);
  sample();
  if (sampling) {
    const samples = sampling;
    const tick = () => {
      if (sampling !== samples || this.writableFinished) return;
      sample();
      setImmediate(tick);
    };
    setImmediate(tick);
  }
  return result;
};

async function serve() {
  const dir = option("dir");
  const large = Number(option("objects"));
  const listed = Number(option("list"));
  const small = Number(option("small"));
  const pki = join(dir, "pki");
  const template = await storedTemplate(pki);
  let t0 = performance.now();
  await fillSqlite(join(dir, "small"), template, small);
  await fillSqlite(join(dir, "large"), template, large, (i) => (i < listed ? LIST_NAMESPACE : "rest"));
  const fillSeconds = (performance.now() - t0) / 1000;

  const open = (name) => SqliteStorage.open({ dataDir: join(dir, name), compactionIntervalMs: 0 });
  const smallServer = await startLocalServer(await open("small"), pki);
  const largeStorage = await open("large");
  // The baseline's own copy of the listed objects, held before the memory is measured.
  const listItems = (await largeStorage.list(`/registry/wardle.example.com/flunders/${LIST_NAMESPACE}/`)).items;
  const before = await collectedMemory();
  t0 = performance.now();
  const largeServer = await startLocalServer(largeStorage, pki);
  const loadSeconds = (performance.now() - t0) / 1000;
  const loaded = await collectedMemory();

  serveRequests(
    {
      /** CPU microseconds of `times` JSON.stringify calls on the listed items; the last one's size. */
      stringify: (times) => {
        let bytes = 0;
        const start = process.cpuUsage();
        for (let i = 0; i < times; i++) bytes = JSON.stringify(listItems).length;
        const used = process.cpuUsage(start);
        return { cpu: (used.user + used.system) / times, bytes };
      },
      /** Starts sampling memory; returns the collected level to measure from. */
      startSampling: async () => {
        const level = await collectedMemory();
        sampling = [];
        return level;
      },
      stopSampling: () => {
        const samples = sampling ?? [];
        sampling = undefined;
        return samples.length ? maximum(samples) : 0;
      },
      memory: collectedMemory,
      /** A heap snapshot (for a closer look at what the memory holds); returns its path. */
      snapshot: async () => {
        await collectedMemory();
        const { writeHeapSnapshot } = await import("node:v8");
        return writeHeapSnapshot(join(dir, `list-${Date.now()}.heapsnapshot`));
      },
      stop: async () => {
        await smallServer.server.close();
        await largeServer.server.close();
      },
    },
    {
      small: smallServer.port,
      large: largeServer.port,
      credentials: largeServer.credentials,
      fillSeconds,
      loadSeconds,
      memoryBefore: before,
      memoryLoaded: loaded,
      itemBytes: JSON.stringify(listItems).length / listItems.length,
    },
  );
}

// ---------------------------------------------------------------- the client

async function main() {
  const large = count("objects", 100_000, 5000);
  const listed = Math.min(large, count("list", 10_000, 5000));
  const small = count("small", 1000, 500);
  const rounds = count("rounds", 5, 2);
  const dir = mkdtempSync(join(tmpdir(), "bench-list-"));
  progress(`filling SQLite with ${small} and ${large} objects`);
  const server = await startServerProcess(
    new URL(import.meta.url).pathname,
    ["--dir", dir, "--objects", String(large), "--list", String(listed), "--small", String(small)],
    { execArgv: serverExecArgv(["--max-old-space-size=4096"]) },
  );
  const info = server.info;
  progress(
    `filled in ${info.fillSeconds.toFixed(1)} s; the large watch cache loaded in ${info.loadSeconds.toFixed(1)} s`,
  );
  const client = (port) => new LoadClient({ port, tls: info.credentials, connections: 1 });
  const largeClient = client(info.large);
  const smallClient = client(info.small);
  const rows = [];
  const figures = [];
  try {
    // Scenario 4: one list of `listed` objects.
    const listPath = FLUNDERS(LIST_NAMESPACE);
    const listOnce = async () => {
      const before = await server.cpu();
      const res = await largeClient.send(listPath);
      if (res.status !== 200) throw new Error(`list: ${res.status}`);
      return { cpu: (await server.cpu()) - before, bytes: res.body.length, items: JSON.parse(res.body).items.length };
    };
    const first = await listOnce();
    if (first.items !== listed) throw new Error(`listed ${first.items} of ${listed}`);
    const memoized = await server.memory();
    figures.push(
      figure(`first list of ${listed} after start (serializes every object once)`, first.cpu / 1000, "ms CPU"),
      figure(
        "memoized JSON per served object (kept beside the cached object once it was listed)",
        (memoized - info.memoryLoaded) / listed / info.itemBytes,
        "x JSON size",
        `${Math.round((memoized - info.memoryLoaded) / listed)} bytes per object`,
      ),
    );
    progress(`list of ${listed}: ${rounds} rounds`);
    const perRound = 3;
    const { a: ours, b: baseline } = await alternate(
      rounds,
      async () => {
        let cpu = 0;
        for (let i = 0; i < perRound; i++) cpu += (await listOnce()).cpu;
        return cpu / perRound;
      },
      async () => (await server.call("stringify", perRound)).cpu,
    );
    rows.push(
      ratioRow({
        id: "list",
        title: `list of ${listed} ~1 KB objects from the watch cache`,
        ours: { value: median(ours) / 1000, unit: "ms CPU/list" },
        baseline: { value: median(baseline) / 1000, unit: "ms CPU", label: "JSON.stringify of the same items" },
        ratios: ours.map((o, i) => o / baseline[i]),
        goal: { op: "<=", value: 2 },
      }),
    );

    // Peak extra memory while answering one list.
    const peaks = [];
    for (let i = 0; i < rounds; i++) {
      const level = await server.call("startSampling");
      await listOnce();
      peaks.push((await server.call("stopSampling")) - level);
    }
    rows.push(
      budgetRow({
        id: "list-memory",
        title: `peak extra memory answering the list of ${listed}`,
        ours: { value: median(peaks) / first.bytes, unit: "x response size" },
        samples: peaks.map((p) => p / first.bytes),
        goal: { op: "<=", value: 3, unit: "x" },
        note: `${(median(peaks) / 2 ** 20).toFixed(1)} MiB for a ${(first.bytes / 2 ** 20).toFixed(1)} MiB response`,
      }),
    );

    // Scenario 4: limit=500 pages, small vs large collection.
    const walk = async (c, expected) => {
      const latencies = [];
      let path = `${ALL}?limit=500`;
      let seen = 0;
      for (;;) {
        const t0 = performance.now();
        const res = await c.send(path);
        latencies.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`page: ${res.status}`);
        const page = JSON.parse(res.body);
        seen += page.items.length;
        if (!page.metadata.continue) break;
        path = `${ALL}?limit=500&continue=${encodeURIComponent(page.metadata.continue)}`;
      }
      if (seen !== expected) throw new Error(`walked ${seen} of ${expected}`);
      return latencies;
    };
    await walk(smallClient, small);
    await walk(largeClient, large);
    progress(`limit=500 pages: ${rounds} rounds of walking ${small} and ${large} objects`);
    const { a: largePages, b: smallPages } = await alternate(
      rounds,
      async () => median(await walk(largeClient, large)),
      async () => {
        // As many pages as one walk of the large collection, so both rounds weigh the same.
        const latencies = [];
        while (latencies.length < large / 500) latencies.push(...(await walk(smallClient, small)));
        return median(latencies);
      },
    );
    rows.push(
      ratioRow({
        id: "pages",
        title: `limit=500 page latency at ${large} vs ${small} objects`,
        ours: { value: median(largePages), unit: `ms/page at ${large}` },
        baseline: {
          value: median(smallPages),
          unit: `ms/page at ${small}`,
          label: `the same server code at ${small} objects`,
        },
        ratios: largePages.map((l, i) => l / smallPages[i]),
        goal: { op: "<=", value: 2 },
      }),
    );

    // Scenario 6: memory per cached object.
    const perObject = (info.memoryLoaded - info.memoryBefore) / large;
    rows.push(
      budgetRow({
        id: "cache-memory",
        title: `retained memory per cached object at ${large} objects`,
        ours: { value: perObject / info.itemBytes, unit: "x JSON size" },
        goal: { op: "<=", value: 3, unit: "x" },
        note: `${Math.round(perObject)} bytes per object of ${Math.round(info.itemBytes)} bytes of JSON (Kubernetes' watch cache: about 5x)`,
      }),
    );
    figures.push(figure(`watch cache load of ${large} objects from SQLite`, info.loadSeconds, "s"));
    emit({ scenario: "list", title: "lists, pages and cache memory", rows, figures });
  } finally {
    largeClient.close();
    smallClient.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--serve")) await serve();
else await main();
