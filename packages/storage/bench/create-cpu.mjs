// CPU per create in this process for EtcdStorage and SqliteStorage with a WatchCache in front,
// the way the server uses them (the cache's backend watch applies every write). Run on demand:
// build first (`npx tsc -b packages/storage`), then
//
//   node --expose-gc packages/storage/bench/create-cpu.mjs [--backends etcd,sqlite] [--creates 2000]
//        [--concurrency 1,16,64] [--rounds 5] [--dist dist,OTHER_DIST] [--profile DIR]
//
// A round creates `creates` objects of ~1.1 KB (a wardle Flunder as the server stores it) at the
// given concurrency and waits until the watch cache holds the last one; it reports the process's
// CPU time (main thread, the SQLite writer thread, libuv) per create. With several --dist
// directories (copies of packages/storage/dist, e.g. of the branch point, kept inside
// packages/storage so that dependencies resolve), their rounds alternate and each gets its own
// storage and key prefix; medians per dist are printed. No speed is asserted anywhere.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { flunder } from "../../../bench/lib/objects.mjs";

const { values } = parseArgs({
  options: {
    backends: { type: "string", default: "etcd,sqlite" },
    creates: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "1,16,64" },
    rounds: { type: "string", default: "5" },
    dist: { type: "string", default: "dist" },
    profile: { type: "string" },
  },
});
const HERE = new URL("..", import.meta.url).pathname;
const CREATES = Number(values.creates);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = values.concurrency.split(",").map(Number);
const DISTS = values.dist.split(",");

/** A Flunder of about 1.1 KB as the server stores it: the benchmarks' object plus uid, managedFields. */
function storedFlunder(name, index, namespace) {
  const object = flunder(name, index, namespace);
  return {
    ...object,
    metadata: {
      ...object.metadata,
      uid: `0b6c3c1e-5a51-4f7e-9d0c-${String(index).padStart(12, "0")}`,
      generation: 1,
      creationTimestamp: "2026-11-30T10:00:00Z",
      managedFields: [
        {
          manager: "bench",
          operation: "Update",
          apiVersion: "wardle.example.com/v1alpha1",
          time: "2026-11-30T10:00:00Z",
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:metadata": { "f:annotations": { ".": {}, "f:bench.example.com/note": {} }, "f:labels": { ".": {} } },
            "f:spec": { ".": {}, "f:color": {}, "f:items": {}, "f:reference": {}, "f:replicas": {} },
          },
        },
      ],
    },
  };
}

async function openVariant(dist, backend, tag, etcdEndpoint) {
  const storage = await import(resolve(HERE, dist, "index.js"));
  const prefix = `/registry/wardle.example.com/flunders-${tag}/`;
  let store;
  let cleanup;
  if (backend === "etcd") {
    store = new storage.EtcdStorage({ servers: [etcdEndpoint], compactionIntervalMs: 0 });
    cleanup = () => store.close();
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), "create-cpu-"));
    store = await storage.SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
    cleanup = async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const cache = new storage.WatchCache(store, { prefix });
  await cache.ready;
  return {
    dist,
    prefix,
    cache,
    round: 0,
    close: async () => {
      await cache.close();
      await cleanup();
    },
  };
}

/** One round: CPU µs per create and creates/s, measured until the cache applied the last write. */
async function round(variant, concurrency) {
  const namespace = `r${variant.round++}c${concurrency}`;
  const objects = Array.from({ length: CREATES }, (_, i) => storedFlunder(`f-${i}`, i, namespace));
  const keys = objects.map((o) => `${variant.prefix}${namespace}/${o.metadata.name}`);
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  let last = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < CREATES) {
        const i = next++;
        const stored = await variant.cache.create(keys[i], objects[i]);
        last = Math.max(last, Number(stored.metadata.resourceVersion));
      }
    }),
  );
  // The write is only done for the server once its watch event reached the cache.
  while (!(await variant.cache.get(keys[CREATES - 1], { consistency: { kind: "any" } }))) {
    await new Promise((r) => setImmediate(r));
  }
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  return { cpuUs: (cpu.user + cpu.system) / CREATES, rate: CREATES / seconds };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const session = values.profile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
}

for (const backend of values.backends.split(",")) {
  let etcd;
  if (backend === "etcd") {
    const testing = await import(resolve(HERE, DISTS[0], "testing", "index.js"));
    etcd = await testing.startEtcd();
  }
  const variants = [];
  for (const [i, dist] of DISTS.entries()) variants.push(await openVariant(dist, backend, `v${i}`, etcd?.endpoint));
  for (const concurrency of CONCURRENCY) {
    // One warm-up round each, not counted.
    for (const v of variants) await round(v, concurrency);
    const results = new Map(variants.map((v) => [v, []]));
    if (session) await session.post("Profiler.start");
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) results.get(v).push(await round(v, concurrency));
    }
    if (session) {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(join(values.profile, `create-cpu-${backend}-c${concurrency}.cpuprofile`), JSON.stringify(profile));
    }
    for (const v of variants) {
      const rs = results.get(v);
      const cpu = rs.map((x) => x.cpuUs);
      console.log(
        `${backend} c=${String(concurrency).padStart(2)} ${v.dist.padEnd(28)} CPU/create median ${median(cpu).toFixed(0)} µs` +
          ` [${Math.min(...cpu).toFixed(0)}–${Math.max(...cpu).toFixed(0)}], ${median(rs.map((x) => x.rate)).toFixed(0)} creates/s`,
      );
    }
  }
  for (const v of variants) await v.close();
  await etcd?.stop();
}
