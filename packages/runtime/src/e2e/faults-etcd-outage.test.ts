/**
 * etcd outage under load, shorter than the compaction window (issue 5 show 4, issue 14
 * "etcd stopped for 10 s"): a server process on etcd serves a write storm, readers and
 * watchers; etcd is stopped for 10 s and started again on the same data. Meanwhile every
 * request gets an answer — a 2xx from the cache or a 503/504 Status, never a hang or a broken
 * connection — the process stays up, /readyz fails on its storage check; afterwards the server
 * recovers by itself (readiness, writes), every acknowledged write is stored, and every
 * watcher's history is complete, in order, without repeats and with zero 410s.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type EtcdProcess, etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import type { HttpsClient } from "../testing/processes/https-client.js";
import { ResumingWatcher } from "../testing/processes/resuming-watcher.js";
import { ServerProcess } from "../testing/processes/server-process.js";
import { pause, until } from "../testing/processes/wait.js";
import { checkWatcher } from "../testing/processes/watch-check.js";
import { type StoredFlunder, seededRandom, WARDLE_API, WriteStorm } from "../testing/processes/write-storm.js";

const OUTAGE_MS = Number(process.env.RELIABILITY_OUTAGE_MS ?? 10_000);
/** Longer than etcd's request deadline (5 s): a request still open after this is a hang. */
const HANG_MS = 20_000;
const NAMESPACE = "outage";
const COLLECTION = `${WARDLE_API}/namespaces/${NAMESPACE}/flunders`;

/** Reads in a loop (consistent list, cached list, one object, discovery), tallying answers. */
class ReadLoad {
  readonly answers = new Map<string, number>();
  readonly unexpected: string[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(client: HttpsClient, paths: readonly string[]) {
    this.loops = paths.map((path) => this.loop(client, path));
  }

  private async loop(client: HttpsClient, path: string): Promise<void> {
    while (this.running) {
      try {
        const answer = await client.request(path, { timeoutMs: HANG_MS });
        const key = `${answer.status}`;
        this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
        const ok = answer.status === 200 || answer.status === 404;
        const unavailable =
          (answer.status === 503 || answer.status === 504) && answer.json<{ kind?: string }>().kind === "Status";
        if (!ok && !unavailable) this.unexpected.push(`${path}: ${answer.status} ${answer.body.slice(0, 200)}`);
        if (!ok) await pause(50);
      } catch (error) {
        this.unexpected.push(`${path}: ${String(error)}`);
        await pause(50);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

describe("etcd stopped for 10 s under load", { skip: !etcdAvailable() && "etcd is not installed" }, () => {
  let etcd: EtcdProcess;
  let dataDir: string;
  let server: ServerProcess;
  before(async () => {
    etcd = await startEtcd();
    dataDir = mkdtempSync(join(tmpdir(), "etcd-outage-"));
    server = await ServerProcess.start({ storage: "etcd", dataDir, etcdServers: etcd.endpoint });
  });
  after(async () => {
    await server?.stop();
    await etcd?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers with Status errors, fails readiness, recovers, and loses no acknowledged write or watch event", async (t) => {
    const { client } = server;
    const watchers = [0, 1, 2].map(() => new ResumingWatcher({ client, collection: COLLECTION }));
    for (const watcher of watchers) watcher.start();
    await Promise.all(watchers.map((w) => w.connected));
    const storm = new WriteStorm(client, {
      namespace: NAMESPACE,
      writers: 4,
      random: seededRandom(77),
      timeoutMs: HANG_MS,
      pauseMs: 5,
    });
    const reads = new ReadLoad(client, [
      COLLECTION,
      `${COLLECTION}?resourceVersion=0`,
      `${COLLECTION}/storm-0-0`,
      `${WARDLE_API}`,
    ]);
    storm.start();
    try {
      await storm.waitForAcknowledged(100);
      const before = storm.acknowledged;
      await etcd.kill("SIGTERM");

      // During the outage: readiness fails on the storage check, within a few polls.
      const readiness: number[] = [];
      const deadline = Date.now() + OUTAGE_MS;
      let storageCheckFailed = false;
      while (Date.now() < deadline) {
        const ready = await client.request("/readyz?verbose", { timeoutMs: HANG_MS });
        readiness.push(ready.status);
        if (ready.status === 500 && ready.body.includes("[-]storage failed")) storageCheckFailed = true;
        await pause(250);
      }
      assert.ok(storageCheckFailed, `/readyz never reported the storage check failing: ${readiness.join(",")}`);
      const duringOutage = storm.acknowledged - before;
      assert.equal(server.exitStatus, undefined, "the server process died during the outage");

      await etcd.restart();
      // Recovery by itself: readiness and writes come back without a restart.
      await until(
        async () => (await client.request("/readyz")).status === 200,
        "readiness after the outage",
        30_000,
        100,
      );
      const recovered = storm.acknowledged;
      await storm.waitForAcknowledged(recovered + 100, 30_000);
      await storm.stop();
      await reads.stop();

      assert.deepEqual(storm.unexpected, []);
      assert.deepEqual(reads.unexpected, []);
      const unavailable = (reads.answers.get("503") ?? 0) + (reads.answers.get("504") ?? 0);
      const failedWrites = (storm.outcomes.get("503") ?? 0) + (storm.outcomes.get("504") ?? 0);
      assert.ok(unavailable + failedWrites > 0, "no request saw the outage");
      assert.equal(storm.outcomes.get("error") ?? 0, 0, "a write got no answer (hang or broken connection)");

      // Every acknowledged write is stored; an unanswered one may or may not be.
      const list = (await client.request(COLLECTION)).json<{
        metadata: { resourceVersion: string };
        items: StoredFlunder[];
      }>();
      const stored = storm.verify(list.items);
      assert.deepEqual(stored.problems, []);

      // Every watcher: complete, in order, exactly once, no 410.
      const end = Number(list.metadata.resourceVersion);
      await Promise.all(watchers.map((w) => w.waitForRevision(end)));
      const inDoubt = [...storm.keys.values()].filter((k) => k.inDoubt);
      let checked = 0;
      for (const [i, watcher] of watchers.entries()) {
        assert.equal(watcher.expired, 0, `watcher ${i} got 410`);
        assert.deepEqual(watcher.errors, [], `watcher ${i}`);
        const result = checkWatcher(
          watcher,
          { acknowledged: storm.history, inDoubt },
          { contiguous: true, upTo: storm.highestRevision },
        );
        assert.deepEqual(result.problems, [], `watcher ${i}`);
        checked += result.matched + result.accounted;
      }
      t.diagnostic(
        `outage ${OUTAGE_MS} ms: ${storm.acknowledged} writes acknowledged (${duringOutage} during the outage), ` +
          `${failedWrites} writes and ${unavailable} reads answered 503/504, ${inDoubt.length} writes in doubt, ` +
          `${stored.verified} keys verified, ${checked} watch events checked, ` +
          `${watchers.reduce((n, w) => n + w.interrupted, 0)} watch connections ended by the server, readiness ${summarize(readiness)}`,
      );
    } finally {
      await storm.stop();
      await reads.stop();
      await Promise.all(watchers.map((w) => w.stop()));
    }
  });
});

function summarize(statuses: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n}×${s}`).join(" ");
}
