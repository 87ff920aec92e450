import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isStorageError, StorageError } from "../errors.js";
import type { Storage, StoredObject } from "../interface.js";
import { MemoryStorage } from "../memory/memory-storage.js";
import { SqliteStorage } from "../sqlite/sqlite-storage.js";
import { describeStorageConformance, settle, WatchRecorder } from "../testing/conformance.js";
import { FakeClock } from "../testing/fake-clock.js";
import { memoryFixture, sqliteFixture, withWatchCache } from "../testing/fixtures.js";
import { InstrumentedStorage } from "../testing/instrumented-storage.js";
import { WatchCache } from "./watch-cache.js";

describeStorageConformance("watch cache over memory", withWatchCache(memoryFixture));
describeStorageConformance("watch cache over sqlite", withWatchCache(sqliteFixture()));

const P = "/registry/cache.test/things/";

function thing(name: string, extra: Record<string, unknown> = {}): StoredObject {
  return { apiVersion: "test.example/v1", kind: "Thing", metadata: { name }, ...extra };
}

function rv(object: StoredObject | null | undefined): number {
  return Number(object?.metadata?.resourceVersion);
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function backends(): Promise<[string, () => Promise<Storage>][]> {
  return [
    ["memory", async () => new MemoryStorage()],
    [
      "sqlite",
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "cache-test-"));
        const storage = await SqliteStorage.open({ dataDir: dir, compactionIntervalMs: 0 });
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
        return storage;
      },
    ],
  ];
}

async function cached(
  backend: Storage,
  options: Partial<ConstructorParameters<typeof WatchCache>[1]> = {},
): Promise<{ counted: InstrumentedStorage; cache: WatchCache }> {
  const counted = new InstrumentedStorage(backend);
  const cache = new WatchCache(counted, { prefix: P, ...options });
  cleanups.push(async () => {
    await cache.close();
    await backend.close();
  });
  await cache.ready;
  return { counted, cache };
}

describe("WatchCache", async () => {
  for (const [name, open] of await backends()) {
    it(`answers cached reads and watches over ${name} without reading the backend`, async () => {
      const { counted, cache } = await cached(await open());
      const a1 = await cache.create(`${P}a`, thing("a", { n: 1 }));
      const a2 = await cache.guaranteedUpdate(`${P}a`, (cur) => ({ ...cur, n: 2 }));
      await cache.create(`${P}b`, thing("b"));
      const c = await cache.create(`${P}c`, thing("c"));
      await cache.delete(`${P}b`);
      counted.resetCounts();

      // Consistent reads: the cache compares with currentRevision() (no I/O on memory and SQLite).
      assert.equal((await cache.get(`${P}a`))?.n, 2);
      assert.deepEqual(
        (await cache.list(P)).items.map((i) => i.metadata?.name),
        ["a", "c"],
      );
      assert.equal((await cache.get(`${P}a`, { consistency: { kind: "any" } }))?.n, 2);
      assert.equal((await cache.list(P, { consistency: { kind: "any" } })).items.length, 2);
      assert.equal((await cache.get(`${P}a`, { consistency: { kind: "notOlderThan", revision: rv(a2) } }))?.n, 2);
      assert.equal((await cache.list(P, { consistency: { kind: "notOlderThan", revision: rv(c) } })).items.length, 2);
      // Exact reads inside the window are rebuilt from the events.
      assert.equal((await cache.get(`${P}a`, { consistency: { kind: "exact", revision: rv(a1) } }))?.n, 1);
      const atC = await cache.list(P, { consistency: { kind: "exact", revision: rv(c) }, limit: 2 });
      assert.deepEqual(
        atC.items.map((i) => i.metadata?.name),
        ["a", "b"],
      );
      assert.equal(atC.remainingItemCount, 1);
      const rest = await cache.list(P, { limit: 2, continueFrom: atC.continueFrom });
      assert.deepEqual(
        rest.items.map((i) => i.metadata?.name),
        ["c"],
      );
      const recorder = new WatchRecorder(cache, P, { fromRevision: rv(a1) });
      await recorder.until(() => recorder.objectEvents.length === 4);
      recorder.stop();

      assert.equal(counted.reads, 0, JSON.stringify(counted.calls));
      assert.equal(counted.calls.watch, 0);
      assert.ok(counted.calls.currentRevision >= 2, "consistent reads checked the backend's revision");
    });
  }

  it("sends exact reads older than its window to the backend, which answers or says Expired", async () => {
    const backend = new MemoryStorage();
    const { counted, cache } = await cached(backend, { historySize: 3 });
    const first = await cache.create(`${P}a`, thing("a", { n: 0 }));
    for (let n = 1; n <= 5; n++) await cache.guaranteedUpdate(`${P}a`, (cur) => ({ ...cur, n }));
    await cache.get(`${P}a`);
    counted.resetCounts();
    const old = await cache.get(`${P}a`, { consistency: { kind: "exact", revision: rv(first) } });
    assert.equal(old?.n, 0);
    assert.equal(counted.calls.get, 1, "read from the backend");
    const recorder = new WatchRecorder(cache, P, { fromRevision: rv(first) });
    await recorder.until(() => recorder.error !== undefined);
    assert.ok(isStorageError(recorder.error, "Expired"), "a watch older than the window is Expired");
    await backend.compact(rv(first) + 1);
    await assert.rejects(cache.list(P, { consistency: { kind: "exact", revision: rv(first) } }), (e: unknown) =>
      isStorageError(e, "Expired"),
    );
  });

  it("makes a consistent read wait until it has seen the backend's revision, then Timeout", async () => {
    const clock = new FakeClock();
    const backend = new MemoryStorage();
    const { counted, cache } = await cached(backend, { clock, freshnessTimeoutMs: 3000 });
    counted.resetCounts();
    counted.holdingWatchEvents = true;
    await backend.create(`${P}a`, thing("a"));
    const seen: { answer?: StoredObject | null } = {};
    const read = cache.get(`${P}a`).then((object) => {
      seen.answer = object;
    });
    await clock.advance(1000);
    assert.ok(!("answer" in seen), "still waiting for the cache");
    counted.releaseWatchEvents();
    await read;
    assert.equal(seen.answer?.metadata?.name, "a");

    counted.holdingWatchEvents = true;
    await backend.create(`${P}b`, thing("b"));
    const late = cache.list(P);
    const outcome = assert.rejects(late, (e: unknown) => {
      assert.ok(isStorageError(e, "Timeout"), String(e));
      assert.match(e.message, /did not reach revision/);
      return true;
    });
    await clock.advance(3000);
    await outcome;
    assert.equal(counted.reads, 0, JSON.stringify(counted.calls));
  });

  it("sends consistent reads to the backend when it cannot promise watch progress", async () => {
    const clock = new FakeClock();
    const backend = new MemoryStorage();
    const { counted, cache } = await cached(backend, { clock });
    counted.refuseProgress = true;
    await backend.create("/registry/other.test/things/x", thing("x"));
    counted.resetCounts();
    await cache.list(P);
    assert.equal(counted.calls.list, 1, "delegated: the cache could not catch up by itself");
    await cache.get(`${P}a`);
    assert.equal(counted.calls.currentRevision, 1, "remembered: no second revision check");
    assert.equal(counted.calls.get, 1);
    assert.equal((await cache.list(P, { consistency: { kind: "any" } })).items.length, 0);
    assert.equal(counted.reads, 2);
    // A revision the cache has not reached (written elsewhere) goes to the backend instead of waiting.
    const elsewhere = await backend.create("/registry/other.test/things/y", thing("y"));
    await cache.get(`${P}a`, { consistency: { kind: "notOlderThan", revision: rv(elsewhere) } });
    await cache.list(P, { consistency: { kind: "exact", revision: rv(elsewhere) } });
    assert.equal(counted.reads, 4);
  });

  it("sends bookmarks on its interval to watchers that asked for them", async () => {
    const clock = new FakeClock();
    const backend = new MemoryStorage();
    const { cache } = await cached(backend, { clock, bookmarkIntervalMs: 1000 });
    const start = await cache.currentRevision();
    const asking = new WatchRecorder(cache, P, { fromRevision: start, progressNotify: true });
    const silent = new WatchRecorder(cache, P, { fromRevision: start });
    const created = await cache.create(`${P}a`, thing("a"));
    await backend.create("/registry/other.test/things/x", thing("x"));
    await asking.until(() => asking.objectEvents.length === 1);
    await clock.advance(1000);
    await settle(20);
    await clock.advance(1000);
    await asking.until(() => asking.events.some((e) => e.type === "BOOKMARK"));
    const bookmarks = asking.events.filter((e) => e.type === "BOOKMARK");
    assert.ok((bookmarks.at(-1)?.revision ?? 0) > rv(created), "the bookmark carries the backend's progress");
    assert.equal(silent.events.filter((e) => e.type === "BOOKMARK").length, 0);
    asking.stop();
    silent.stop();
  });

  it("closes a watcher that stops draining once the window passes it, without holding up the others", async () => {
    const backend = new MemoryStorage();
    const { cache } = await cached(backend, { historySize: 10 });
    const start = await cache.currentRevision();
    const stalled = new WatchRecorder(cache, P, { fromRevision: start }, () => false);
    const healthy = new WatchRecorder(cache, P, { fromRevision: start });
    for (let i = 0; i < 30; i++) await cache.create(`${P}k${i}`, thing(`k${i}`));
    await healthy.until(() => healthy.objectEvents.length === 30);
    await stalled.until(() => stalled.error !== undefined);
    assert.ok(isStorageError(stalled.error, "Expired"), String(stalled.error));
    assert.equal(stalled.objectEvents.length, 1, "the stalled watcher got nothing after it paused");
    assert.deepEqual(
      healthy.objectEvents.map((e) => e.revision),
      Array.from({ length: 30 }, (_, i) => start + i + 1),
    );
    healthy.stop();
  });

  it("relists when its backend watch expires, and reads from the backend until ready", async () => {
    const backend = new MemoryStorage();
    const { counted, cache } = await cached(backend);
    const before = await cache.create(`${P}a`, thing("a"));
    await cache.get(`${P}a`);
    const watcher = new WatchRecorder(cache, P, { fromRevision: rv(before) });
    let releaseList: () => void = () => {};
    counted.listGate = new Promise((resolve) => {
      releaseList = resolve;
    });
    counted.failWatches(StorageError.expired(P, rv(before), rv(before) + 1));
    await backend.create(`${P}b`, thing("b"));
    await settle(20);
    assert.equal(cache.isReady(), false);
    counted.resetCounts();
    assert.equal((await cache.get(`${P}b`, { consistency: { kind: "any" } }))?.metadata?.name, "b");
    assert.equal(counted.calls.get, 1, "not ready: read from the backend");
    counted.listGate = undefined;
    releaseList();
    await settle(20);
    assert.equal(cache.isReady(), true);
    counted.resetCounts();
    assert.deepEqual(
      (await cache.list(P, { consistency: { kind: "any" } })).items.map((i) => i.metadata?.name),
      ["a", "b"],
    );
    assert.equal(counted.reads, 0);
    // The watcher's position is older than the new window: its history has a hole, so Expired.
    await watcher.until(() => watcher.error !== undefined);
    assert.ok(isStorageError(watcher.error, "Expired"));
  });

  it("reports readiness only after the first list", async () => {
    const counted = new InstrumentedStorage(new MemoryStorage());
    let releaseList: () => void = () => {};
    counted.listGate = new Promise((resolve) => {
      releaseList = resolve;
    });
    const cache = new WatchCache(counted, { prefix: P });
    cleanups.push(() => cache.close());
    await settle(10);
    assert.equal(cache.isReady(), false);
    releaseList();
    await cache.ready;
    assert.equal(cache.isReady(), true);
  });

  it("pages a past revision exactly as the backend does, remainingItemCount included", async () => {
    const backend = new MemoryStorage();
    const { counted, cache } = await cached(backend);
    // A fixed pseudo-random history of creates, updates and deletes over 30 keys.
    let seed = 16016;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const revisions: number[] = [];
    for (let step = 0; step < 150; step++) {
      const key = `${P}k${String(random(30)).padStart(2, "0")}`;
      const existing = await cache.get(key, { consistency: { kind: "any" } });
      const written = !existing
        ? await cache.create(key, thing(key.slice(P.length), { step }))
        : random(3) === 0
          ? await cache.delete(key)
          : await cache.guaranteedUpdate(key, (cur) => ({ ...cur, step }));
      revisions.push(rv(written));
    }
    await settle();
    const pages = async (storage: Storage, revision: number, limit: number) => {
      const walked: Array<{ names: string[]; remaining: number | undefined }> = [];
      let page = await storage.list(P, { consistency: { kind: "exact", revision }, limit });
      for (;;) {
        walked.push({ names: page.items.map((i) => String(i.metadata?.name)), remaining: page.remainingItemCount });
        if (!page.continueFrom) return walked;
        page = await storage.list(P, { limit, continueFrom: page.continueFrom });
      }
    };
    for (const revision of [revisions[40], revisions[90], revisions[120], revisions[149]] as number[]) {
      for (const limit of [1, 4, 7]) {
        counted.resetCounts();
        const fromCache = await pages(cache, revision, limit);
        assert.equal(counted.calls.list, 0, "served from the cache");
        assert.deepEqual(fromCache, await pages(backend, revision, limit), `at ${revision}, limit ${limit}`);
      }
    }
  });
});

describe("WatchCache.getNow", async () => {
  for (const [name, open] of await backends()) {
    it(`answers over ${name} exactly what get answers whenever memory is fresh enough, and undefined otherwise`, async () => {
      const backend = await open();
      const { counted, cache } = await cached(backend);
      const a1 = await cache.create(`${P}a`, thing("a", { n: 1 }));
      const a2 = await cache.guaranteedUpdate(`${P}a`, (cur) => ({ ...cur, n: 2 }));
      await settle();
      counted.resetCounts();
      const reads = [
        {},
        { consistency: { kind: "any" } },
        { consistency: { kind: "notOlderThan", revision: rv(a1) } },
        { consistency: { kind: "notOlderThan", revision: rv(a2) } },
      ] as const;
      for (const options of reads) {
        const now = cache.getNow(`${P}a`, options);
        assert.equal(now, await cache.get(`${P}a`, options), JSON.stringify(options));
        assert.equal(now?.n, 2);
        assert.equal(cache.getNow(`${P}missing`, options), null, "absent: null, as get");
      }
      assert.equal(counted.reads, 0, "answered from memory");
      // Not answerable at once: exact revisions, keys outside the cache, revisions it has not seen.
      assert.equal(cache.getNow(`${P}a`, { consistency: { kind: "exact", revision: rv(a1) } }), undefined);
      assert.equal(cache.getNow("/registry/other.test/things/a"), undefined);
      assert.equal(cache.getNow(`${P}a`, { consistency: { kind: "notOlderThan", revision: rv(a2) + 1 } }), undefined);
      // A write the cache has not applied yet: a consistent read must wait, so getNow declines.
      counted.holdingWatchEvents = true;
      await backend.guaranteedUpdate(`${P}a`, (cur) => ({ ...cur, n: 3 }));
      assert.equal(cache.getNow(`${P}a`), undefined, "behind the backend: not fresh");
      assert.equal(cache.getNow(`${P}a`, { consistency: { kind: "any" } })?.n, 2, "any: what memory has");
      counted.releaseWatchEvents();
      await settle();
      assert.equal(cache.getNow(`${P}a`)?.n, 3, "caught up");
    });
  }

  it("declines consistent reads on a backend that needs I/O to know its revision (etcd)", async () => {
    const memory = new MemoryStorage();
    // The memory backend without its synchronous revision: as etcd presents itself.
    const remote = new Proxy(memory, {
      get: (target, property) =>
        property === "currentRevisionNow" ? undefined : Reflect.get(target, property, target),
    });
    const { cache } = await cached(remote);
    await cache.create(`${P}a`, thing("a"));
    await settle();
    assert.equal(cache.currentRevisionNow, undefined);
    assert.equal(cache.getNow(`${P}a`), undefined);
    assert.equal(cache.getNow(`${P}a`, { consistency: { kind: "any" } })?.metadata?.name, "a");
  });
});
