#!/usr/bin/env node
// On demand, not part of `npm run bench`: the server's CPU per create on etcd when the creates
// arrive over HTTP/1.1 (the lean client, one connection per concurrent client: what
// bench/storage.mjs sends) or over HTTP/2 (node's http2 client, concurrent streams on one
// session: what kube-aggregator's Go transport sends). Rounds alternate h1/h2.
//
//   node bench/experiments/creates-h1-h2.mjs [--concurrency 64] [--creates 3000] [--rounds 3] [--sessions 1]
import { mkdtempSync, rmSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLocalPki } from "@apiserver-kit/runtime";
import { startEtcd } from "@apiserver-kit/storage/testing";
import { count } from "../lib/args.mjs";
import { FLUNDERS, flunder } from "../lib/objects.mjs";
import { startServerProcess } from "../lib/process.mjs";
import { RawLoadClient } from "../lib/raw-load.mjs";

const concurrency = count("concurrency", 64, 16);
const creates = count("creates", 3000, 300);
const rounds = count("rounds", 3, 1);
const sessions = count("sessions", 1, 1);

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
  await viaH1(port, tls, "warm-up-h1");
  await viaH2(port, tls, "warm-up-h2");
  const sides = { h1: viaH1, h2: viaH2 };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 ? ["h2", "h1"] : ["h1", "h2"]) {
      const before = await server.cpu();
      const rate = await sides[side](port, tls, `${side}-${round}`);
      const cpu = (await server.cpu()) - before;
      console.log(
        `${side} at concurrency ${concurrency}: ${rate.toFixed(0)} creates/s, server ${(cpu / creates).toFixed(0)} µs CPU/create`,
      );
    }
  }
} finally {
  await server.stop();
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
}
