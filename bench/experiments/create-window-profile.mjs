#!/usr/bin/env node
// On demand, not part of `npm run bench`: where the server's time goes in the creates of
// bench/storage.mjs at one concurrency, profiled over the measured window only (after the same
// unmeasured warm-up as the bench; the profiler started and stopped through the inspector of the
// server process, 100 µs sampling). Prints creates/s and the server's CPU per create, and writes
// the profile, which `node bench/experiments/profile-shares.mjs FILE` summarizes.
//
//   node bench/experiments/create-window-profile.mjs --storage sqlite|etcd [--concurrency 1]
//        [--creates 2000] [--warm-up 3000] [--out /tmp/create.cpuprofile]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLocalPki } from "@apiserver-kit/runtime";
import { startEtcd } from "@apiserver-kit/storage/testing";
import { count, option } from "../lib/args.mjs";
import { FLUNDERS, flunder } from "../lib/objects.mjs";
import { startServerProcess } from "../lib/process.mjs";
import { RawLoadClient } from "../lib/raw-load.mjs";

const storage = option("storage", "sqlite");
const concurrency = count("concurrency", 1, 1);
const creates = count("creates", 2000, 200);
const warmUpCreates = count("warm-up", 3000, 300);
const out = option("out", join(tmpdir(), `create-${storage}-${concurrency}.cpuprofile`));

async function createAll(client, namespace, total, writers) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) {
        const i = next++;
        const body = JSON.stringify(flunder(`f-${i}`, i, namespace));
        const res = await client.request("POST", FLUNDERS(namespace), { "Content-Type": "application/json" }, body);
        if (res.status !== 201) throw new Error(`create: ${res.status} ${res.body}`);
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

const dir = mkdtempSync(join(tmpdir(), "bench-create-window-"));
const etcd = storage === "etcd" ? await startEtcd() : undefined;
const server = await startServerProcess(new URL("../storage.mjs", import.meta.url).pathname, [
  "--dir",
  dir,
  "--storage",
  storage,
  ...(etcd ? ["--etcd", etcd.endpoint] : []),
]);
try {
  const pki = ensureLocalPki(dir);
  const tls = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
  const warm = new RawLoadClient({ port: server.info.port, tls, connections: 16 });
  await warm.open();
  await createAll(warm, "warm-up", warmUpCreates, 16);
  warm.close();
  const client = new RawLoadClient({ port: server.info.port, tls, connections: concurrency });
  await client.open();
  await server.profileStart();
  const cpu0 = await server.cpu();
  const rate = await createAll(client, "measured", creates, concurrency);
  const cpu = (await server.cpu()) - cpu0;
  await server.profileStop(out);
  client.close();
  console.log(
    `${storage} at ${concurrency}: ${rate.toFixed(0)} creates/s, server CPU ${(cpu / creates).toFixed(0)} µs per create (profiler on); profile ${out}`,
  );
} finally {
  await server.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
}
