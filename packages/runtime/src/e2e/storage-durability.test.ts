/**
 * Durability at the server level (issue 5 shows 2 and 5, issue 14 "kill -9 during a write
 * storm"): a server process is killed with SIGKILL while eight clients stream acknowledged
 * writes over HTTP; a new process on the same data directory (SQLite) or the same etcd starts
 * at once, holds every acknowledged write with the resourceVersion it was acknowledged with,
 * nothing half-written and nothing unknown, and continues the revision sequence. Also: the
 * data survives a graceful restart (the demo's case), and a second server on a data
 * directory in use refuses with a clear message.
 *
 * RELIABILITY_LONG=1 runs more kill/restart rounds.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type EtcdProcess, etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import { ServerProcess, ServerStartError } from "../testing/processes/server-process.js";
import { flunder, type StoredFlunder, seededRandom, WARDLE_API, WriteStorm } from "../testing/processes/write-storm.js";

const LONG = process.env.RELIABILITY_LONG === "1";
const ROUNDS = LONG ? 6 : 2;
/** Acknowledged writes to wait for before each kill. */
const WRITES_BEFORE_KILL = LONG ? 1500 : 250;
const WRITERS = 8;

interface List {
  metadata: { resourceVersion: string };
  items: StoredFlunder[];
}

async function listNamespace(server: ServerProcess, namespace: string): Promise<List> {
  const answer = await server.client.request(`${WARDLE_API}/namespaces/${namespace}/flunders`);
  assert.equal(answer.status, 200, answer.body);
  return answer.json<List>();
}

interface Scenario {
  namespace: string;
  start: () => Promise<ServerProcess>;
  /** Runs after the kill of round `round`, before the restart. */
  afterKill?: (round: number) => Promise<void>;
  /** Runs with the last restarted server. */
  finally?: (server: ServerProcess) => Promise<void>;
}

/**
 * Rounds of: storm, kill -9 mid-stream, restart, verify. Each round's storm writes new keys
 * and the earlier rounds' keys are verified again after every restart.
 */
async function killDuringStorm(
  scenario: Scenario,
): Promise<{ verified: number; inDoubt: number; acknowledged: number }> {
  const { namespace, start } = scenario;
  const storms: WriteStorm[] = [];
  let server = await start();
  let totals = { verified: 0, inDoubt: 0, acknowledged: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const storm = new WriteStorm(server.client, {
        namespace,
        prefix: `r${round}`,
        writers: WRITERS,
        random: seededRandom(1000 + round),
      });
      storms.push(storm);
      storm.start();
      await storm.waitForAcknowledged(WRITES_BEFORE_KILL);
      const exit = await server.kill("SIGKILL");
      assert.equal(exit.signal, "SIGKILL");
      await storm.stop();
      assert.deepEqual(storm.unexpected, []);
      // Eight writers with no pause: some were in flight when the process died.
      assert.ok(storm.inDoubt > 0, "no write was in flight at the kill: the test did not test anything");
      await scenario.afterKill?.(round);

      // No stale lock, no recovery wait: the first start on the same data succeeds.
      server = await start();
      const list = await listNamespace(server, namespace);
      totals = { verified: 0, inDoubt: 0, acknowledged: 0 };
      for (const earlier of storms) {
        const { problems, verified, tookInDoubt } = earlier.verify(list.items);
        assert.deepEqual(problems, [], `round ${round}: the store lost or mangled acknowledged writes`);
        totals.verified += verified;
        totals.inDoubt += tookInDoubt;
        totals.acknowledged += earlier.acknowledged;
      }
      // Revisions go on from where they were: nothing acknowledged is reused or shadowed.
      assert.ok(Number(list.metadata.resourceVersion) >= storm.highestRevision);
      const probe = await server.client.request(`${WARDLE_API}/namespaces/${namespace}/flunders`, {
        method: "POST",
        body: flunder(`after-${round}`, { replicas: 1, reference: "after" }),
      });
      assert.equal(probe.status, 201, probe.body);
      const revision = Number(probe.json<StoredFlunder>().metadata.resourceVersion);
      assert.ok(revision > storm.highestRevision, `revision ${revision} reused after restart`);
    }
    await scenario.finally?.(server);
  } finally {
    await server.stop();
  }
  return totals;
}

function report(totals: { verified: number; inDoubt: number; acknowledged: number }): string {
  return (
    `${ROUNDS} kills, ${totals.acknowledged} acknowledged writes, ${totals.verified} keys verified in their ` +
    `acknowledged state, ${totals.inDoubt} in-flight writes found applied`
  );
}

describe("kill -9 during a write storm: SQLite", () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "durability-sqlite-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("keeps every acknowledged write, nothing half-written, restarts at once, and refuses a second owner", async (t) => {
    const totals = await killDuringStorm({
      namespace: "crash",
      start: () => ServerProcess.start({ storage: "sqlite", dataDir }),
      finally: async (owner) => {
        // A lock that outlives kill -9 would have failed the restarts; one held by a live owner must refuse.
        await assert.rejects(
          ServerProcess.start({ storage: "sqlite", dataDir }),
          (error: unknown) =>
            error instanceof ServerStartError &&
            error.stderr.includes("is in use by another process") &&
            error.stderr.includes(`pid ${owner.pid}`),
        );
        assert.equal((await owner.client.request("/readyz")).status, 200);
      },
    });
    assert.ok(totals.verified > 0);
    t.diagnostic(report(totals));
  });

  it("keeps the data across graceful restarts (the demo's data directory)", async () => {
    const first = await ServerProcess.start({ storage: "sqlite", dataDir });
    const created = await first.client.request(`${WARDLE_API}/namespaces/demo/flunders`, {
      method: "POST",
      body: flunder("kept", { replicas: 3, reference: "demo" }),
    });
    assert.equal(created.status, 201, created.body);
    const exit = await first.stop();
    assert.equal(exit.code, 0, first.stderr);
    const second = await ServerProcess.start({ storage: "sqlite", dataDir });
    try {
      const read = await second.client.request(`${WARDLE_API}/namespaces/demo/flunders/kept`);
      assert.equal(read.status, 200, read.body);
      const object = read.json<StoredFlunder & { metadata: { uid: string } }>();
      assert.equal(object.spec?.reference, "demo");
      assert.equal(object.metadata.resourceVersion, created.json<StoredFlunder>().metadata.resourceVersion);
      assert.equal(object.metadata.uid, created.json<{ metadata: { uid: string } }>().metadata.uid);
    } finally {
      await second.stop();
    }
  });
});

describe("kill -9 during a write storm: etcd", { skip: !etcdAvailable() && "etcd is not installed" }, () => {
  let etcd: EtcdProcess;
  let dataDir: string;
  before(async () => {
    etcd = await startEtcd();
    dataDir = mkdtempSync(join(tmpdir(), "durability-etcd-"));
  });
  after(async () => {
    await etcd?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () => ServerProcess.start({ storage: "etcd", dataDir, etcdServers: etcd.endpoint });

  it("keeps every acknowledged write when the server process is killed, and when etcd is killed too", async (t) => {
    const totals = await killDuringStorm({
      namespace: "crash",
      start,
      // Odd rounds kill etcd as well: its fsync before answering is what makes those writes survive.
      afterKill: async (round) => {
        if (round % 2 === 1) await etcd.restart();
      },
    });
    assert.ok(totals.verified > 0);
    t.diagnostic(report(totals));
  });
});
