/**
 * The watch cache in the server (issue 5, "the watch cache"): with the server's storage wrapped
 * in a backend that counts reads, lists and gets at resourceVersion "0" and N, exact lists,
 * paginated lists, consistent reads (memory and SQLite) and watches over HTTP reach the backend
 * zero times: each kind's cache answers them from memory, fed by its one backend watch. The
 * storage package checks the cache itself; this checks that the server really puts it in front.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { MemoryStorage, SqliteStorage, type Storage } from "@apiserver-kit/storage";
import { InstrumentedStorage } from "@apiserver-kit/storage/testing";
import { HttpsClient } from "../testing/processes/https-client.js";
import { openWatchConnection } from "../testing/processes/watch-client.js";
import { flunder, type StoredFlunder, WARDLE_API } from "../testing/processes/write-storm.js";
import { startTestServer } from "../testing/test-server.js";

const COLLECTION = `${WARDLE_API}/namespaces/default/flunders`;

interface List {
  metadata: { resourceVersion: string; continue?: string };
  items: StoredFlunder[];
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const backends: [string, () => Promise<Storage>][] = [
  ["memory", async () => new MemoryStorage()],
  [
    "SQLite",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "watch-cache-e2e-"));
      dirs.push(dir);
      return SqliteStorage.open({ dataDir: dir, compactionIntervalMs: 0 });
    },
  ],
];

describe("the server answers reads and watches from its watch cache", () => {
  for (const [name, open] of backends) {
    it(`on ${name}: zero backend reads for lists, gets and watches at every resourceVersion`, async (t) => {
      const storage = new InstrumentedStorage(await open());
      const server = await startTestServer({ storage });
      const { ca, admin } = server.local.pki;
      const client = new HttpsClient(server.url, { ca: ca.cert, cert: admin.cert, key: admin.key });
      try {
        const rvOf = async (answer: Promise<{ status: number; body: string; json<T>(): T }>, status: number) => {
          const settled = await answer;
          assert.equal(settled.status, status, settled.body);
          return settled.json<StoredFlunder>().metadata.resourceVersion as string;
        };
        const a1 = await rvOf(
          client.request(COLLECTION, { method: "POST", body: flunder("a", { replicas: 1, reference: "r" }) }),
          201,
        );
        const b1 = await rvOf(
          client.request(COLLECTION, { method: "POST", body: flunder("b", { replicas: 1, reference: "r" }) }),
          201,
        );
        const a2 = await rvOf(
          client.request(`${COLLECTION}/a`, {
            method: "PUT",
            body: { ...flunder("a", { replicas: 2, reference: "r" }), metadata: { name: "a", resourceVersion: a1 } },
          }),
          200,
        );
        storage.resetCounts();

        const list = async (query: string) => {
          const answer = await client.request(`${COLLECTION}${query}`);
          assert.equal(answer.status, 200, `${query}: ${answer.body}`);
          return answer.json<List>();
        };
        const replicasOfA = async (query: string) => {
          const answer = await client.request(`${COLLECTION}/a${query}`);
          assert.equal(answer.status, 200, `a${query}: ${answer.body}`);
          return answer.json<StoredFlunder>().spec?.replicas;
        };
        const names = (l: List) => l.items.map((i) => i.metadata.name);
        // Consistent (no resourceVersion), "0", and N (not older than).
        assert.deepEqual(names(await list("")), ["a", "b"]);
        assert.deepEqual(names(await list("?resourceVersion=0")), ["a", "b"]);
        assert.deepEqual(names(await list(`?resourceVersion=${a2}`)), ["a", "b"]);
        assert.equal(await replicasOfA(""), 2);
        assert.equal(await replicasOfA("?resourceVersion=0"), 2);
        assert.equal(await replicasOfA(`?resourceVersion=${a2}`), 2);
        // Exact, inside the cache's window: the state before the update.
        const exact = await list(`?resourceVersion=${a1}&resourceVersionMatch=Exact`);
        assert.deepEqual(names(exact), ["a"]);
        assert.equal(exact.items[0]?.spec?.replicas, 1);
        // Pages, consistent and from "0".
        const page = await list("?limit=1");
        assert.deepEqual(names(page), ["a"]);
        assert.ok(page.metadata.continue, "a continue token");
        assert.deepEqual(names(await list(`?limit=1&continue=${encodeURIComponent(page.metadata.continue)}`)), ["b"]);
        // A watch from N replays from the cache's history.
        const watch = await openWatchConnection(client, `${COLLECTION}?watch=true&resourceVersion=${a1}`);
        try {
          assert.equal(watch.status, 200, watch.body);
          await watch.until((events) => events.length >= 2);
          assert.deepEqual(
            watch.events
              .map((e) => `${e.type} ${e.object.metadata?.name} ${e.object.metadata?.resourceVersion}`)
              .slice(0, 2),
            [`ADDED b ${b1}`, `MODIFIED a ${a2}`],
          );
        } finally {
          watch.close();
        }

        assert.equal(storage.reads, 0, `backend reads: ${JSON.stringify(storage.calls)}`);
        assert.equal(storage.calls.watch, 0, "no backend watch per client watch");
        assert.ok(storage.calls.currentRevision > 0, "consistent reads compared with the backend's revision");
        t.diagnostic(`13 reads and a watch over HTTP; backend calls: ${JSON.stringify(storage.calls)}`);
      } finally {
        client.close();
        await server.close();
      }
    });
  }

  it("makes a consistent read wait for the cache to catch up, then answers 504 Timeout with Retry-After", async () => {
    const storage = new InstrumentedStorage(new MemoryStorage());
    const server = await startTestServer({ storage, server: { watchCacheOptions: { freshnessTimeoutMs: 300 } } });
    const { ca, admin } = server.local.pki;
    const client = new HttpsClient(server.url, { ca: ca.cert, cert: admin.cert, key: admin.key });
    try {
      assert.equal((await client.request(COLLECTION)).status, 200);
      // A write the cache has not seen yet: its backend watch events are held back.
      storage.holdingWatchEvents = true;
      await storage.backend.create(
        "/registry/wardle.example.com/flunders/default/late",
        flunder("late", { replicas: 1, reference: "r" }),
      );
      storage.resetCounts();
      const waited = await client.request(COLLECTION);
      assert.equal(waited.status, 504, waited.body);
      assert.equal(waited.json<{ reason: string }>().reason, "Timeout");
      assert.equal(waited.headers["retry-after"], "1");
      assert.equal(storage.reads, 0, "the consistent read did not fall back to the backend");
      // Answered from the resourceVersion "0" cache meanwhile, without the write.
      const stale = await client.request(`${COLLECTION}?resourceVersion=0`);
      assert.deepEqual(stale.json<List>().items, []);
      const pending = client.request(COLLECTION);
      setTimeout(() => storage.releaseWatchEvents(), 50);
      const caughtUp = await pending;
      assert.equal(caughtUp.status, 200, caughtUp.body);
      assert.deepEqual(
        caughtUp.json<List>().items.map((i) => i.metadata.name),
        ["late"],
      );
      assert.equal(storage.reads, 0);
    } finally {
      client.close();
      await server.close();
    }
  });
});
