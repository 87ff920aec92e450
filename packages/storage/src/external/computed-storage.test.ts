import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isStorageError } from "../errors.js";
import type { StoredObject } from "../interface.js";
import { FakeClock } from "../testing/fake-clock.js";
import { WatchRecorder } from "../testing/index.js";
import { type ComputedStorageOptions, computedStorage } from "./computed-storage.js";
import { isMethodNotAllowedError, SourceError } from "./errors.js";

const PREFIX = "/registry/metrics.example.com/nodeusages/";

function usage(name: string, cpu: number): StoredObject {
  return { apiVersion: "metrics.example.com/v1", kind: "NodeUsage", metadata: { name }, usage: { cpu } };
}

/** A computation over a mutable table, counting its runs; `failing` makes it throw. */
function setup(options: Partial<ComputedStorageOptions> = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const table = new Map<string, number>([
    ["n1", 1],
    ["n2", 2],
  ]);
  const state = { runs: 0, failing: false };
  const errors: SourceError[] = [];
  const storage = computedStorage({
    keyPrefix: PREFIX,
    clock,
    intervalMs: 10_000,
    compute: () => {
      state.runs++;
      if (state.failing) throw new Error("scrape failed");
      return [...table].map(([name, cpu]) => usage(name, cpu));
    },
    onSyncError: (error) => errors.push(error),
    ...options,
  });
  return { clock, table, state, errors, storage };
}

const names = (items: StoredObject[]) => items.map((o) => o.metadata?.name);

describe("computedStorage", () => {
  it("computes on a read when the last computation is older than intervalMs", async () => {
    const { clock, table, state, storage } = setup();
    assert.deepEqual(names((await storage.list(PREFIX)).items), ["n1", "n2"]);
    assert.equal(state.runs, 1);
    table.set("n3", 3);
    await clock.advance(9_999);
    assert.deepEqual(names((await storage.list(PREFIX)).items), ["n1", "n2"]);
    assert.equal((await storage.get(`${PREFIX}n3`)) === null, true);
    assert.equal(state.runs, 1);
    await clock.advance(1);
    assert.deepEqual(names((await storage.list(PREFIX)).items), ["n1", "n2", "n3"]);
    assert.equal(state.runs, 2);
    await storage.close();
  });

  it("turns successive computations into a watch stream, with revisions only for changes", async () => {
    const { clock, table, storage } = setup();
    const listed = await storage.list(PREFIX);
    const [n1, n2] = listed.items;
    const recorder = new WatchRecorder(storage, PREFIX, { fromRevision: listed.revision });
    table.set("n1", 5);
    table.delete("n2");
    table.set("n3", 3);
    await clock.advance(10_000);
    await recorder.until(() => recorder.objectEvents.length >= 3);
    const events = recorder.objectEvents;
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata?.name]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      [
        ["MODIFIED", "n1"],
        ["DELETED", "n2"],
        ["ADDED", "n3"],
      ],
    );
    assert.ok(
      events.every((e, i) => e.revision > listed.revision && (i === 0 || e.revision > (events[i - 1]?.revision ?? 0))),
    );
    assert.deepEqual(events.find((e) => e.type === "MODIFIED")?.prevObject?.usage, n1?.usage);
    assert.deepEqual(events.find((e) => e.type === "DELETED")?.object.usage, n2?.usage);
    // An unchanged computation sends nothing.
    await clock.advance(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(recorder.objectEvents.length, 3);
    recorder.stop();
    await storage.close();
  });

  it("keeps the last good state when a computation fails, reports it, and recovers", async () => {
    const { clock, table, state, errors, storage } = setup();
    const good = await storage.list(PREFIX);
    const recorder = new WatchRecorder(storage, PREFIX, { fromRevision: good.revision });
    state.failing = true;
    table.set("n1", 9);
    await clock.advance(10_000);
    await clock.advance(0);
    assert.equal(state.runs, 2, "the poll ran");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.reason, "SourceFailed");
    assert.match(String(errors[0]?.message), /scrape failed/);
    await assert.rejects(storage.ping(), (error) => isStorageError(error, "Unavailable"));
    const stale = await storage.list(PREFIX);
    assert.equal(stale.revision, good.revision);
    assert.deepEqual(stale.items, good.items);
    assert.equal(state.runs, 2, "a read right after a failed attempt does not compute again");
    assert.equal(recorder.error, undefined, "watchers stay open");
    state.failing = false;
    await clock.advance(10_000);
    await recorder.until(() => recorder.objectEvents.length === 1);
    assert.equal(
      recorder.objectEvents[0]?.object.usage && (recorder.objectEvents[0].object.usage as { cpu: number }).cpu,
      9,
    );
    await storage.ping();
    recorder.stop();
    await storage.close();
  });

  it("answers Unavailable until a first computation succeeds", async () => {
    const { state, storage } = setup();
    state.failing = true;
    await assert.rejects(storage.list(PREFIX), (error) => isStorageError(error, "Unavailable"));
    await assert.rejects(storage.get(`${PREFIX}n1`), (error) => isStorageError(error, "Unavailable"));
    await assert.rejects(storage.ping(), (error) => isStorageError(error, "Unavailable"));
    state.failing = false;
    assert.equal((await storage.list(PREFIX)).items.length, 2);
    await storage.close();
  });

  it("turns an event source's upserts, removals and replacements into watch events", async () => {
    const storage = computedStorage({ keyPrefix: PREFIX, clock: new FakeClock() });
    const recorder = new WatchRecorder(storage, PREFIX, { fromRevision: await storage.currentRevision() });
    const a = await storage.upsert(usage("a", 1));
    await storage.upsert(usage("b", 1));
    const same = await storage.upsert(usage("a", 1));
    assert.equal(same.metadata?.resourceVersion, a.metadata?.resourceVersion, "an unchanged upsert is no event");
    await storage.upsert(usage("a", 2));
    assert.equal((await storage.remove({ name: "b" }))?.metadata?.name, "b");
    assert.equal(await storage.remove({ name: "b" }), null);
    await storage.replace([usage("a", 3), usage("c", 1)]);
    await recorder.until(() => recorder.objectEvents.length >= 6);
    assert.deepEqual(
      recorder.objectEvents.map((e) => `${e.type} ${e.object.metadata?.name}`),
      ["ADDED a", "ADDED b", "MODIFIED a", "DELETED b", "MODIFIED a", "ADDED c"],
    );
    assert.deepEqual(names((await storage.list(PREFIX)).items), ["a", "c"]);
    await assert.rejects(
      storage.replace([{ metadata: {} }]),
      (e) => e instanceof SourceError && e.reason === "InvalidObject",
    );
    await storage.close();
    await assert.rejects(storage.remove({ name: "a" }), (e) => isStorageError(e, "Unavailable"));
  });

  it("refuses writes through the API with MethodNotAllowedError", async () => {
    const { storage } = setup();
    assert.deepEqual(storage.writableVerbs, []);
    await assert.rejects(storage.create(`${PREFIX}x`), (e) => isMethodNotAllowedError(e) && e.verb === "create");
    await assert.rejects(
      storage.guaranteedUpdate(`${PREFIX}x`),
      (e) => isMethodNotAllowedError(e) && e.verb === "update",
    );
    await assert.rejects(storage.delete(`${PREFIX}x`), (e) => isMethodNotAllowedError(e) && e.verb === "delete");
    await storage.close();
  });

  it("stops computing and leaves no timer behind on close", async () => {
    const { clock, state, storage } = setup();
    const recorder = new WatchRecorder(storage, PREFIX, { fromRevision: await storage.currentRevision() });
    await clock.advance(0);
    const runs = state.runs;
    assert.ok(runs >= 1);
    await storage.close();
    assert.equal(clock.pendingTimers, 0);
    await clock.advance(100_000);
    assert.equal(state.runs, runs);
    await recorder.until(() => recorder.error !== undefined);
  });

  it("needs intervalMs with compute", () => {
    assert.throws(() => computedStorage({ keyPrefix: PREFIX, compute: () => [] }), RangeError);
  });
});
