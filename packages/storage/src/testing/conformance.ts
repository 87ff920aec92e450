import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isStorageError } from "../errors.js";
import type { ObjectWatchEvent, Storage, StoredObject, WatchEvent, WatchHandle, WatchOptions } from "../interface.js";

/** Creates a fresh, empty backend for one test file; `cleanup` stops whatever it started. */
export interface StorageFixture {
  storage: Storage;
  cleanup(): Promise<void>;
}

export type StorageFactory = () => Promise<StorageFixture>;

/** Every key the suite writes is under this prefix. */
export const CONFORMANCE_PREFIX = "/registry/conformance.test/";

let prefixCounter = 0;
/** Each test works under its own prefix, so one backend serves the whole suite. */
function freshPrefix(): string {
  prefixCounter++;
  return `${CONFORMANCE_PREFIX}things${prefixCounter}/`;
}

function obj(name: string, extra: Record<string, unknown> = {}): StoredObject {
  return { apiVersion: "conformance.test/v1", kind: "Thing", metadata: { name, uid: `uid-${name}` }, ...extra };
}

function rv(object: StoredObject | null | undefined): number {
  const value = object?.metadata?.resourceVersion;
  assert.ok(value, "object carries metadata.resourceVersion");
  return Number(value);
}

/** Collects watch events until `count` arrived (or an error), failing after `timeoutMs`. */
export async function collectWatch(
  storage: Storage,
  prefix: string,
  options: WatchOptions,
  count: number,
  timeoutMs = 5000,
  during?: () => Promise<void>,
): Promise<{ events: WatchEvent[]; error?: Error }> {
  const events: WatchEvent[] = [];
  let error: Error | undefined;
  let wake: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const handle = storage.watch(prefix, options, {
    event(event) {
      if (event.type === "BOOKMARK") return;
      events.push(event);
      if (events.length >= count) wake();
    },
    error(err) {
      error = err;
      wake();
    },
  });
  try {
    if (during) await during();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([done, timeout]);
    clearTimeout(timer);
  } finally {
    handle.stop();
  }
  return error ? { events, error } : { events };
}

/** Records every call a watch makes on its sink, bookmarks included, for assertions. */
export class WatchRecorder {
  readonly events: WatchEvent[] = [];
  error?: Error;
  readonly handle: WatchHandle;
  private waiters: (() => void)[] = [];

  /** `accept` decides each event's return value (flow control); by default every event is taken. */
  constructor(
    storage: Storage,
    prefix: string,
    options: WatchOptions,
    accept: (event: WatchEvent) => boolean = () => true,
  ) {
    this.handle = storage.watch(prefix, options, {
      event: (event) => {
        this.events.push(event);
        this.wake();
        return accept(event);
      },
      error: (error) => {
        this.error = error;
        this.wake();
      },
    });
  }

  /** Object events only (no bookmarks). */
  get objectEvents(): ObjectWatchEvent[] {
    return this.events.filter((e): e is ObjectWatchEvent => e.type !== "BOOKMARK");
  }

  /** Resolves once `condition` holds (checked after every sink call); rejects after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs = 5000, what = "watch condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(this.summary())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  summary(): unknown {
    return {
      events: this.events.map((e) =>
        e.type === "BOOKMARK" ? `BOOKMARK@${e.revision}` : `${e.type} ${e.key}@${e.revision}`,
      ),
      error: this.error?.message,
    };
  }

  stop(): void {
    this.handle.stop();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Lets queued microtasks, immediates and short timers run. */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isStorageError(error), `expected a StorageError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/**
 * The one suite every Storage backend passes (k8s.io/apiserver's storage testing suite in
 * spirit). Call it from a backend's test file with a factory for that backend.
 */
export function describeStorageConformance(backendName: string, factory: StorageFactory): void {
  describe(`Storage conformance: ${backendName}`, () => {
    let fixture: StorageFixture;
    let s: Storage;
    before(async () => {
      fixture = await factory();
      s = fixture.storage;
    });
    after(async () => {
      await fixture.cleanup();
    });

    it("creates and gets an object with a resourceVersion", async () => {
      const p = freshPrefix();
      const before = await s.currentRevision();
      const created = await s.create(`${p}a`, obj("a", { spec: { x: 1 } }));
      assert.ok(rv(created) > before);
      assert.equal(await s.currentRevision(), rv(created));
      const got = await s.get(`${p}a`);
      assert.deepEqual(got, created);
      assert.deepEqual(got?.spec, { x: 1 });
    });

    it("ignores a resourceVersion given on create and does not store it", async () => {
      const p = freshPrefix();
      const created = await s.create(`${p}a`, { ...obj("a"), metadata: { name: "a", resourceVersion: "12345" } });
      assert.notEqual(created.metadata?.resourceVersion, "12345");
    });

    it("refuses to create an existing key with KeyExists", async () => {
      const p = freshPrefix();
      await s.create(`${p}a`, obj("a"));
      await rejectsWith(s.create(`${p}a`, obj("a")), "KeyExists");
    });

    it("returns null for a missing key", async () => {
      assert.equal(await s.get(`${freshPrefix()}missing`), null);
    });

    it("lists a prefix in key order and nothing outside it", async () => {
      const p = freshPrefix();
      for (const name of ["c", "a", "b"]) await s.create(`${p}${name}`, obj(name));
      await s.create(`${p.slice(0, -1)}x/other`, obj("other"));
      const list = await s.list(p);
      assert.deepEqual(
        list.items.map((i) => i.metadata?.name),
        ["a", "b", "c"],
      );
      assert.deepEqual(list.keys, [`${p}a`, `${p}b`, `${p}c`]);
      assert.equal(list.revision, await s.currentRevision());
      assert.equal(list.continueFrom, undefined);
      assert.equal(await s.count(p), 3);
    });

    it("lists with a predicate", async () => {
      const p = freshPrefix();
      for (const name of ["a", "b", "c", "d"])
        await s.create(`${p}${name}`, obj(name, { even: name === "b" || name === "d" }));
      const list = await s.list(p, { predicate: (o) => o.even === true });
      assert.deepEqual(
        list.items.map((i) => i.metadata?.name),
        ["b", "d"],
      );
    });

    it("paginates with limit and continue at the first page's revision", async () => {
      const p = freshPrefix();
      for (const name of ["a", "b", "c", "d", "e"]) await s.create(`${p}${name}`, obj(name));
      const first = await s.list(p, { limit: 2 });
      assert.deepEqual(
        first.items.map((i) => i.metadata?.name),
        ["a", "b"],
      );
      assert.ok(first.continueFrom);
      assert.equal(first.remainingItemCount, 3);
      // Writes after the first page must not show in later pages (snapshot at its revision).
      await s.create(`${p}bb`, obj("bb"));
      await s.delete(`${p}d`);
      const second = await s.list(p, { limit: 2, continueFrom: first.continueFrom });
      assert.equal(second.revision, first.revision);
      assert.deepEqual(
        second.items.map((i) => i.metadata?.name),
        ["c", "d"],
      );
      assert.ok(second.continueFrom);
      const third = await s.list(p, { limit: 2, continueFrom: second.continueFrom });
      assert.deepEqual(
        third.items.map((i) => i.metadata?.name),
        ["e"],
      );
      assert.equal(third.continueFrom, undefined);
    });

    it("paginates with a predicate counting only matching items", async () => {
      const p = freshPrefix();
      for (let i = 0; i < 10; i++) await s.create(`${p}k${i}`, obj(`k${i}`, { odd: i % 2 === 1 }));
      const names: string[] = [];
      let page = await s.list(p, { limit: 2, predicate: (o) => o.odd === true });
      names.push(...page.items.map((i) => String(i.metadata?.name)));
      assert.equal(page.items.length, 2);
      while (page.continueFrom) {
        page = await s.list(p, { limit: 2, continueFrom: page.continueFrom, predicate: (o) => o.odd === true });
        names.push(...page.items.map((i) => String(i.metadata?.name)));
      }
      assert.deepEqual(names, ["k1", "k3", "k5", "k7", "k9"]);
    });

    it("reads an exact past revision and refuses future ones", async () => {
      const p = freshPrefix();
      const v1 = await s.create(`${p}a`, obj("a", { n: 1 }));
      await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 2 }));
      const old = await s.get(`${p}a`, { consistency: { kind: "exact", revision: rv(v1) } });
      assert.equal(old?.n, 1);
      const oldList = await s.list(p, { consistency: { kind: "exact", revision: rv(v1) } });
      assert.equal(oldList.items[0]?.n, 1);
      assert.equal(oldList.revision, rv(v1));
      const future = (await s.currentRevision()) + 1000;
      await rejectsWith(s.list(p, { consistency: { kind: "notOlderThan", revision: future } }), "Timeout");
    });

    it("updates with guaranteedUpdate and bumps the revision", async () => {
      const p = freshPrefix();
      const created = await s.create(`${p}a`, obj("a", { n: 1 }));
      const updated = await s.guaranteedUpdate(`${p}a`, (cur) => {
        assert.equal(cur?.n, 1);
        return { ...cur, n: 2 };
      });
      assert.equal(updated.n, 2);
      assert.ok(rv(updated) > rv(created));
      assert.equal((await s.get(`${p}a`))?.n, 2);
    });

    it("treats an update that changes nothing as a no-op", async () => {
      const p = freshPrefix();
      const created = await s.create(`${p}a`, obj("a", { n: 1 }));
      const same = await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur }) as StoredObject);
      assert.equal(rv(same), rv(created));
      assert.equal(await s.currentRevision(), rv(created));
    });

    it("checks uid and resourceVersion preconditions with Conflict", async () => {
      const p = freshPrefix();
      const created = await s.create(`${p}a`, obj("a"));
      const uidErr = await rejectsWith(
        s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 1 }), { preconditions: { uid: "other" } }),
        "Conflict",
      );
      assert.match(uidErr.message, /Precondition failed: UID in precondition: other, UID in object meta: uid-a/);
      await rejectsWith(
        s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 1 }), { preconditions: { resourceVersion: "1" } }),
        "Conflict",
      );
      const ok = await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 1 }), {
        preconditions: { uid: "uid-a", resourceVersion: created.metadata?.resourceVersion as string },
      });
      assert.equal(ok.n, 1);
    });

    it("answers KeyNotFound on update of a missing key, or creates with allowCreate", async () => {
      const p = freshPrefix();
      await rejectsWith(
        s.guaranteedUpdate(`${p}a`, (cur) => cur as StoredObject),
        "KeyNotFound",
      );
      const created = await s.guaranteedUpdate(
        `${p}a`,
        (cur) => {
          assert.equal(cur, null);
          return obj("a", { made: true });
        },
        { allowCreate: true },
      );
      assert.equal(created.made, true);
    });

    it("propagates an error thrown by the update function and writes nothing", async () => {
      const p = freshPrefix();
      await s.create(`${p}a`, obj("a"));
      const before = await s.currentRevision();
      await assert.rejects(
        s.guaranteedUpdate(`${p}a`, () => {
          throw new Error("refused");
        }),
        /refused/,
      );
      assert.equal(await s.currentRevision(), before);
    });

    it("applies concurrent read-modify-write updates without losing any", async () => {
      const p = freshPrefix();
      await s.create(`${p}counter`, obj("counter", { n: 0 }));
      const workers = 8;
      const perWorker = 10;
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let i = 0; i < perWorker; i++) {
            await s.guaranteedUpdate(`${p}counter`, async (cur) => {
              await new Promise((resolve) => setImmediate(resolve));
              return { ...cur, n: (cur?.n as number) + 1 };
            });
          }
        }),
      );
      assert.equal((await s.get(`${p}counter`))?.n, workers * perWorker);
    });

    it("deletes, returning the last state at the deletion revision", async () => {
      const p = freshPrefix();
      const created = await s.create(`${p}a`, obj("a", { n: 1 }));
      const deleted = await s.delete(`${p}a`);
      assert.equal(deleted.n, 1);
      assert.ok(rv(deleted) > rv(created));
      assert.equal(await s.currentRevision(), rv(deleted));
      assert.equal(await s.get(`${p}a`), null);
      await rejectsWith(s.delete(`${p}a`), "KeyNotFound");
      assert.equal(await s.count(p), 0);
    });

    it("checks delete preconditions and validateDeletion", async () => {
      const p = freshPrefix();
      await s.create(`${p}a`, obj("a"));
      await rejectsWith(s.delete(`${p}a`, { preconditions: { uid: "nope" } }), "Conflict");
      await assert.rejects(
        s.delete(`${p}a`, {
          validateDeletion: () => {
            throw new Error("not now");
          },
        }),
        /not now/,
      );
      assert.ok(await s.get(`${p}a`));
      await s.delete(`${p}a`, { preconditions: { uid: "uid-a" } });
      assert.equal(await s.get(`${p}a`), null);
    });

    it("watches from a revision: ADDED, MODIFIED, DELETED in order with prevObject", async () => {
      const p = freshPrefix();
      const start = await s.currentRevision();
      const { events, error } = await collectWatch(s, p, { fromRevision: start }, 3, 5000, async () => {
        await s.create(`${p}a`, obj("a", { n: 1 }));
        await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 2 }));
        await s.delete(`${p}a`);
      });
      assert.equal(error, undefined);
      assert.deepEqual(
        events.map((e) => e.type),
        ["ADDED", "MODIFIED", "DELETED"],
      );
      const [added, modified, deleted] = events as [WatchEvent, WatchEvent, WatchEvent];
      assert.ok(added.type !== "BOOKMARK" && modified.type !== "BOOKMARK" && deleted.type !== "BOOKMARK");
      assert.equal(modified.prevObject?.n, 1);
      assert.equal(modified.object.n, 2);
      assert.equal(deleted.object.n, 2);
      assert.equal(rv(deleted.object), deleted.revision);
      assert.ok(added.revision < modified.revision && modified.revision < deleted.revision);
    });

    it("replays history for a watch that starts in the past", async () => {
      const p = freshPrefix();
      const first = await s.create(`${p}a`, obj("a"));
      await s.create(`${p}b`, obj("b"));
      await s.create(`${p}c`, obj("c"));
      const { events } = await collectWatch(s, p, { fromRevision: rv(first) }, 2);
      assert.deepEqual(
        events.map((e) => (e.type === "BOOKMARK" ? "" : e.object.metadata?.name)),
        ["b", "c"],
      );
    });

    it("watches a single key", async () => {
      const p = freshPrefix();
      const start = await s.currentRevision();
      const { events } = await collectWatch(s, `${p}b`, { fromRevision: start }, 1, 5000, async () => {
        await s.create(`${p}a`, obj("a"));
        await s.create(`${p}b`, obj("b"));
      });
      assert.equal(events.length, 1);
      assert.equal(events[0]?.type !== "BOOKMARK" && events[0]?.object.metadata?.name, "b");
    });

    it("turns predicate transitions into ADDED and DELETED", async () => {
      const p = freshPrefix();
      const start = await s.currentRevision();
      const { events } = await collectWatch(
        s,
        p,
        { fromRevision: start, predicate: (o) => o.color === "red" },
        3,
        5000,
        async () => {
          await s.create(`${p}a`, obj("a", { color: "blue" }));
          await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, color: "red" })); // starts matching
          await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, color: "red", n: 1 })); // still matching
          await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, color: "green" })); // stops matching
        },
      );
      assert.deepEqual(
        events.map((e) => e.type),
        ["ADDED", "MODIFIED", "DELETED"],
      );
      const deleted = events[2];
      assert.ok(deleted && deleted.type === "DELETED");
      assert.equal(deleted.object.color, "red", "DELETED carries the last matching state");
      assert.equal(rv(deleted.object), deleted.revision);
    });

    it("compacts history: old reads and watches are Expired, current data stays", async () => {
      const p = freshPrefix();
      const v1 = await s.create(`${p}a`, obj("a", { n: 1 }));
      await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 2 }));
      await s.create(`${p}gone`, obj("gone"));
      await s.delete(`${p}gone`);
      const v3 = await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 3 }));
      await s.compact(rv(v3) - 1);
      assert.ok((await s.compactedRevision()) >= rv(v3) - 1);
      await rejectsWith(s.get(`${p}a`, { consistency: { kind: "exact", revision: rv(v1) } }), "Expired");
      const { error } = await collectWatch(s, p, { fromRevision: rv(v1) }, 1, 5000);
      assert.ok(isStorageError(error, "Expired"), `expected Expired, got ${String(error)}`);
      assert.match(String(error?.message), /too old resource version/);
      assert.equal((await s.get(`${p}a`))?.n, 3);
      assert.equal(await s.get(`${p}gone`), null);
      assert.deepEqual(
        (await s.list(p)).items.map((i) => i.metadata?.name),
        ["a"],
      );
    });

    it("keeps revisions increasing across keys and prefixes", async () => {
      const p = freshPrefix();
      const q = freshPrefix();
      const a = await s.create(`${p}a`, obj("a"));
      const b = await s.create(`${q}b`, obj("b"));
      const c = await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 1 }));
      assert.ok(rv(a) < rv(b) && rv(b) < rv(c));
    });

    it("reads get and list in every consistency mode", async () => {
      const p = freshPrefix();
      const v1 = await s.create(`${p}a`, obj("a", { n: 1 }));
      const v2 = await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 2 }));
      const b = await s.create(`${p}b`, obj("b"));
      // consistent: every acknowledged write is visible.
      assert.equal((await s.get(`${p}a`, { consistency: { kind: "consistent" } }))?.n, 2);
      const consistent = await s.list(p, { consistency: { kind: "consistent" } });
      assert.ok(consistent.revision >= rv(b));
      assert.deepEqual(
        consistent.items.map((i) => i.metadata?.name),
        ["a", "b"],
      );
      // notOlderThan: at least the given revision, so here the latest state.
      const fresh = await s.get(`${p}a`, { consistency: { kind: "notOlderThan", revision: rv(v2) } });
      assert.equal(fresh?.n, 2);
      const notOlder = await s.list(p, { consistency: { kind: "notOlderThan", revision: rv(b) } });
      assert.equal(notOlder.items.length, 2);
      assert.ok(notOlder.revision >= rv(b));
      // any: possibly stale, but a real state of the object (never older than its creation here).
      const anyA = await s.get(`${p}a`, { consistency: { kind: "any" } });
      assert.ok(anyA && rv(anyA) >= rv(v1) && anyA.n === (rv(anyA) === rv(v1) ? 1 : 2));
      const anyList = await s.list(p, { consistency: { kind: "any" } });
      assert.ok(anyList.revision >= rv(v1) || anyList.items.length === 0);
      // exact: the state at that revision, including keys that did not exist yet.
      assert.equal((await s.get(`${p}a`, { consistency: { kind: "exact", revision: rv(v1) } }))?.n, 1);
      assert.equal(await s.get(`${p}b`, { consistency: { kind: "exact", revision: rv(v2) } }), null);
      const exact = await s.list(p, { consistency: { kind: "exact", revision: rv(v2) } });
      assert.equal(exact.revision, rv(v2));
      assert.deepEqual(
        exact.items.map((i) => [i.metadata?.name, i.n, rv(i)]),
        [["a", 2, rv(v2)]],
      );
      // Revisions the store has not reached: Timeout (Kubernetes: 504 Too large resource version).
      const future = (await s.currentRevision()) + 1000;
      await rejectsWith(s.get(`${p}a`, { consistency: { kind: "exact", revision: future } }), "Timeout");
      await rejectsWith(s.get(`${p}a`, { consistency: { kind: "notOlderThan", revision: future } }), "Timeout");
      await rejectsWith(s.list(p, { consistency: { kind: "exact", revision: future } }), "Timeout");
    });

    it("paginates an exact past revision, unaffected by later writes", async () => {
      const p = freshPrefix();
      for (const name of ["a", "b", "c", "d", "e"]) await s.create(`${p}${name}`, obj(name, { n: 1 }));
      const at = await s.currentRevision();
      await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 2 }));
      await s.delete(`${p}c`);
      await s.create(`${p}f`, obj("f"));
      const names: string[] = [];
      let page = await s.list(p, { limit: 2, consistency: { kind: "exact", revision: at } });
      assert.equal(page.remainingItemCount, 3);
      for (;;) {
        assert.equal(page.revision, at);
        for (const item of page.items) {
          assert.equal(item.n, 1);
          names.push(String(item.metadata?.name));
        }
        if (!page.continueFrom) break;
        assert.equal(page.continueFrom.revision, at);
        page = await s.list(p, { limit: 2, continueFrom: page.continueFrom });
      }
      assert.deepEqual(names, ["a", "b", "c", "d", "e"]);
    });

    it("refuses a continue position at a compacted revision with Expired", async () => {
      const p = freshPrefix();
      for (const name of ["a", "b", "c"]) await s.create(`${p}${name}`, obj(name));
      const first = await s.list(p, { limit: 1 });
      assert.ok(first.continueFrom);
      await s.guaranteedUpdate(`${p}b`, (cur) => ({ ...cur, n: 1 }));
      await s.compact(await s.currentRevision());
      const error = await rejectsWith(s.list(p, { limit: 1, continueFrom: first.continueFrom }), "Expired");
      assert.match(error.message, /too old resource version/);
    });

    it("continues a compacted position at the latest revision when its revision is -1", async () => {
      const p = freshPrefix();
      for (const name of ["a", "b", "c", "d"]) await s.create(`${p}${name}`, obj(name, { n: 1 }));
      const first = await s.list(p, { limit: 1 });
      assert.ok(first.continueFrom);
      await s.guaranteedUpdate(`${p}c`, (cur) => ({ ...cur, n: 2 }));
      await s.delete(`${p}d`);
      await s.create(`${p}e`, obj("e", { n: 1 }));
      await s.compact(await s.currentRevision());
      const now = await s.currentRevision();
      const latest = { key: first.continueFrom.key, revision: -1 };
      const second = await s.list(p, { limit: 2, continueFrom: latest });
      assert.equal(second.revision, now);
      assert.deepEqual(
        second.items.map((i) => [i.metadata?.name, i.n]),
        [
          ["b", 1],
          ["c", 2],
        ],
      );
      assert.ok(second.continueFrom);
      assert.equal(second.continueFrom.revision, now, "later pages keep to the revision this one read");
      const third = await s.list(p, { limit: 2, continueFrom: second.continueFrom });
      assert.deepEqual(
        third.items.map((i) => i.metadata?.name),
        ["e"],
      );
      assert.equal(third.continueFrom, undefined);
    });

    it("resumes a watch from every past revision with exactly the later events", async () => {
      const p = freshPrefix();
      const start = await s.currentRevision();
      const writes: { type: string; key: string; revision: number }[] = [];
      const record = (type: string, key: string, o: StoredObject) => writes.push({ type, key, revision: rv(o) });
      record("ADDED", `${p}a`, await s.create(`${p}a`, obj("a", { n: 1 })));
      record("ADDED", `${p}b`, await s.create(`${p}b`, obj("b")));
      record("MODIFIED", `${p}a`, await s.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, n: 2 })));
      record("DELETED", `${p}b`, await s.delete(`${p}b`));
      record("ADDED", `${p}c`, await s.create(`${p}c`, obj("c")));
      record("MODIFIED", `${p}c`, await s.guaranteedUpdate(`${p}c`, (cur) => ({ ...cur, n: 3 })));
      record("DELETED", `${p}a`, await s.delete(`${p}a`));
      const froms = [start, ...writes.map((w) => w.revision)];
      for (const from of froms) {
        const expected = writes.filter((w) => w.revision > from);
        const recorder = new WatchRecorder(s, p, { fromRevision: from });
        try {
          if (expected.length > 0) {
            await recorder.until(() => recorder.objectEvents.length >= expected.length || !!recorder.error);
          }
          await settle(20);
          assert.equal(recorder.error, undefined);
          assert.deepEqual(
            recorder.objectEvents.map((e) => ({ type: e.type, key: e.key, revision: e.revision })),
            expected,
            `watch from ${from}`,
          );
        } finally {
          recorder.stop();
        }
      }
    });

    it("delivers concurrent writers' events once each, in revision order", async () => {
      const p = freshPrefix();
      const start = await s.currentRevision();
      const recorder = new WatchRecorder(s, p, { fromRevision: start });
      const acknowledged: number[] = [];
      try {
        await Promise.all(
          Array.from({ length: 4 }, async (_, w) => {
            const key = `${p}w${w}`;
            acknowledged.push(rv(await s.create(key, obj(`w${w}`, { n: 0 }))));
            for (let i = 1; i <= 5; i++) {
              acknowledged.push(rv(await s.guaranteedUpdate(key, (cur) => ({ ...cur, n: i }))));
            }
          }),
        );
        await recorder.until(() => recorder.objectEvents.length >= acknowledged.length);
        await settle(20);
        const revisions = recorder.objectEvents.map((e) => e.revision);
        for (let i = 1; i < revisions.length; i++) {
          assert.ok((revisions[i] as number) > (revisions[i - 1] as number), "strictly increasing revisions");
        }
        assert.deepEqual(
          revisions,
          [...acknowledged].sort((x, y) => x - y),
        );
        for (const event of recorder.objectEvents) assert.equal(rv(event.object), event.revision);
      } finally {
        recorder.stop();
      }
    });

    it("skips events up to a future fromRevision", async () => {
      const p = freshPrefix();
      const now = await s.currentRevision();
      const recorder = new WatchRecorder(s, p, { fromRevision: now + 2 });
      try {
        const written = [];
        for (const name of ["x", "y", "z"]) written.push(await s.create(`${p}${name}`, obj(name)));
        const expected = written.filter((o) => rv(o) > now + 2).map((o) => o.metadata?.name);
        assert.ok(expected.length >= 1);
        await recorder.until(() => recorder.objectEvents.length >= expected.length);
        await settle(20);
        assert.deepEqual(
          recorder.objectEvents.map((e) => e.object.metadata?.name),
          expected,
        );
      } finally {
        recorder.stop();
      }
    });

    it("holds events while the sink is paused and resumes without loss", async () => {
      const p = freshPrefix();
      const start = await s.currentRevision();
      const recorder = new WatchRecorder(s, p, { fromRevision: start }, () => false);
      try {
        await s.create(`${p}a`, obj("a"));
        await recorder.until(() => recorder.objectEvents.length === 1);
        for (const name of ["b", "c", "d", "e"]) await s.create(`${p}${name}`, obj(name));
        await settle(100);
        assert.equal(recorder.objectEvents.length, 1, "a paused sink gets nothing more");
        for (let expected = 2; expected <= 5; expected++) {
          recorder.handle.resume();
          await recorder.until(() => recorder.objectEvents.length >= expected);
        }
        assert.deepEqual(
          recorder.objectEvents.map((e) => e.object.metadata?.name),
          ["a", "b", "c", "d", "e"],
        );
        assert.equal(recorder.error, undefined);
      } finally {
        recorder.stop();
      }
    });

    it("answers requestProgress with a BOOKMARK after every earlier event", async (t) => {
      const p = freshPrefix();
      const start = await s.currentRevision();
      const recorder = new WatchRecorder(s, p, { fromRevision: start });
      try {
        const a = await s.create(`${p}a`, obj("a"));
        await s.create(`${freshPrefix()}elsewhere`, obj("elsewhere"));
        const current = await s.currentRevision();
        if (!recorder.handle.requestProgress()) {
          t.skip(`${backendName} cannot promise watch progress (requestProgress returned false)`);
          return;
        }
        await recorder.until(() => recorder.events.some((e) => e.type === "BOOKMARK"));
        const bookmarkAt = recorder.events.findIndex((e) => e.type === "BOOKMARK");
        const bookmark = recorder.events[bookmarkAt];
        assert.ok(bookmark && bookmark.type === "BOOKMARK");
        assert.ok(bookmark.revision >= current, `bookmark ${bookmark.revision} >= current ${current}`);
        assert.deepEqual(
          recorder.events.slice(0, bookmarkAt).map((e) => e.revision),
          [rv(a)],
        );
      } finally {
        recorder.stop();
      }
    });

    it("delivers nothing more once a watch is stopped from its sink", async () => {
      const p = freshPrefix();
      const start = await s.currentRevision();
      let recorder: WatchRecorder | undefined;
      recorder = new WatchRecorder(s, p, { fromRevision: start }, () => {
        recorder?.stop();
        return true;
      });
      for (const name of ["a", "b", "c"]) await s.create(`${p}${name}`, obj(name));
      await settle(100);
      assert.equal(recorder.objectEvents.length, 1);
    });

    it("answers ping while healthy", async () => {
      await s.ping();
    });
  });
}
