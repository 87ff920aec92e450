/**
 * Watch properties as etcd's robustness tests check them (issue 14), property-based with
 * fast-check on a fixed seed: for generated write storms (writers, operations, seed) and
 * generated watchers (some drop their connection at random and resume from their last
 * resourceVersion, some stay away long enough to fall out of the watch cache's window),
 * every watcher sees every change exactly once, in resourceVersion order, with no gaps —
 * or gets 410 Expired and relists, and the list agrees with the history. Checked against
 * the recorded history of acknowledged writes, on memory, SQLite and etcd behind the watch
 * cache, and on SQLite without it.
 *
 * RELIABILITY_LONG=1 runs more scenarios; FUZZ_SEED=n replays another seed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EtcdStorage, MemoryStorage, SqliteStorage, type Storage } from "@apiserver-kit/storage";
import { type EtcdProcess, etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import fc from "fast-check";
import { HttpsClient } from "../testing/processes/https-client.js";
import { ResumingWatcher } from "../testing/processes/resuming-watcher.js";
import { checkWatcher } from "../testing/processes/watch-check.js";
import { seededRandom, WARDLE_API, WriteStorm } from "../testing/processes/write-storm.js";
import { startTestServer } from "../testing/test-server.js";

const LONG = process.env.RELIABILITY_LONG === "1";
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_514);
const RUNS = LONG ? 20 : 4;
/** A small watch-cache window, so that a watcher away for a while gets 410 and relists. */
const HISTORY_SIZE = 20;

interface WatcherPlan {
  /** Chance to drop the connection after each event. */
  dropChance: number;
  /** How long it stays away after a drop. */
  awayMs: number;
}

interface Scenario {
  seed: number;
  writers: number;
  writes: number;
  watchers: WatcherPlan[];
}

const scenarios: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  writers: fc.integer({ min: 1, max: 6 }),
  writes: fc.integer({ min: 60, max: LONG ? 400 : 150 }),
  watchers: fc.array(
    fc.record({
      dropChance: fc.oneof(
        { arbitrary: fc.constant(0), weight: 1 },
        { arbitrary: fc.double({ min: 0.01, max: 0.3, noNaN: true }), weight: 3 },
      ),
      awayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 150, max: 400 })),
    }),
    { minLength: 2, maxLength: 6 },
  ),
});

/** Totals over every scenario of one backend, for the report and for the 410 check. */
interface Totals {
  scenarios: number;
  writes: number;
  watchers: number;
  drops: number;
  expired: number;
  checked: number;
}

async function runScenario(client: HttpsClient, scenario: Scenario, index: number, totals: Totals) {
  const namespace = `fuzz-${index}`;
  const collection = `${WARDLE_API}/namespaces/${namespace}/flunders`;
  const random = seededRandom(scenario.seed);
  const watchers = scenario.watchers.map(
    (plan) =>
      new ResumingWatcher({
        client,
        collection,
        ...(plan.dropChance > 0 ? { dropAfter: () => random() < plan.dropChance } : {}),
        awayMs: () => plan.awayMs * (0.5 + random()),
      }),
  );
  for (const watcher of watchers) watcher.start();
  const storm = new WriteStorm(client, {
    namespace,
    writers: scenario.writers,
    random: seededRandom(scenario.seed + 1),
  });
  try {
    // Every watcher has its list before the first write, so that its first segment starts before it.
    await Promise.all(watchers.map((w) => w.connected));
    storm.start();
    await storm.waitForAcknowledged(scenario.writes);
    await storm.stop();
    assert.deepEqual(storm.unexpected, []);
    const end = Number(
      (await client.request(collection)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion,
    );
    await Promise.all(watchers.map((w) => w.waitForRevision(end)));
  } finally {
    await Promise.all(watchers.map((w) => w.stop()));
  }
  const history = { acknowledged: storm.history, inDoubt: [] };
  for (const [i, watcher] of watchers.entries()) {
    assert.deepEqual(watcher.errors, [], `watcher ${i}`);
    const result = checkWatcher(watcher, history, { contiguous: true, upTo: storm.highestRevision });
    assert.deepEqual(result.problems, [], `watcher ${i} of ${JSON.stringify(scenario)}`);
    totals.checked += result.matched + result.accounted;
    totals.drops += watcher.dropped;
    totals.expired += watcher.expired;
  }
  totals.scenarios++;
  totals.writes += storm.acknowledged;
  totals.watchers += watchers.length;
}

function describeBackend(name: string, open: () => Promise<Storage>, watchCache = true, runs = RUNS) {
  it(`every watcher sees every change once, in order, or 410 and a relist: ${name}`, async (t) => {
    const server = await startTestServer({
      storage: await open(),
      server: watchCache ? { watchCacheOptions: { historySize: HISTORY_SIZE } } : { watchCache: false },
    });
    const { ca, admin } = server.local.pki;
    const client = new HttpsClient(server.url, { ca: ca.cert, cert: admin.cert, key: admin.key });
    const totals: Totals = { scenarios: 0, writes: 0, watchers: 0, drops: 0, expired: 0, checked: 0 };
    let index = 0;
    try {
      await fc.assert(
        fc.asyncProperty(scenarios, (scenario) => runScenario(client, scenario, index++, totals)),
        { seed: SEED, numRuns: runs, endOnFailure: true },
      );
    } finally {
      client.close();
      await server.close();
    }
    t.diagnostic(
      `${totals.scenarios} scenarios, ${totals.writes} writes, ${totals.watchers} watchers, ${totals.drops} drops, ` +
        `${totals.expired} × 410 and relist, ${totals.checked} events checked against the history`,
    );
    assert.ok(totals.drops > 0, "no watcher dropped its connection: the resume path went untested");
    if (watchCache) assert.ok(totals.expired > 0, "no watcher fell out of the window: the 410 path went untested");
  });
}

describe(`watch properties (fast-check seed ${SEED})`, () => {
  const dirs: string[] = [];
  const sqlite = async () => {
    const dir = mkdtempSync(join(tmpdir(), "fuzz-watch-"));
    dirs.push(dir);
    // Durability is not what this checks; skipping the sync per commit keeps the runs short.
    return SqliteStorage.open({ dataDir: dir, synchronous: "normal" });
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describeBackend("memory", async () => new MemoryStorage());
  describeBackend("SQLite", sqlite);
  // Without the cache, watches resume from SQLite's own event log and history table.
  describeBackend("SQLite without the watch cache", sqlite, false, Math.ceil(RUNS / 2));

  describe("etcd", { skip: !etcdAvailable() && "etcd is not installed" }, () => {
    let etcd: EtcdProcess | undefined;
    before(async () => {
      etcd = await startEtcd();
    });
    after(async () => {
      await etcd?.stop();
    });
    describeBackend("etcd", async () => new EtcdStorage({ servers: [(etcd as EtcdProcess).endpoint] }));
  });
});
