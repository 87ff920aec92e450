// 10,000 objects through a no-op reconcile, as a ratio to the rate the same events arrive
// on a raw watch (issue 7's goal: >= 0.5x). Build first: `npx tsc -b packages/controller`.
// One scenario of the benchmark suite (`npm run bench -- --only controller`), or alone:
//   node packages/controller/bench/reconcile-throughput.mjs [--objects 10000] [--rounds 5] [--quick] [--json]
//
// Two scenarios against a runtime server in its own process (memory storage, TLS on
// loopback), as a controller and its API server are in a cluster:
// - initial sync: the objects exist; a raw watch (no resourceVersion: every object as an
//   ADDED event) against a manager starting cold (its informer's watch list, then the
//   work queue) until every key was reconciled once; ROUNDS rounds alternating the two,
//   medians compared (a shared machine is noisy). The row's manager sets its informers as a
//   generated project's src/server.ts does (stripManagedFields); a second cold manager per
//   round, with the Manager's defaults, is a figure;
// - live stream: both are watching; every object gets one update (merge patch, 64 writers
//   in parallel); rates from the first write to the last event, which the write rate bounds.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { count, progress, serverExecArgv } from "../../../bench/lib/args.mjs";
import { emit, figure, ratioRow } from "../../../bench/lib/result.mjs";
import { median } from "../../../bench/lib/stats.mjs";
import {
  Manager,
  ResourceClient,
  RestClient,
  restConfigFromKubeconfigFile,
  silentLogger,
  stripManagedFields,
} from "../dist/index.js";
import { flunder, flunderType } from "../dist/testing/fixtures.js";

const COUNT = count("objects", 10_000, 1000);
// Nine rounds after an unmeasured warm-up: one sync is ~0.15 s, and five rounds' median moved
// by 0.1x between runs on a shared machine (the first, cold round alone was often above 1x).
const ROUNDS = count("rounds", 9, 2);
const WRITERS = 64;

async function parallel(items, worker) {
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < items.length) await worker(items[next++]);
    }),
  );
}

/** Resolves with the time the `expected`-th object event arrived. */
function rawWatch(rest, query, expected) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const connection = rest.watch(
      `/apis/${flunderType.group}/${flunderType.version}/flunders`,
      { watch: true, ...query },
      (event) => {
        if (event.type === "BOOKMARK") return;
        if (event.type === "ERROR") reject(new Error(JSON.stringify(event.object)));
        if (++seen === expected) {
          connection.stop();
          resolve(performance.now());
        }
      },
    );
  });
}

/**
 * The informer options of a manager as a generated project's src/server.ts sets them
 * (templates/project/server.ts.hbs: the cache keeps no managedFields), and the Manager's defaults.
 */
const GENERATED = { transform: stripManagedFields };
const DEFAULTS = {};

/** A manager with a no-op controller; `settled(n)` resolves once n more reconciles ran. */
function startManager(config, informer) {
  const manager = new Manager({ config, logger: silentLogger, informer });
  const reconciled = new Set();
  let total = 0;
  let last = 0;
  let target = COUNT;
  let reached = () => {};
  let all = new Promise((resolve) => {
    reached = resolve;
  });
  manager.addController({
    name: "noop",
    for: flunderType,
    async reconcile(_ctx, request) {
      total++;
      last = performance.now();
      reconciled.add(request.name);
      if (total === target) reached();
    },
  });
  const running = manager.start();
  return {
    manager,
    running,
    reconciled,
    settled(more) {
      if (more !== undefined) {
        target = total + more;
        all = new Promise((resolve) => {
          reached = resolve;
        });
      }
      return all;
    },
    get last() {
      return last;
    },
  };
}

const serverProcess = spawn(
  process.execPath,
  [...serverExecArgv(), fileURLToPath(new URL("./api-server-process.mjs", import.meta.url))],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const [firstLine] = await once(createInterface({ input: serverProcess.stdout }), "line");
const config = await restConfigFromKubeconfigFile(JSON.parse(firstLine).kubeconfig);
const rest = new RestClient(config, { maxSockets: WRITERS });
const flunders = new ResourceClient(rest, flunderType);
const names = Array.from({ length: COUNT }, (_, i) => `f${String(i).padStart(5, "0")}`);

progress(`creating ${COUNT} objects`);
let start = performance.now();
await parallel(names, (name) => flunders.create(flunder(name, { color: "a" }, "bench")));
const createSeconds = (performance.now() - start) / 1000;

// Initial sync, alternating raw watch and cold managers (configured as a generated project, and
// with the Manager's defaults, in alternating order); round -1 warms them up (JIT, connections).
progress(`${ROUNDS} rounds of initial sync after a warm-up`);
const rawRounds = [];
const controllerRounds = [];
const defaultsRounds = [];
/** Seconds from a cold manager's start to its last initial reconcile. */
async function coldSync(informer) {
  const begun = performance.now();
  const synced = startManager(config, informer);
  await synced.settled();
  const seconds = (performance.now() - begun) / 1000;
  if (synced.reconciled.size !== COUNT) throw new Error(`reconciled ${synced.reconciled.size} of ${COUNT}`);
  await synced.manager.stop();
  await synced.running;
  return seconds;
}
for (let round = -1; round < ROUNDS; round++) {
  start = performance.now();
  const raw = ((await rawWatch(rest, {}, COUNT)) - start) / 1000;
  const generatedFirst = round % 2 === 0;
  const first = await coldSync(generatedFirst ? GENERATED : DEFAULTS);
  const second = await coldSync(generatedFirst ? DEFAULTS : GENERATED);
  if (round < 0) continue;
  rawRounds.push(raw);
  controllerRounds.push(generatedFirst ? first : second);
  defaultsRounds.push(generatedFirst ? second : first);
}

// Live stream: one update per object while a raw watch and the controller both watch.
const controller = startManager(config, GENERATED);
await controller.settled();
const fromRv = controller.manager.informer(flunderType).stats.lastSyncResourceVersion;
const rawLive = rawWatch(rest, { resourceVersion: fromRv }, COUNT);
const controllerLive = controller.settled(COUNT);
start = performance.now();
await parallel(names, (name) => flunders.patch({ namespace: "bench", name }, { spec: { color: "b" } }));
const writeSeconds = (performance.now() - start) / 1000;
const rawLiveSeconds = ((await rawLive) - start) / 1000;
await controllerLive;
const controllerLiveSeconds = (controller.last - start) / 1000;

await controller.manager.stop();
await controller.running;
rest.close();
process.kill(serverProcess.pid, "SIGTERM");
await once(serverProcess, "exit");

const rate = (n, s) => Math.round(n / s);
emit({
  scenario: "controller",
  title: "no-op reconcile vs a raw watch",
  rows: [
    ratioRow({
      id: "controller",
      title: `${COUNT} objects through a no-op reconcile (initial sync, informers as a generated project sets them)`,
      ours: { value: rate(COUNT, median(controllerRounds)), unit: "reconciles/s" },
      baseline: { value: rate(COUNT, median(rawRounds)), unit: "events/s", label: "raw watch of the same objects" },
      // Rounds pair a raw watch with the manager started right after it.
      ratios: rawRounds.map((raw, i) => raw / controllerRounds[i]),
      goal: { op: ">=", value: 0.5 },
    }),
  ],
  figures: [
    figure(
      "initial sync with the Manager's default informers (managedFields kept): reconciles / raw watch events",
      median(rawRounds.map((raw, i) => raw / defaultsRounds[i])),
      "x",
      `${rate(COUNT, median(defaultsRounds))} reconciles/s; the row's manager strips managedFields as generated projects do`,
    ),
    figure(`creates by ${WRITERS} writers (fixture)`, rate(COUNT, createSeconds), "creates/s"),
    figure(
      "live stream (one update per object): reconciles / raw watch events",
      rawLiveSeconds / controllerLiveSeconds,
      "x",
      `${rate(COUNT, controllerLiveSeconds)} reconciles/s, ${rate(COUNT, rawLiveSeconds)} raw events/s, bounded by ${rate(COUNT, writeSeconds)} writes/s`,
    ),
  ],
});
