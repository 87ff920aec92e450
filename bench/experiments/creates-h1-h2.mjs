#!/usr/bin/env node
// On demand, not part of `npm run bench`: creates on etcd when they arrive over HTTP/1.1 (the lean
// client, one connection per concurrent client: what bench/storage.mjs sends), over HTTP/2 through
// node's http2 client, or over HTTP/2 through the lean HTTP/2 client (bench/lib/h2-load.mjs;
// concurrent streams on one connection: what kube-aggregator's Go transport sends), beside the
// storage scenario's baseline, raw etcd transactions through the storage package's client. Each
// line: the rate, the server's CPU per create, and this process's (the load generator's, or the
// raw client's). Rounds rotate the order of the sides.
//
//   node bench/experiments/creates-h1-h2.mjs [--concurrency 64] [--creates 3000] [--rounds 3] [--sessions 1]
//        [--sides h1,h2,lean-h2,raw]
import { mkdtempSync, rmSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLocalPki } from "@apiserver-kit/runtime";
import { EtcdClient, startEtcd } from "@apiserver-kit/storage/testing";
import { count, option } from "../lib/args.mjs";
import { etcdCreate } from "../lib/creates.mjs";
import { H2LoadClient } from "../lib/h2-load.mjs";
import { FLUNDERS, flunder } from "../lib/objects.mjs";
import { startServerProcess } from "../lib/process.mjs";
import { RawLoadClient } from "../lib/raw-load.mjs";

const concurrency = count("concurrency", 64, 16);
const creates = count("creates", 3000, 300);
const rounds = count("rounds", 3, 1);
const sessions = count("sessions", 1, 1);
const chosen = option("sides", "h1,h2,lean-h2,raw").split(",");

/** Creates `creates` flunders in `namespace` through `send(path, body)`, `concurrency` at a time. */
async function createAll(namespace, send) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < creates) {
        const i = next++;
        const status = await send(worker, FLUNDERS(namespace), JSON.stringify(flunder(`f-${i}`, i, namespace)));
        if (status !== 201) throw new Error(`create answered ${status}`);
      }
    }),
  );
  return creates / ((performance.now() - t0) / 1000);
}

async function viaH1(port, tls, namespace) {
  const client = new RawLoadClient({ port, tls, connections: concurrency });
  await client.open();
  try {
    return await createAll(namespace, async (_, path, body) => {
      const res = await client.request("POST", path, { "Content-Type": "application/json" }, body);
      return res.status;
    });
  } finally {
    client.close();
  }
}

async function viaLeanH2(port, tls, namespace) {
  const clients = await Promise.all(
    Array.from({ length: sessions }, async () => {
      const client = new H2LoadClient({ port, tls });
      await client.open();
      return client;
    }),
  );
  try {
    return await createAll(namespace, async (worker, path, body) => {
      const res = await clients[worker % sessions].request("POST", path, { "Content-Type": "application/json" }, body);
      return res.status;
    });
  } finally {
    for (const client of clients) client.close();
  }
}

/** The storage scenario's baseline: a transaction per key through the storage package's client. */
async function viaRawEtcd(endpoint, value, namespace) {
  const client = new EtcdClient([endpoint], {}, 5000);
  try {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < creates) await etcdCreate(client, `/raw/${namespace}/f-${next++}`, value);
      }),
    );
    return creates / ((performance.now() - t0) / 1000);
  } finally {
    client.close();
  }
}

async function viaH2(port, tls, namespace) {
  const open = Array.from(
    { length: sessions },
    () =>
      new Promise((resolve, reject) => {
        const session = http2.connect(`https://127.0.0.1:${port}`, { ...tls, servername: "localhost" });
        session.once("connect", () => resolve(session));
        session.once("error", reject);
      }),
  );
  const all = await Promise.all(open);
  try {
    return await createAll(
      namespace,
      (worker, path, body) =>
        new Promise((resolve, reject) => {
          const stream = all[worker % sessions].request({
            ":method": "POST",
            ":path": path,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          });
          let status = 0;
          stream.on("response", (headers) => {
            status = headers[":status"];
          });
          stream.on("data", () => {});
          stream.on("end", () => resolve(status));
          stream.on("error", reject);
          stream.end(body);
        }),
    );
  } finally {
    for (const session of all) session.close();
  }
}

const etcd = await startEtcd();
const dir = mkdtempSync(join(tmpdir(), "creates-h1-h2-"));
const server = await startServerProcess(new URL("../storage.mjs", import.meta.url).pathname, [
  "--dir",
  dir,
  "--storage",
  "etcd",
  "--etcd",
  etcd.endpoint,
]);
try {
  const pki = ensureLocalPki(dir);
  const tls = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
  const port = server.info.port;
  // The stored value of one create, for the raw transactions (as bench/storage.mjs measures it).
  const probe = new RawLoadClient({ port, tls, connections: 1 });
  await probe.open();
  const sample = await probe.request(
    "POST",
    FLUNDERS("sample"),
    { "Content-Type": "application/json" },
    JSON.stringify(flunder("sample", 1, "sample")),
  );
  probe.close();
  const value = sample.body.toString("utf8");
  const sides = {
    h1: viaH1,
    h2: viaH2,
    "lean-h2": viaLeanH2,
    raw: (_port, _tls, namespace) => viaRawEtcd(etcd.endpoint, value, namespace),
  };
  for (const side of chosen) await sides[side](port, tls, `warm-up-${side}`);
  const results = Object.fromEntries(chosen.map((side) => [side, []]));
  for (let round = 0; round < rounds; round++) {
    const order = chosen.map((_, i) => chosen[(i + round) % chosen.length]);
    for (const side of order) {
      const before = await server.cpu();
      const own = process.cpuUsage();
      const rate = await sides[side](port, tls, `${side}-${round}`);
      const cpu = (await server.cpu()) - before;
      const client = process.cpuUsage(own);
      const line = {
        rate,
        server: side === "raw" ? 0 : cpu / creates,
        client: (client.user + client.system) / creates,
      };
      results[side].push(line);
      console.log(
        `${side} at concurrency ${concurrency}: ${rate.toFixed(0)} creates/s, server ${line.server.toFixed(0)} µs CPU/create, this process ${line.client.toFixed(0)} µs CPU/create`,
      );
    }
  }
  const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
  const raw = results.raw ? median(results.raw.map((r) => r.rate)) : undefined;
  for (const side of chosen) {
    const rate = median(results[side].map((r) => r.rate));
    console.log(
      `median ${side}: ${rate.toFixed(0)}/s${raw && side !== "raw" ? ` (${(rate / raw).toFixed(2)}x raw)` : ""}, server ${median(results[side].map((r) => r.server)).toFixed(0)} µs, this process ${median(results[side].map((r) => r.client)).toFixed(0)} µs per create`,
    );
  }
} finally {
  await server.stop();
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
}
