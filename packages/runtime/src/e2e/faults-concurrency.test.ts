/**
 * Optimistic concurrency is linearizable (issue 14): 8 clients × 250 read-modify-write
 * increments of one field over HTTP, retrying on 409 Conflict, end at exactly 2,000, and the
 * successful writes wrote each value 1..2,000 exactly once — on memory, SQLite and etcd
 * behind the watch cache. The same on two replica processes sharing etcd is in
 * storage-replicas.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { EtcdStorage, MemoryStorage, SqliteStorage, type Storage } from "@apiserver-kit/storage";
import { type EtcdProcess, etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import { assertLinearizable, runCounter } from "../testing/processes/counter.js";
import { HttpsClient } from "../testing/processes/https-client.js";
import { startTestServer } from "../testing/test-server.js";

const WORKERS = 8;
const INCREMENTS = process.env.RELIABILITY_LONG === "1" ? 1000 : 250;

/** Runs the counter against a server in this process over `storage`, and checks the outcome. */
async function checkCounter(storage: Storage): Promise<string> {
  const server = await startTestServer({ storage });
  const { ca, admin } = server.local.pki;
  const client = new HttpsClient(server.url, { ca: ca.cert, cert: admin.cert, key: admin.key });
  try {
    const result = await runCounter({
      clients: [client],
      namespace: "default",
      name: "counter",
      workers: WORKERS,
      incrementsPerWorker: INCREMENTS,
    });
    assertLinearizable(result, WORKERS * INCREMENTS);
    return `${result.requests} requests, ${result.conflicts} conflicts retried`;
  } finally {
    client.close();
    await server.close();
  }
}

describe("optimistic concurrency: 8 clients × 250 increments end at exactly 2,000", () => {
  it("on memory", async (t) => {
    t.diagnostic(await checkCounter(new MemoryStorage()));
  });

  it("on SQLite", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "counter-sqlite-"));
    try {
      // The sync setting changes durability, not concurrency control (same revision checks in one
      // writer); without a sync per commit the 2,000 serialized commits don't take half a minute.
      t.diagnostic(await checkCounter(await SqliteStorage.open({ dataDir: dir, synchronous: "normal" })));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("on etcd", { skip: !etcdAvailable() && "etcd is not installed" }, () => {
    let etcd: EtcdProcess | undefined;
    after(async () => {
      await etcd?.stop();
    });
    it("through one server", async (t) => {
      etcd = await startEtcd();
      t.diagnostic(await checkCounter(new EtcdStorage({ servers: [etcd.endpoint] })));
    });
  });
});
