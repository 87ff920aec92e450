/**
 * Optimistic concurrency is linearizable (issue 14): 8 clients × 250 read-modify-write
 * increments of one field over HTTP, retrying on 409 Conflict, end at exactly 2,000, and the
 * successful writes wrote each value 1..2,000 exactly once — on memory, SQLite and etcd, each
 * behind the watch cache in a server process of its own. The same on two replica processes
 * sharing etcd is in storage-replicas.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type EtcdProcess, etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import { assertLinearizable, runCounter } from "../testing/processes/counter.js";
import { ServerProcess, type ServerProcessOptions } from "../testing/processes/server-process.js";

const WORKERS = 8;
const INCREMENTS = process.env.RELIABILITY_LONG === "1" ? 1000 : 250;

/** Runs the counter against a server process with these options, and checks the outcome. */
async function checkCounter(options: Omit<ServerProcessOptions, "dataDir">): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), `counter-${options.storage}-`));
  const server = await ServerProcess.start({ ...options, dataDir });
  try {
    const result = await runCounter({
      clients: [server.client],
      namespace: "default",
      name: "counter",
      workers: WORKERS,
      incrementsPerWorker: INCREMENTS,
    });
    assertLinearizable(result, WORKERS * INCREMENTS);
    return `${result.requests} requests, ${result.conflicts} conflicts retried`;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe(`optimistic concurrency: ${WORKERS} clients × ${INCREMENTS} increments end at exactly ${WORKERS * INCREMENTS}`, () => {
  it("on memory", async (t) => {
    t.diagnostic(await checkCounter({ storage: "memory" }));
  });

  it("on SQLite (a sync per commit, the default)", async (t) => {
    t.diagnostic(await checkCounter({ storage: "sqlite" }));
  });

  describe("on etcd", { skip: !etcdAvailable() && "etcd is not installed" }, () => {
    let etcd: EtcdProcess | undefined;
    after(async () => {
      await etcd?.stop();
    });
    it("through one server", async (t) => {
      etcd = await startEtcd();
      t.diagnostic(await checkCounter({ storage: "etcd", etcdServers: etcd.endpoint }));
    });
  });
});
