#!/usr/bin/env node
// Storage through the server vs the storage alone (issue 5, show 7):
//
//   node --expose-gc bench/storage.mjs [--quick] [--json] [--rounds N] [--creates N] [--seconds N]
//                                      [--parts sqlite,etcd] [--profile DIR]
//
// Rows, each the median of alternating rounds (ours, baseline, baseline, ours, ...):
//   1. SQLite: creates/s through the server (runServer, --storage sqlite, synchronous=FULL, 16 and
//      1 clients as streams of one HTTP/2 connection, as the aggregator sends them; the same over
//      HTTP/1.1 is a figure) vs raw better-sqlite3 single-row transactions (one INSERT per
//      transaction, WAL, synchronous=FULL, the same stored bytes per row). Goal ≥ 0.3x.
//   2. etcd: creates/s through the server (--storage etcd) vs raw etcd transactional puts
//      (compare mod_revision = 0, then put) through the storage package's own etcd client — the
//      transport the server's writes take (gRPC over node:http2) — at concurrency 1, 16 and 64.
//      Goal ≥ 0.5x. The same puts through the etcd3 package (grpc-js) are a figure beside it.
//   3. Discovery during a write storm: GET /apis (aggregated discovery) and /apis/<g>/<v>,
//      open loop at 50/s, while 16 clients create as fast as the SQLite server takes them;
//      p50/p99 reported beside the same without the storm (no goal).
// The server runs in its own process (so that the load generator does not share its core);
// baselines run in this process with nothing else going on. Both sides are warmed up, unmeasured,
// before the first round (warmUp). No speed is asserted.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ensureLocalPki, runServer } from "@apiserver-kit/runtime";
import { wardleDefinitions } from "@apiserver-kit/runtime/testing";
import { SqliteStorage } from "@apiserver-kit/storage";
import { EtcdClient, etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import { count, option, progress, quick, serverExecArgv } from "./lib/args.mjs";
import { atConcurrency, createFlunders, etcdCreate } from "./lib/creates.mjs";
import { H2LoadClient } from "./lib/h2-load.mjs";
import { LoadClient } from "./lib/https-load.mjs";
import { FLUNDERS, flunder, flunderKey, GROUP_VERSION_PATH } from "./lib/objects.mjs";
import { serveRequests, startServerProcess } from "./lib/process.mjs";
import { RawLoadClient } from "./lib/raw-load.mjs";
import { emit, figure, ratioRow } from "./lib/result.mjs";
import { alternate, latencySummary, median } from "./lib/stats.mjs";

// The storage package's own drivers, so that the baselines use what the server uses.
const storageRequire = createRequire(import.meta.resolve("@apiserver-kit/storage"));
const Database = storageRequire("better-sqlite3");
const { Etcd3 } = storageRequire("etcd3");

const JSON_CONTENT = { "Content-Type": "application/json" };
const V2_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

// ---------------------------------------------------------------- the server process

async function serve() {
  const dir = option("dir");
  const storage = option("storage");
  const running = await runServer({
    name: "bench-storage",
    resources: wardleDefinitions,
    argv: [
      "--secure-port=0",
      "--bind-address=127.0.0.1",
      `--data-dir=${dir}`,
      `--cert-dir=${dir}`,
      `--storage=${storage}`,
      ...(storage === "etcd" ? [`--etcd-servers=${option("etcd")}`, "--etcd-compaction-interval=0"] : []),
    ],
    log: () => {},
    signals: false,
  });
  serveRequests(
    {
      stop: () => running.stop(),
      // Diagnostics for bench/experiments/c1-breakdown.mjs: mean µs of `count` creates, one at a
      // time, straight on the server's storage (no HTTP, no handler), while the server runs.
      "storage-creates": async ({ namespace, count }) => {
        const t0 = performance.now();
        for (let i = 0; i < count; i++) {
          const object = flunder(`direct-${i}`, i, namespace);
          object.metadata.uid = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
          object.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
          await running.storage.create(flunderKey(`direct-${i}`, namespace), object);
        }
        return ((performance.now() - t0) * 1000) / count;
      },
    },
    { port: running.port },
  );
}

// ---------------------------------------------------------------- the load generator

/**
 * The creates' load generator: the lean HTTP/2 client, every concurrent create a stream on one
 * connection, as kube-apiserver's aggregator (Go's HTTP/2 transport) and client-go reach an
 * extension API server (ADR 0009, fifth amendment). Node's own clients cost the load generator
 * several times the CPU (https.request 0.45–0.55 ms per create at 16 clients), which on two shared
 * cores competes with the server and etcd.
 */
async function createClient(server, tls) {
  const client = new H2LoadClient({ port: server.info.port, tls });
  await client.open();
  return client;
}

/** The lean HTTP/1.1 client, one connection per concurrent create: the rows' transport until the twelfth round, now a figure. */
async function createH1Client(server, tls, connections) {
  const client = new RawLoadClient({ port: server.info.port, tls, connections });
  await client.open();
  return client;
}

/** One more run of `n` creates at `concurrency` over HTTP/1.1: its rate against the row's baseline median. */
async function h1Figure(server, tls, namespace, n, concurrency, baselineMedian, label) {
  const client = await createH1Client(server, tls, concurrency);
  try {
    const rate = await createFlunders(client, namespace, n, concurrency);
    return figure(
      `${label}: the same creates over HTTP/1.1 (the lean client, one connection per client), against the row's baseline`,
      rate / baselineMedian,
      "x",
      `${Math.round(rate)} creates/s`,
    );
  } finally {
    client.close();
  }
}

/** What the server stores per create: the object as returned, about 1.4 KB of JSON. */
async function storedBytes(server, tls) {
  const client = await createClient(server, tls);
  const res = await client.request(
    "POST",
    FLUNDERS("sample"),
    JSON_CONTENT,
    JSON.stringify(flunder("sample", 1, "sample")),
  );
  client.close();
  return res.body.toString("utf8");
}

/** Raw better-sqlite3: one INSERT per transaction, WAL, synchronous=FULL, in a fresh file. */
function sqliteSingleRowTransactions(dir, round, total, value) {
  const db = new Database(join(dir, `raw-${round}.db`));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE kv (revision INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO kv (key, value) VALUES (?, ?)");
  const one = db.transaction((key) => insert.run(key, value));
  const t0 = performance.now();
  for (let i = 0; i < total; i++) one(`/registry/wardle.example.com/flunders/raw-${round}/f-${i}`);
  const rate = total / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

/**
 * Raw etcd: a transaction per key (the key absent → put), `concurrency` at a time, through
 * `txn(key, value)`: the storage package's own etcd client (gRPC over node:http2, the transport
 * the server's writes take) for the baseline, the etcd3 package (over grpc-js) as a figure.
 */
function etcdTransactionalPuts(txn, prefix, total, concurrency, value) {
  return atConcurrency(total, concurrency, async (i) => {
    if (!(await txn(`${prefix}/f-${i}`, value))) throw new Error(`txn on ${prefix}/f-${i} failed`);
  });
}

/** `txn(key, value)` through the storage package's EtcdClient: compare mod_revision = 0, put. */
function rawClientTxn(endpoint) {
  const client = new EtcdClient([endpoint], {}, 5000);
  const txn = async (key, value) => {
    await etcdCreate(client, key, value);
    return true;
  };
  return { txn, close: () => client.close() };
}

/** The same through the etcd3 package (grpc-js): what the baseline was before the storage had its own transport. */
function etcd3Txn(endpoint) {
  const etcd = new Etcd3({ hosts: endpoint });
  const txn = async (key, value) =>
    (await etcd.if(key, "Create", "==", 0).then(etcd.put(key).value(value)).commit()).succeeded;
  return { txn, close: () => etcd.close() };
}

/**
 * Unmeasured warm-up of both sides before the first round (ADR 0009): `creates` creates
 * through the server at 16 clients, then one run of the baseline. The server's create path
 * is long: V8 is still tiering it up after a few thousand requests (a cold server spends
 * about twice the CPU per create of a warm one), and which row comes first must not decide
 * its result.
 */
async function warmUp(server, tls, creates, baseline) {
  progress(`warm-up: ${creates} creates at 16 clients (and half as many over HTTP/1.1), then the baseline once`);
  const client = await createClient(server, tls);
  await createFlunders(client, "warm-up", creates, 16);
  client.close();
  const h1 = await createH1Client(server, tls, 16);
  await createFlunders(h1, "warm-up-h1", Math.ceil(creates / 2), 16);
  h1.close();
  await baseline();
}

async function startServer(dir, storage, extra = []) {
  const server = await startServerProcess(
    new URL(import.meta.url).pathname,
    ["--dir", dir, "--storage", storage, ...extra],
    { execArgv: serverExecArgv() },
  );
  return server;
}

async function sqliteRows(pki, rounds, creates) {
  const dir = mkdtempSync(join(tmpdir(), "bench-storage-sqlite-"));
  const server = await startServer(dir, "sqlite");
  const tls = { ca: pki(dir).ca.cert, cert: pki(dir).admin.cert, key: pki(dir).admin.key };
  const rows = [];
  const figures = [];
  try {
    const value = await storedBytes(server, tls);
    await warmUp(server, tls, 2 * creates, () =>
      sqliteSingleRowTransactions(dir, "warm-up", Math.ceil(creates / 4), value),
    );
    for (const concurrency of [16, 1]) {
      const client = await createClient(server, tls);
      // A single client waits a full sync per create: fewer of them, or the run takes minutes.
      const n = concurrency === 1 ? Math.ceil(creates / 4) : creates;
      progress(`sqlite: ${rounds} rounds of ${n} creates at ${concurrency} clients vs raw single-row transactions`);
      let cpu = 0;
      const { a: ours, b: raw } = await alternate(
        rounds,
        async (round) => {
          const before = await server.cpu();
          const rate = await createFlunders(client, `c${concurrency}-r${round}`, n, concurrency);
          cpu += (await server.cpu()) - before;
          return rate;
        },
        (round) => sqliteSingleRowTransactions(dir, `${concurrency}-${round}`, n, value),
      );
      client.close();
      figures.push(
        figure(`server CPU per create, ${concurrency} client${concurrency > 1 ? "s" : ""}`, cpu / (n * rounds), "µs"),
        await h1Figure(
          server,
          tls,
          `h1-c${concurrency}`,
          n,
          concurrency,
          median(raw),
          `SQLite, ${concurrency} client${concurrency > 1 ? "s" : ""}`,
        ),
      );
      rows.push(
        ratioRow({
          id: `sqlite-creates-${concurrency}`,
          title: `SQLite creates/s, ${concurrency} client${concurrency > 1 ? "s" : ""} (HTTP/2, as the aggregator), vs raw better-sqlite3 single-row transactions (synchronous=FULL)`,
          ours: { value: median(ours), unit: "creates/s" },
          baseline: { value: median(raw), unit: "rows/s" },
          ratios: ours.map((o, i) => o / raw[i]),
          goal: { op: ">=", value: 0.3 },
        }),
      );
    }
    figures.push(figure("stored bytes per create", value.length, "B"));
    // Where the time goes: the same creates on SqliteStorage alone (group commit, no HTTP, no handler chain).
    const alone = await SqliteStorage.open({ dataDir: join(dir, "alone"), compactionIntervalMs: 0 });
    const stored = JSON.parse(value);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < creates) {
          const i = next++;
          await alone.create(`/registry/wardle.example.com/flunders/alone/f-${i}`, {
            ...stored,
            metadata: { ...stored.metadata, name: `f-${i}` },
          });
        }
      }),
    );
    figures.push(
      figure(
        "SqliteStorage alone: creates/s at 16 writers (no HTTP, no handler chain)",
        creates / ((performance.now() - t0) / 1000),
        "creates/s",
      ),
    );
    await alone.close();
    return { rows, figures, server, dir, tls };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function discoveryDuringStorm(sqlite, seconds) {
  const { server, tls } = sqlite;
  const reader = new LoadClient({ port: server.info.port, tls, connections: 4 });
  const writer = new LoadClient({ port: server.info.port, tls, connections: 16 });
  const paths = [
    { path: "/apis", headers: { Accept: V2_ACCEPT } },
    { path: GROUP_VERSION_PATH, headers: {} },
  ];
  const make = (i) => ({ ...paths[i % paths.length] });
  progress(`discovery: ${seconds} s at 50/s quiet, then ${seconds} s during a 16-client create storm`);
  const quiet = latencySummary(await reader.openLoop(50, seconds, make, [200]));
  let storming = true;
  let created = 0;
  const storm = Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      while (storming) {
        const i = created++;
        const res = await writer.send(FLUNDERS("storm"), {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(flunder(`s-${w}-${i}`, i, "storm")),
        });
        if (res.status !== 201) throw new Error(`create: ${res.status}`);
      }
    }),
  );
  const t0 = performance.now();
  const during = latencySummary(await reader.openLoop(50, seconds, make, [200]));
  storming = false;
  await storm;
  const rate = created / ((performance.now() - t0) / 1000);
  reader.close();
  writer.close();
  return [
    figure("discovery p50 during the write storm", during.p50, "ms"),
    figure("discovery p99 during the write storm", during.p99, "ms", `${Math.round(rate)} creates/s meanwhile`),
    figure("discovery max during the write storm", during.max, "ms"),
    figure("discovery p99 without writes", quiet.p99, "ms"),
  ];
}

async function etcdRows(pki, rounds, creates, figures) {
  const etcd = await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), "bench-storage-etcd-"));
  const server = await startServer(dir, "etcd", ["--etcd", etcd.endpoint]);
  const tls = { ca: pki(dir).ca.cert, cert: pki(dir).admin.cert, key: pki(dir).admin.key };
  const raw = rawClientTxn(etcd.endpoint);
  const viaEtcd3 = etcd3Txn(etcd.endpoint);
  const rows = [];
  try {
    const value = await storedBytes(server, tls);
    await warmUp(server, tls, 2 * creates, () =>
      etcdTransactionalPuts(raw.txn, "/bench/raw-warm-up", creates, 16, value),
    );
    for (const concurrency of [1, 16, 64]) {
      const client = await createClient(server, tls);
      const n = concurrency === 1 ? Math.ceil(creates / 4) : creates;
      progress(`etcd: ${rounds} rounds of ${n} creates at concurrency ${concurrency} vs raw transactional puts`);
      let cpu = 0;
      const { a: ours, b: baseline } = await alternate(
        rounds,
        async (round) => {
          const before = await server.cpu();
          const rate = await createFlunders(client, `e${concurrency}-r${round}`, n, concurrency);
          cpu += (await server.cpu()) - before;
          return rate;
        },
        (round) => etcdTransactionalPuts(raw.txn, `/bench/raw-${concurrency}-${round}`, n, concurrency, value),
      );
      client.close();
      const etcd3Rate = await etcdTransactionalPuts(viaEtcd3.txn, `/bench/etcd3-${concurrency}`, n, concurrency, value);
      figures.push(
        figure(
          `etcd: raw transactional puts through the etcd3 package (grpc-js) at concurrency ${concurrency}`,
          etcd3Rate,
          "txns/s",
          `the baseline, through the storage package's client: ${Math.round(median(baseline))} txns/s`,
        ),
      );
      figures.push(
        figure(`etcd: server CPU per create at concurrency ${concurrency}`, cpu / (n * rounds), "µs"),
        await h1Figure(
          server,
          tls,
          `h1-e${concurrency}`,
          n,
          concurrency,
          median(baseline),
          `etcd, concurrency ${concurrency}`,
        ),
      );
      rows.push(
        ratioRow({
          id: `etcd-creates-${concurrency}`,
          title: `etcd creates/s at concurrency ${concurrency} (HTTP/2, as the aggregator) vs raw etcd transactional puts`,
          ours: { value: median(ours), unit: "creates/s" },
          baseline: { value: median(baseline), unit: "txns/s" },
          ratios: ours.map((o, i) => o / baseline[i]),
          goal: { op: ">=", value: 0.5 },
        }),
      );
    }
  } finally {
    raw.close();
    viaEtcd3.close();
    await server.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const rounds = count("rounds", 4, 1);
  const creates = count("creates", 2000, 200);
  const seconds = count("seconds", 10, 1);
  const pkis = new Map();
  const pki = (dir) => {
    if (!pkis.has(dir)) pkis.set(dir, ensureLocalPki(dir));
    return pkis.get(dir);
  };
  const rows = [];
  const figures = [];
  const notes = [];
  const parts = option("parts", "sqlite,etcd").split(",");
  if (parts.includes("sqlite")) {
    const sqlite = await sqliteRows(pki, rounds, creates);
    try {
      rows.push(...sqlite.rows);
      figures.push(...sqlite.figures);
      figures.push(...(await discoveryDuringStorm(sqlite, seconds)));
    } finally {
      await sqlite.server.stop();
      rmSync(sqlite.dir, { recursive: true, force: true });
    }
  }
  if (parts.includes("etcd")) {
    if (etcdAvailable()) rows.push(...(await etcdRows(pki, rounds, creates, figures)));
    else notes.push("etcd rows skipped: /usr/bin/etcd is not installed");
  }
  if (quick) notes.push("quick run: few rounds and creates, for a smoke test only");
  notes.push(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(", ")} on ${cpus().length} CPUs`,
  );
  emit({
    scenario: "storage",
    title: "storage through the server vs SQLite and etcd alone",
    rows,
    figures,
    notes,
  });
}

if (process.argv.includes("--serve")) await serve();
else await main();
