#!/usr/bin/env node
// On demand, not part of `npm run bench`: what one etcd transaction costs the storage package's
// own client (gRPC over node:http2, the server's transport) in this process's CPU, and its rate,
// at concurrency 1, 16 and 64: the share of a create through the server that the baseline pays too.
//
//   node bench/experiments/etcd-client-cpu.mjs [--rounds 3] [--txns 3000]
//
// Each transaction is the baseline's: compare mod_revision = 0, put ~1.1 KB.
import { EtcdClient, startEtcd } from "@apiserver-kit/storage/testing";
import { count } from "../lib/args.mjs";
import { atConcurrency, etcdCreate } from "../lib/creates.mjs";
import { median } from "../lib/stats.mjs";

const rounds = count("rounds", 3, 1);
const txns = count("txns", 3000, 300);
const value = Buffer.from("x".repeat(1150));

async function run(client, prefix, total, concurrency) {
  const cpu0 = process.cpuUsage();
  const rate = await atConcurrency(total, concurrency, (i) => etcdCreate(client, `${prefix}/f-${i}`, value));
  const cpu = process.cpuUsage(cpu0);
  return { rate, cpu: (cpu.user + cpu.system) / total };
}

const etcd = await startEtcd();
const client = new EtcdClient([etcd.endpoint], {}, 5000);
try {
  await run(client, "/warm-up", txns, 16);
  for (const concurrency of [1, 16, 64]) {
    const n = concurrency === 1 ? Math.ceil(txns / 5) : txns;
    const results = [];
    for (let round = 0; round < rounds; round++)
      results.push(await run(client, `/c${concurrency}-${round}`, n, concurrency));
    console.log(
      `concurrency ${concurrency}: ${median(results.map((r) => r.rate)).toFixed(0)} txns/s, ` +
        `${median(results.map((r) => r.cpu)).toFixed(0)} µs of client CPU per txn (median of ${rounds})`,
    );
  }
} finally {
  client.close();
  await etcd.stop();
}
