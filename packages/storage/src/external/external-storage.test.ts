import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WatchCache } from "../cache/watch-cache.js";
import { isStorageError, StorageError } from "../errors.js";
import type { StoredObject } from "../interface.js";
import { CONFORMANCE_PREFIX, describeStorageConformance, type StorageFactory } from "../testing/conformance.js";
import { FakeClock } from "../testing/fake-clock.js";
import { collectWatch, WatchRecorder } from "../testing/index.js";
import { isMethodNotAllowedError, type SourceError } from "./errors.js";
import { type ExternalSource, ExternalStorage, type ExternalStorageOptions } from "./external-storage.js";
import { epochRevision } from "./mirrored-storage.js";
import { OtherSystem } from "./testdata/other-system.js";

function externalFixture(withGet: boolean): StorageFactory {
  return async () => {
    const other = new OtherSystem(CONFORMANCE_PREFIX);
    const source: ExternalSource = withGet
      ? other
      : { list: (p, s) => other.list(p, s), put: (k, o, w) => other.put(k, o, w), remove: (k) => other.remove(k) };
    const storage = new ExternalStorage({ keyPrefix: CONFORMANCE_PREFIX, source, pollIntervalMs: 20 });
    return { storage, cleanup: () => storage.close() };
  };
}

describeStorageConformance("external (get, put, remove)", externalFixture(true));
describeStorageConformance("external (reads by list)", externalFixture(false));

const PREFIX = "/registry/test.example.com/things/";
const START = 1_700_000_000_000;

function setup(options: Partial<ExternalStorageOptions> = {}) {
  const clock = new FakeClock(START);
  const other = new OtherSystem(PREFIX);
  const errors: SourceError[] = [];
  const storage = new ExternalStorage({
    keyPrefix: PREFIX,
    source: other,
    clock,
    pollIntervalMs: 1000,
    onSyncError: (error) => errors.push(error),
    ...options,
  });
  return { clock, other, storage, errors };
}

function rv(object: StoredObject | null | undefined): number {
  return Number(object?.metadata?.resourceVersion);
}

const key = (namespace: string, name: string) => `${PREFIX}${namespace}/${name}`;
const names = (list: { items: StoredObject[] }) => list.items.map((o) => o.metadata?.name);

describe("ExternalStorage", () => {
  it("starts its revisions at an epoch derived from its clock", async () => {
    const { storage } = setup();
    assert.equal(await storage.currentRevision(), epochRevision(START));
    assert.equal(await storage.compactedRevision(), epochRevision(START));
    assert.ok(epochRevision(START) < Number.MAX_SAFE_INTEGER / 4);
    await storage.close();
  });

  it("reads through: consistent reads see direct changes, and only changed objects get a revision", async () => {
    const { other, storage } = setup();
    other.set({ namespace: "ns", name: "a" }, { spec: { n: 1 } });
    other.set({ namespace: "ns", name: "b" }, { spec: { n: 1 } });
    const first = await storage.list(`${PREFIX}ns/`);
    assert.deepEqual(
      first.items.map((o) => o.metadata?.name),
      ["a", "b"],
    );
    const [a1, b1] = first.items;
    other.set({ namespace: "ns", name: "a" }, { spec: { n: 2 } });
    // The same content with its keys in another order is no change.
    const b = other.rows.get(key("ns", "b")) as StoredObject;
    other.rows.set(key("ns", "b"), { spec: b.spec, metadata: b.metadata, kind: b.kind, apiVersion: b.apiVersion });
    other.set({ namespace: "ns", name: "c" });
    const a2 = await storage.get(key("ns", "a"));
    assert.deepEqual(a2?.spec, { n: 2 });
    assert.ok(rv(a2) > rv(a1));
    const second = await storage.list(`${PREFIX}ns/`);
    assert.deepEqual(
      second.items.map((o) => [o.metadata?.name, rv(o) > first.revision]),
      [
        ["a", true],
        ["b", false],
        ["c", true],
      ],
    );
    assert.equal(rv(second.items[1]), rv(b1));
    other.drop({ namespace: "ns", name: "c" });
    assert.equal(await storage.get(key("ns", "c")), null);
    assert.equal(await storage.count(`${PREFIX}ns/`), 2);
    await storage.close();
  });

  it("stays read-through behind a WatchCache: the cache's consistent read reads the source", async () => {
    const { clock, other, storage } = setup();
    other.set({ namespace: "ns", name: "a" });
    const cache = new WatchCache(storage, { prefix: PREFIX, clock });
    await cache.ready;
    assert.deepEqual(names(await cache.list(PREFIX)), ["a"]);
    other.set({ namespace: "ns", name: "b" });
    assert.deepEqual(names(await cache.list(PREFIX)), ["a", "b"]);
    assert.equal((await cache.get(key("ns", "b")))?.metadata?.name, "b");
    await cache.close();
    await storage.close();
  });

  it("serves reads at resourceVersion 0 from the mirror once it has read everything", async () => {
    const { other, storage } = setup();
    other.set({ namespace: "ns", name: "a" });
    const any = await storage.list(PREFIX, { consistency: { kind: "any" } });
    assert.equal(any.items.length, 1);
    const calls = other.calls.list;
    other.set({ namespace: "ns", name: "b" });
    assert.equal((await storage.list(PREFIX, { consistency: { kind: "any" } })).items.length, 1);
    assert.equal(other.calls.list, calls);
    assert.equal((await storage.list(PREFIX)).items.length, 2);
    await storage.close();
  });

  it("sends a watch the changes made behind its back within one poll interval", async () => {
    const { clock, other, storage } = setup();
    other.set({ namespace: "ns", name: "a" }, { n: 1 });
    other.set({ namespace: "ns", name: "gone" });
    const listed = await storage.list(PREFIX);
    const recorder = new WatchRecorder(storage, PREFIX, { fromRevision: listed.revision });
    other.set({ namespace: "ns", name: "a" }, { n: 2 });
    other.set({ namespace: "other", name: "new" });
    other.drop({ namespace: "ns", name: "gone" });
    const calls = other.calls.list;
    await clock.advance(999);
    assert.equal(other.calls.list, calls, "no poll before the interval is over");
    assert.equal(recorder.events.length, 0);
    await clock.advance(1);
    await recorder.until(() => recorder.objectEvents.length >= 3);
    assert.deepEqual(
      recorder.objectEvents.map((e) => [e.type, e.key]).sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
      [
        ["MODIFIED", key("ns", "a")],
        ["DELETED", key("ns", "gone")],
        ["ADDED", key("other", "new")],
      ],
    );
    assert.equal(recorder.objectEvents[0]?.object.n, 2);
    recorder.stop();
    await storage.close();
  });

  it("polls the source only while someone watches", async () => {
    const { clock, other, storage } = setup();
    await clock.advance(10_000);
    assert.equal(other.calls.list, 0);
    const recorder = new WatchRecorder(storage, PREFIX, { fromRevision: epochRevision(START) });
    await clock.advance(0);
    assert.equal(other.calls.list, 1, "a first watcher polls at once when nothing was read yet");
    await clock.advance(3000);
    assert.equal(other.calls.list, 4);
    recorder.stop();
    await clock.advance(10_000);
    assert.equal(other.calls.list, 4);
    await storage.close();
  });

  it("refuses an update against a resourceVersion read before a direct change (Conflict)", async () => {
    const { other, storage } = setup();
    const created = await storage.create(key("ns", "a"), { metadata: { name: "a", namespace: "ns" }, n: 1 });
    other.set({ namespace: "ns", name: "a" }, { n: 5 });
    await assert.rejects(
      storage.guaranteedUpdate(key("ns", "a"), (cur) => ({ ...cur, n: 2 }), {
        preconditions: { resourceVersion: String(rv(created)) },
      }),
      (error) => isStorageError(error, "Conflict"),
    );
    assert.equal(other.rows.get(key("ns", "a"))?.n, 5, "the other system keeps its change");
    const current = await storage.get(key("ns", "a"));
    const updated = await storage.guaranteedUpdate(key("ns", "a"), (cur) => ({ ...cur, n: 6 }), {
      preconditions: { resourceVersion: String(rv(current)) },
    });
    assert.equal(updated.n, 6);
    assert.equal(other.rows.get(key("ns", "a"))?.n, 6);
    await storage.close();
  });

  it("retries an update when the source's put reports a Conflict", async () => {
    const { other, storage } = setup();
    await storage.create(key("ns", "a"), { metadata: { name: "a", namespace: "ns" }, n: 1 });
    const put = other.put.bind(other);
    let refusals = 1;
    other.put = async (k, object, write) => {
      if (refusals-- > 0) {
        other.set({ namespace: "ns", name: "a" }, { n: 10 });
        throw StorageError.conflict(k);
      }
      assert.equal(write.previous?.n, 10, "the retry sees the source's newer state");
      return put(k, object, write);
    };
    const seen: unknown[] = [];
    const updated = await storage.guaranteedUpdate(key("ns", "a"), (cur) => {
      seen.push(cur?.n);
      return { ...cur, n: (cur?.n as number) + 1 };
    });
    assert.deepEqual(seen, [1, 10]);
    assert.equal(updated.n, 11);
    await storage.close();
  });

  it("is read-only without put and remove: writes throw MethodNotAllowedError and reach no source", async () => {
    const other = new OtherSystem(PREFIX);
    other.set({ namespace: "ns", name: "a" });
    const storage = new ExternalStorage({ keyPrefix: PREFIX, source: { list: (p, s) => other.list(p, s) } });
    assert.deepEqual(storage.writableVerbs, []);
    const k = key("ns", "a");
    for (const [verb, write] of [
      ["create", () => storage.create(k, { metadata: { name: "a" } })],
      ["update", () => storage.guaranteedUpdate(k, (cur) => ({ ...cur, n: 1 }))],
      ["delete", () => storage.delete(k)],
    ] as const) {
      await assert.rejects(write(), (error) => isMethodNotAllowedError(error) && error.verb === verb);
    }
    assert.equal(other.calls.put + other.calls.remove, 0);
    assert.equal((await storage.get(k))?.metadata?.name, "a");
    const putOnly = new ExternalStorage({
      keyPrefix: PREFIX,
      source: { list: (p, s) => other.list(p, s), put: (kk, o, w) => other.put(kk, o, w) },
    });
    assert.deepEqual(putOnly.writableVerbs, ["create", "update"]);
    await assert.rejects(putOnly.delete(k), (error) => isMethodNotAllowedError(error) && error.verb === "delete");
    await storage.close();
    await putOnly.close();
  });

  it("answers Expired to a watch or continue from a revision this process never issued", async () => {
    const { clock, storage } = setup({ futureRevisionWaitMs: 3000 });
    const base = await storage.currentRevision();
    const created = await storage.create(key("ns", "a"), { metadata: { name: "a", namespace: "ns" } });
    // Older than the epoch: a previous run of the server.
    const older = await collectWatch(storage, PREFIX, { fromRevision: base - 1 }, 1, 1000);
    assert.ok(isStorageError(older.error, "Expired"), String(older.error));
    // Beyond the head: another replica, or a run that issued more. Given up after the wait.
    const beyond = new WatchRecorder(storage, PREFIX, { fromRevision: rv(created) + 1_000_000 });
    await clock.advance(2999);
    assert.equal(beyond.error, undefined);
    await clock.advance(1);
    await beyond.until(() => beyond.error !== undefined);
    assert.ok(isStorageError(beyond.error, "Expired"));
    assert.match(String(beyond.error), /not issued by this server/);
    assert.equal(beyond.events.length, 0);
    // A revision reached within the wait is served as etcd would.
    const soon = new WatchRecorder(storage, PREFIX, { fromRevision: rv(created) + 1 });
    await storage.create(key("ns", "b"), { metadata: { name: "b", namespace: "ns" } });
    const c = await storage.create(key("ns", "c"), { metadata: { name: "c", namespace: "ns" } });
    await clock.advance(5000);
    await soon.until(() => soon.objectEvents.length === 1);
    assert.equal(soon.error, undefined);
    assert.equal(soon.objectEvents[0]?.revision, rv(c));
    soon.stop();
    // Continue tokens from before the epoch or beyond the head.
    for (const revision of [base - 1, rv(c) + 10]) {
      await assert.rejects(
        storage.list(PREFIX, { limit: 1, continueFrom: { key: key("ns", "a"), revision } }),
        (error) => isStorageError(error, "Expired"),
      );
    }
    await storage.close();
  });

  it("does not let a list that started before a write revert it", async () => {
    const { other, storage } = setup();
    const recorder = new WatchRecorder(storage, PREFIX, { fromRevision: await storage.currentRevision() });
    const release = other.holdLists();
    const staleList = storage.list(`${PREFIX}ns/`);
    await new Promise((resolve) => setImmediate(resolve));
    const created = await storage.create(key("ns", "a"), { metadata: { name: "a", namespace: "ns" } });
    release();
    const list = await staleList;
    assert.ok(list.revision >= rv(created));
    assert.equal((await storage.get(key("ns", "a")))?.metadata?.name, "a");
    await recorder.until(() => recorder.objectEvents.length >= 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      recorder.objectEvents.map((e) => e.type),
      ["ADDED"],
    );
    recorder.stop();
    await storage.close();
  });

  it("shares source reads between concurrent consistent reads", async () => {
    const { other, storage } = setup();
    const release = other.holdLists();
    const lists = Array.from({ length: 10 }, () => storage.list(PREFIX));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all(lists);
    assert.equal(other.calls.list, 2, "one list running, one queued for everyone who came later");
    await storage.close();
  });

  it("answers Unavailable while the source fails, reports each failed read, and recovers", async () => {
    const { other, storage, errors } = setup();
    other.set({ namespace: "ns", name: "a" });
    await storage.ping();
    other.failure = new Error("connection refused");
    await assert.rejects(storage.list(PREFIX), (error) => isStorageError(error, "Unavailable"));
    await assert.rejects(storage.get(key("ns", "a")), (error) => isStorageError(error, "Unavailable"));
    assert.deepEqual(
      errors.map((e) => [e.reason, e.message]),
      [
        ["SourceFailed", `reading the source for ${PREFIX} failed: connection refused`],
        ["SourceFailed", `reading the source for ${key("ns", "a")} failed: connection refused`],
      ],
    );
    await assert.rejects(storage.ping(), (error) => isStorageError(error, "Unavailable"));
    await assert.rejects(storage.create(key("ns", "b"), { metadata: { name: "b", namespace: "ns" } }), (error) =>
      isStorageError(error, "Unavailable"),
    );
    assert.equal(other.calls.put, 0, "a write that cannot read first writes nothing");
    other.failure = undefined;
    assert.equal((await storage.list(PREFIX)).items.length, 1);
    await storage.ping();
    await storage.close();
  });

  it("fails a read when the source returns an object it cannot place", async () => {
    const { other, storage, errors } = setup();
    other.rows.set("bad", { metadata: { namespace: "ns" } });
    await assert.rejects(storage.list(PREFIX), (error) => isStorageError(error, "Unavailable"));
    assert.equal(errors[0]?.reason, "InvalidObject");
    await storage.close();
  });

  it("compacts its history after historyRetentionMs", async () => {
    const { clock, storage } = setup({ historyRetentionMs: 60_000 });
    const first = await storage.create(key("ns", "a"), { metadata: { name: "a", namespace: "ns" }, n: 1 });
    await storage.guaranteedUpdate(key("ns", "a"), (cur) => ({ ...cur, n: 2 }));
    await clock.advance(60_000);
    await clock.advance(60_000);
    assert.ok((await storage.compactedRevision()) >= rv(first));
    await assert.rejects(
      storage.get(key("ns", "a"), { consistency: { kind: "exact", revision: rv(first) } }),
      (error) => isStorageError(error, "Expired"),
    );
    assert.equal((await storage.get(key("ns", "a")))?.n, 2);
    await storage.close();
  });

  it("leaves no timer behind and ends watches with Unavailable on close", async () => {
    const { clock, storage } = setup();
    const head = await storage.currentRevision();
    const polling = new WatchRecorder(storage, PREFIX, { fromRevision: head });
    const waiting = new WatchRecorder(storage, PREFIX, { fromRevision: head + 100 });
    assert.ok(clock.pendingTimers >= 3, "compaction, poll and future-revision timers");
    await storage.close();
    assert.equal(clock.pendingTimers, 0);
    await polling.until(() => polling.error !== undefined);
    await waiting.until(() => waiting.error !== undefined);
    assert.ok(isStorageError(polling.error, "Unavailable"));
    await assert.rejects(storage.list(PREFIX), (error) => isStorageError(error, "Unavailable"));
  });
});
