#!/usr/bin/env node
// On demand: where a controller's initial sync spends its time (issue 16, scenario 8). Creates
// N objects in a runtime server of its own process, then alternates a raw watch of every object
// and a cold Manager with a no-op reconcile (as packages/controller/bench/reconcile-throughput.mjs),
// and writes a CPU profile of this (the client) process covering the managers' syncs only.
//   node bench/experiments/controller-sync-profile.mjs [--objects 10000] [--rounds 3] [--out /tmp/sync.cpuprofile (a profile only with --out)]
// Then: node bench/experiments/profile-shares.mjs /tmp/sync.cpuprofile
import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  Manager,
  ResourceClient,
  RestClient,
  restConfigFromKubeconfigFile,
  silentLogger,
} from "../../packages/controller/dist/index.js";
import { flunder, flunderType } from "../../packages/controller/dist/testing/fixtures.js";
import { count, option, serverExecArgv } from "../lib/args.mjs";

const COUNT = count("objects", 10_000, 1000);
const ROUNDS = count("rounds", 3, 1);
const out = option("out", undefined);

const server = spawn(
  process.execPath,
  [
    ...serverExecArgv(),
    fileURLToPath(new URL("../../packages/controller/bench/api-server-process.mjs", import.meta.url)),
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const [line] = await once(createInterface({ input: server.stdout }), "line");
const config = await restConfigFromKubeconfigFile(JSON.parse(line).kubeconfig);
const rest = new RestClient(config, { maxSockets: 64 });
const flunders = new ResourceClient(rest, flunderType);
const names = Array.from({ length: COUNT }, (_, i) => `f${String(i).padStart(5, "0")}`);
let next = 0;
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next < names.length) await flunders.create(flunder(names[next++], { color: "a" }, "bench"));
  }),
);

/** A raw watch of every object; `watchList`: as an informer asks (sendInitialEvents), until the initial-events-end bookmark. */
function rawWatch(watchList = false, client = rest) {
  const query = watchList
    ? { watch: true, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: true }
    : { watch: true };
  return new Promise((resolve) => {
    let seen = 0;
    const c = client.watch(`/apis/${flunderType.group}/${flunderType.version}/flunders`, query, (event) => {
      if (event.type !== "BOOKMARK" ? ++seen === COUNT && !watchList : seen === COUNT) {
        c.stop();
        resolve();
      }
    });
  });
}
async function managerSync() {
  const manager = new Manager({ config, logger: silentLogger });
  let total = 0;
  let first = 0;
  const begun = performance.now();
  let done;
  const all = new Promise((resolve) => {
    done = resolve;
  });
  manager.addController({
    name: "noop",
    for: flunderType,
    async reconcile() {
      if (total === 0) first = performance.now();
      if (++total === COUNT) done();
    },
  });
  const running = manager.start();
  await all;
  const informer = manager.informer(flunderType).stats;
  const last = performance.now();
  await manager.stop();
  await running;
  return {
    toFirstReconcileMs: Math.round(first - begun),
    reconcilingMs: Math.round(last - first),
    events: informer.events,
    firstAt: first,
  };
}

/** Self time by function before and after the first reconcile (the stream and the reconciles). */
function phases(profile, firstAt) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // performance.now() and the profile's clock differ by an offset: the profile's end is taken
  // as the moment the sync returned (Profiler.stop came right after it).
  let time = profile.startTime;
  const split = profile.endTime - (syncReturnedAt - firstAt) * 1000;
  const shares = [new Map(), new Map()];
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    const frame = byId.get(profile.samples[i]).callFrame;
    if (["(idle)", "(program)", "dispatch"].includes(frame.functionName)) continue; // dispatch: the profiler's own start
    const key = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`;
    const phase = shares[time < split ? 0 : 1];
    phase.set(key, (phase.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  for (const [index, title] of ["to the first reconcile", "reconciling"].entries()) {
    const entries = [...shares[index]].sort((a, b) => b[1] - a[1]);
    const total = entries.reduce((sum, [, v]) => sum + v, 0);
    console.log(`  ${title}: ${(total / 1000).toFixed(1)} ms busy`);
    for (const [key, micros] of entries.slice(0, 12))
      console.log(`    ${(micros / 1000).toFixed(1).padStart(6)} ms  ${key}`);
  }
}
let syncReturnedAt = 0;

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 200 });
const merged = [];
for (let round = 0; round < ROUNDS; round++) {
  let start = performance.now();
  await rawWatch();
  const raw = performance.now() - start;
  start = performance.now();
  await rawWatch(true);
  const rawList = performance.now() - start;
  const fresh = new RestClient(config);
  start = performance.now();
  await rawWatch(true, fresh);
  const rawListFresh = performance.now() - start;
  fresh.close();
  if (out) await session.post("Profiler.start");
  start = performance.now();
  const stats = await managerSync();
  syncReturnedAt = performance.now();
  const ours = syncReturnedAt - start;
  if (out) {
    const { profile } = await session.post("Profiler.stop");
    merged.push(profile);
    phases(profile, stats.firstAt);
  }
  console.log(
    `round ${round}: raw watch ${raw.toFixed(0)} ms, raw watch-list ${rawList.toFixed(0)} ms (new client ${rawListFresh.toFixed(0)} ms), manager ${ours.toFixed(0)} ms, ratio ${(raw / ours).toFixed(2)}x`,
    JSON.stringify({ ...stats, firstAt: undefined }),
  );
}
if (out) {
  writeFileSync(out, JSON.stringify(merged.at(-1)));
  console.log(`profile of the last manager sync: ${out}`);
}
rest.close();
server.kill("SIGTERM");
await once(server, "exit");
