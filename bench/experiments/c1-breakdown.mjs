#!/usr/bin/env node
// On demand: where a one-client create's time goes, from the outside in — the client's round
// trip, the server's own request duration (apiserver_request_duration_seconds, from parsed
// headers to the answer written) and its storage call (etcd_request_duration_seconds, the
// write alone), as means over the same creates — beside raw transactional puts (etcd) or raw
// single-row commits (SQLite) alternated with them.
//
//   node --expose-gc bench/experiments/c1-breakdown.mjs --storage etcd|sqlite [--creates 1000] [--rounds 3]
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EtcdClient, startEtcd } from "@apiserver-kit/storage/testing";
import { count, option } from "../lib/args.mjs";
import { createFlunders, etcdCreate, startStorageServer } from "../lib/creates.mjs";
import { median } from "../lib/stats.mjs";

const storage = option("storage", "etcd");
const creates = count("creates", 1000, 100);
const rounds = count("rounds", 3, 1);

/** Sum and count of a histogram's series whose labels contain every one of `labels`, from /metrics text. */
function histogram(text, name, labels) {
  const pick = (suffix) =>
    text
      .split("\n")
      .filter((line) => line.startsWith(`${name}_${suffix}{`) && labels.every((l) => line.includes(l)))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  return { sum: pick("sum"), count: pick("count") };
}

const dir = mkdtempSync(join(tmpdir(), "bench-c1-breakdown-"));
const etcd = storage === "etcd" ? await startEtcd() : undefined;
const { server, client: open } = await startStorageServer(dir, storage, etcd?.endpoint);
const value = Buffer.alloc(1400, "x");
let rawOne;
let rawClose = () => {};
if (etcd) {
  const client = new EtcdClient([etcd.endpoint], {}, 5000);
  let i = 0;
  rawOne = () => etcdCreate(client, `/bench/raw/f-${i++}`, value);
  rawClose = () => client.close();
} else {
  const Database = createRequire(import.meta.resolve("@apiserver-kit/storage"))("better-sqlite3");
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE kv (revision INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO kv (key, value) VALUES (?, ?)");
  const text = value.toString();
  let i = 0;
  const one = db.transaction((key) => insert.run(key, text));
  rawOne = async () => one(`/raw/f-${i++}`);
  rawClose = () => db.close();
}
try {
  const warm = await open(16);
  await createFlunders(warm, "warm-up", 3000, 16);
  warm.close();
  const client = await open(1);
  const metrics = async () => (await client.request("GET", "/metrics", {}, undefined)).body.toString();
  const rows = { client: [], request: [], storage: [], direct: [], raw: [] };
  for (let round = 0; round < rounds; round++) {
    const before = await metrics();
    rows.client.push(1e6 / (await createFlunders(client, `r${round}`, creates, 1)));
    const after = await metrics();
    const delta = (name, labels) => {
      const a = histogram(after, name, labels);
      const b = histogram(before, name, labels);
      return ((a.sum - b.sum) / (a.count - b.count)) * 1e6;
    };
    rows.request.push(delta("apiserver_request_duration_seconds", ['verb="POST"', 'resource="flunders"']));
    rows.storage.push(delta("etcd_request_duration_seconds", ['operation="create"']));
    rows.direct.push(await server.call("storage-creates", { namespace: `direct-${round}`, count: creates }));
    const t0 = performance.now();
    for (let i = 0; i < creates; i++) await rawOne();
    rows.raw.push(((performance.now() - t0) * 1000) / creates);
  }
  client.close();
  const m = (xs) => median(xs).toFixed(0);
  const show = (xs) => xs.map((x) => x.toFixed(0)).join(", ");
  console.log(`${storage}, one client, ${rounds} rounds of ${creates} creates; mean µs per create (median of rounds)`);
  console.log(`client round trip        ${m(rows.client)}  (${show(rows.client)})`);
  console.log(`server request duration  ${m(rows.request)}  (${show(rows.request)})`);
  console.log(`server storage create    ${m(rows.storage)}  (${show(rows.storage)})`);
  console.log(`storage create, no HTTP  ${m(rows.direct)}  (${show(rows.direct)})`);
  console.log(`raw ${storage === "etcd" ? "transaction" : "commit"}          ${m(rows.raw)}  (${show(rows.raw)})`);
  console.log(`ratio (raw / client)     ${(median(rows.raw) / median(rows.client)).toFixed(2)}x`);
} finally {
  rawClose();
  await server.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
}
