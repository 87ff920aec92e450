#!/usr/bin/env node
// On demand, not part of `npm run bench`: creates on etcd through one server process against
// two replicas of it sharing the etcd (as two pods of a Deployment behind one Service: the load
// generator's connections split between them), each beside raw etcd transactional puts through
// the storage package's client, the baseline of bench/storage.mjs. Rounds alternate
// one replica / raw / two replicas.
//
//   node --expose-gc bench/experiments/etcd-replicas.mjs [--concurrency 64] [--creates 3000] [--rounds 3]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EtcdClient, startEtcd } from "@apiserver-kit/storage/testing";
import { count } from "../lib/args.mjs";
import { atConcurrency, createFlunders, etcdCreate, startStorageServer } from "../lib/creates.mjs";
import { median } from "../lib/stats.mjs";

const concurrency = count("concurrency", 64, 16);
const creates = count("creates", 3000, 300);
const rounds = count("rounds", 3, 1);

/** A process's CPU time (user + system) in µs, from /proc (Linux clock ticks of 10 ms). */
function procCpu(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** CPU per operation of each party over `run`: servers (by IPC), etcd and this process (load generator or raw client). */
async function measured(servers, run) {
  const cpu = async () => {
    let sum = 0;
    for (const s of servers) sum += await s.cpu();
    return sum;
  };
  const own = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  const before = { servers: await cpu(), etcd: procCpu(etcd.pid), own: own() };
  const rate = await run();
  return {
    rate,
    servers: ((await cpu()) - before.servers) / creates,
    etcd: (procCpu(etcd.pid) - before.etcd) / creates,
    own: (own() - before.own) / creates,
  };
}

const etcd = await startEtcd();
const dir = mkdtempSync(join(tmpdir(), "bench-etcd-replicas-"));
// One after the other: the second finds the first's certificates in the shared directory.
const first = await startStorageServer(dir, "etcd", etcd.endpoint);
const second = await startStorageServer(dir, "etcd", etcd.endpoint);
const raw = new EtcdClient([etcd.endpoint], {}, 5000);
try {
  const one = [await first.client(concurrency)];
  const two = [await first.client(Math.ceil(concurrency / 2)), await second.client(Math.ceil(concurrency / 2))];
  const value = Buffer.alloc(1400, "x");
  const etcdPuts = (prefix) => atConcurrency(creates, concurrency, (i) => etcdCreate(raw, `${prefix}/f-${i}`, value));
  // Unmeasured warm-up of both replicas and the raw client.
  await createFlunders(two, "warm-up", 2 * creates, concurrency);
  await createFlunders(one, "warm-up-1", creates, concurrency);
  await etcdPuts("/bench/warm-up");
  const results = { one: [], raw: [], two: [] };
  for (let round = 0; round < rounds; round++) {
    results.one.push(await measured([first.server], () => createFlunders(one, `one-${round}`, creates, concurrency)));
    results.raw.push(await measured([], () => etcdPuts(`/bench/raw-${round}`)));
    results.two.push(
      await measured([first.server, second.server], () => createFlunders(two, `two-${round}`, creates, concurrency)),
    );
  }
  for (const client of [...one, ...two]) client.close();
  console.log(`concurrency ${concurrency}, ${rounds} rounds of ${creates}; CPU in µs per operation (medians)`);
  const rawRate = median(results.raw.map((x) => x.rate));
  for (const [name, xs] of Object.entries(results)) {
    const m = (key) => median(xs.map((x) => x[key]));
    const total = m("servers") + m("etcd") + m("own");
    console.log(
      `${name.padEnd(4)} ${xs.map((x) => x.rate.toFixed(0)).join(", ")} /s → ${(m("rate") / rawRate).toFixed(2)}x; ` +
        `server(s) ${m("servers").toFixed(0)}, etcd ${m("etcd").toFixed(0)}, ${name === "raw" ? "client" : "load generator"} ${m("own").toFixed(0)}, all ${total.toFixed(0)}`,
    );
  }
} finally {
  raw.close();
  await first.server.stop();
  await second.server.stop();
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
}
