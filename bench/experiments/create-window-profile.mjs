#!/usr/bin/env node
// On demand, not part of `npm run bench`: where the server's time goes in the creates of
// bench/storage.mjs at one concurrency, profiled over the measured window only (after the same
// unmeasured warm-up as the bench; the profiler started and stopped through the inspector of the
// server process, 100 µs sampling). Prints creates/s and the server's CPU per create, and writes
// the profile, which `node bench/experiments/profile-shares.mjs FILE` summarizes.
//
//   node bench/experiments/create-window-profile.mjs --storage sqlite|etcd [--concurrency 1]
//        [--creates 2000] [--warm-up 3000] [--transport h2|h1] [--out /tmp/create.cpuprofile]
// --transport: the lean HTTP/2 client on one connection (default, as the scenario's rows) or the
// lean HTTP/1.1 client with a connection per concurrent create.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEtcd } from "@apiserver-kit/storage/testing";
import { count, option } from "../lib/args.mjs";
import { createFlunders, startStorageServer } from "../lib/creates.mjs";

const storage = option("storage", "sqlite");
const concurrency = count("concurrency", 1, 1);
const creates = count("creates", 2000, 200);
const warmUpCreates = count("warm-up", 3000, 300);
const transport = option("transport", "h2");
const out = option("out", join(tmpdir(), `create-${storage}-${concurrency}-${transport}.cpuprofile`));

const dir = mkdtempSync(join(tmpdir(), "bench-create-window-"));
const etcd = storage === "etcd" ? await startEtcd() : undefined;
const started = await startStorageServer(dir, storage, etcd?.endpoint);
const { server } = started;
const open = (connections) => (transport === "h1" ? started.client(connections) : started.h2Client());
try {
  const warm = await open(16);
  await createFlunders(warm, "warm-up", warmUpCreates, 16);
  warm.close();
  const client = await open(concurrency);
  await server.profileStart();
  const cpu0 = await server.cpu();
  const rate = await createFlunders(client, "measured", creates, concurrency);
  const cpu = (await server.cpu()) - cpu0;
  await server.profileStop(out);
  client.close();
  console.log(
    `${storage} at ${concurrency} over ${transport}: ${rate.toFixed(0)} creates/s, server CPU ${(cpu / creates).toFixed(0)} µs per create (profiler on); profile ${out}`,
  );
} finally {
  await server.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
}
