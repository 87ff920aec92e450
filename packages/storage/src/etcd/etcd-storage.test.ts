import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { WatchCache } from "../cache/watch-cache.js";
import { isStorageError } from "../errors.js";
import type { Storage, StoredObject } from "../interface.js";
import { describeStorageConformance, settle, WatchRecorder } from "../testing/conformance.js";
import { type EtcdProcess, etcdAvailable, etcdTestCertificates, OPENSSL, startEtcd } from "../testing/etcd.js";
import { FakeClock } from "../testing/fake-clock.js";
import { etcdFixture, withWatchCache } from "../testing/fixtures.js";
import { InstrumentedStorage } from "../testing/instrumented-storage.js";
import { EtcdClient } from "./etcd-client.js";
import { EtcdCompactor } from "./etcd-compactor.js";
import { EtcdStorage } from "./etcd-storage.js";

const skip = etcdAvailable()
  ? false
  : "etcd tests skipped: /usr/bin/etcd is not installed (apt-get install etcd-server)";

function thing(name: string, extra: Record<string, unknown> = {}): StoredObject {
  return { apiVersion: "test.example/v1", kind: "Thing", metadata: { name }, ...extra };
}

function rv(object: StoredObject | null | undefined): number {
  return Number(object?.metadata?.resourceVersion);
}

/** Rejects if `promise` has not settled within `ms`: the hang detector for outage tests (not a speed check). */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

async function eventually(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await settle(100);
    }
  }
}

/** A TCP proxy to `endpoint` whose connections can be cut at once: a lost session, as a network fault makes one. */
async function cuttableProxy(endpoint: string) {
  const target = new URL(endpoint);
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => connections,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** A CA, a serving certificate for 127.0.0.1 and a client certificate, made with openssl. */
if (!skip) {
  describeStorageConformance("etcd", etcdFixture());
  describeStorageConformance("watch cache over etcd", withWatchCache(etcdFixture()));
}

describe("EtcdStorage", { skip }, () => {
  let etcd: EtcdProcess;
  const opened: Storage[] = [];
  const open = (options: Partial<ConstructorParameters<typeof EtcdStorage>[0]> = {}) => {
    const storage = new EtcdStorage({ servers: [etcd.endpoint], compactionIntervalMs: 0, ...options });
    opened.push(storage);
    return storage;
  };
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const storage of opened) await storage.close();
    await etcd?.stop();
  });

  it("starts etcd on new ports when the ones it picked were taken before it bound them (the test harness)", async () => {
    // Holds the port; drops whatever connects (the harness's health probe may, before etcd exits).
    const taken = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const busy = (taken.address() as { port: number }).port;
    let attempts = 0;
    const free = async () => {
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
      const port = (probe.address() as { port: number }).port;
      await new Promise((resolve) => probe.close(resolve));
      return port;
    };
    // The first attempt gets a client port another process holds, as a parallel test file might.
    const started = await startEtcd({
      ports: async () => (attempts++ === 0 ? [busy, await free()] : [await free(), await free()]),
    });
    try {
      assert.equal(attempts, 2);
      assert.notEqual(new URL(started.endpoint).port, String(busy));
      const client = new EtcdClient([started.endpoint], {}, 5000);
      try {
        await client.range({ key: Buffer.from("/x") });
      } finally {
        client.close();
      }
    } finally {
      await started.stop();
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("keeps a process alive while it has an open watch, as an open socket does, and lets it exit once the watch stops", async () => {
    // A script holding nothing but a watch: its only other handle is an unref'd timer that stops the watch.
    const storageModule = new URL("./etcd-storage.js", import.meta.url).href;
    const script = `
      import { EtcdStorage } from ${JSON.stringify(storageModule)};
      const storage = new EtcdStorage({ servers: [${JSON.stringify(etcd.endpoint)}], compactionIntervalMs: 0 });
      const revision = await storage.currentRevision();
      const handle = storage.watch("/registry/alive.test/", { fromRevision: revision }, { event: () => true, error: () => {} });
      setTimeout(async () => {
        console.log("still alive with the watch open");
        handle.stop();
        await storage.close();
      }, 1000).unref();
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = (await settledWithin(once(child, "exit"), 20_000)) as [number | null];
    assert.equal(code, 0);
    assert.match(output, /still alive with the watch open/, "the process exited while its watch was open");
  });

  it("stores /registry keys under --etcd-prefix, kube-apiserver's layout by default", async () => {
    const raw = new EtcdClient([etcd.endpoint], {}, 5000);
    try {
      await open().create("/registry/layout.test/things/default/a", thing("a"));
      await open({ prefix: "/tenant-b/registry/" }).create("/registry/layout.test/things/default/b", thing("b"));
      const keys = async (prefix: string) =>
        (await raw.range({ key: Buffer.from(prefix), range_end: Buffer.from(`${prefix.slice(0, -1)}0`) })).kvs.map(
          (kv) => kv.key.toString(),
        );
      assert.deepEqual(await keys("/registry/layout.test/"), ["/registry/layout.test/things/default/a"]);
      assert.deepEqual(await keys("/tenant-b/registry/layout.test/"), [
        "/tenant-b/registry/layout.test/things/default/b",
      ]);
      const stored = await raw.range({ key: Buffer.from("/registry/layout.test/things/default/a") });
      assert.equal(JSON.parse(stored.kvs[0]?.value.toString() ?? "{}").metadata.resourceVersion, undefined);
      assert.equal(await open({ prefix: "/tenant-b/registry" }).count("/registry/layout.test/"), 1);
      await assert.rejects(open().get("/elsewhere/x"), RangeError);
    } finally {
      raw.close();
    }
  });

  it("lets two instances see each other's writes in consistent reads and watches", async () => {
    const a = open();
    const b = open();
    const p = "/registry/replicas.test/things/";
    const recorder = new WatchRecorder(b, p, { fromRevision: await b.currentRevision() });
    try {
      const created = await a.create(`${p}x`, thing("x", { n: 0 }));
      assert.equal(rv(await b.get(`${p}x`)), rv(created));
      assert.deepEqual(
        (await b.list(p)).items.map((i) => i.metadata?.name),
        ["x"],
      );
      // Concurrent read-modify-write through both: none lost.
      const increment = (s: Storage) => s.guaranteedUpdate(`${p}x`, (cur) => ({ ...cur, n: (cur?.n as number) + 1 }));
      await Promise.all(
        [a, b].map(async (s) => {
          for (let i = 0; i < 20; i++) await increment(s);
        }),
      );
      assert.equal((await a.get(`${p}x`))?.n, 40);
      await recorder.until(() => recorder.objectEvents.length >= 41);
      const revisions = recorder.objectEvents.map((e) => e.revision);
      assert.deepEqual(
        revisions,
        [...revisions].sort((x, y) => x - y),
      );
      assert.equal(new Set(revisions).size, 41);
      assert.equal(recorder.objectEvents.at(-1)?.object.n, 40);
    } finally {
      recorder.stop();
    }
  });

  it("gives its watch events of its own writes the written objects, identical to decoding etcd's copy", async () => {
    // The writer's watch reuses what each write stored; an observer (another instance, no
    // writes of its own) decodes every event from etcd: both must see the same events.
    const writer = open();
    const observer = open();
    const p = "/registry/reuse.test/things/";
    const fromRevision = await writer.currentRevision();
    const mine = new WatchRecorder(writer, p, { fromRevision });
    const theirs = new WatchRecorder(observer, p, { fromRevision });
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.boolean(), { maxLength: 3 }));
    const op = fc.record({
      verb: fc.constantFrom("create", "update", "delete"),
      name: fc.constantFrom("a", "b", "c"),
      spec: fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 4 }),
    });
    const returned = new Map<number, StoredObject>();
    let writes = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
          for (const { verb, name, spec } of ops) {
            const key = `${p}${name}`;
            const exists = (await writer.get(key)) !== null;
            let stored: StoredObject | undefined;
            if (verb === "create" && !exists) stored = await writer.create(key, thing(name, { spec }));
            else if (verb === "update" && exists)
              stored = await writer.guaranteedUpdate(key, (cur) => ({ ...cur, spec }));
            else if (verb === "delete" && exists) stored = await writer.delete(key);
            // An update to the same spec writes nothing and returns the current object.
            if (stored && !returned.has(rv(stored))) {
              returned.set(rv(stored), stored);
              writes++;
            }
          }
        }),
        { numRuns: 15 },
      );
      await mine.until(() => mine.objectEvents.length >= writes);
      await theirs.until(() => theirs.objectEvents.length >= writes);
      assert.equal(mine.objectEvents.length, writes);
      assert.deepEqual(mine.objectEvents, theirs.objectEvents);
      for (const [i, event] of mine.objectEvents.entries()) {
        const other = theirs.objectEvents[i];
        assert.equal(JSON.stringify(event.object), JSON.stringify(other?.object));
        assert.equal(JSON.stringify(event.prevObject), JSON.stringify(other?.prevObject));
        assert.ok(Object.isFrozen(event.object) && Object.isFrozen(event.object.metadata));
        // The fast path was taken: the event holds the very object the write returned.
        assert.equal(event.object, returned.get(event.revision));
      }
    } finally {
      mine.stop();
      theirs.stop();
    }
  });

  it("reads the server version and gates progress requests on it", async () => {
    const auto = open();
    const version = await auto.serverVersion();
    assert.match(version, /^\d+\.\d+\.\d+/);
    const p = "/registry/progress.test/things/";
    const gated = new WatchRecorder(auto, p, { fromRevision: await auto.currentRevision() });
    const forced = open({ progressRequests: "always" });
    const start = await forced.currentRevision();
    const recorder = new WatchRecorder(forced, p, { fromRevision: start });
    try {
      const { supportsProgressRequests } = await import("./etcd-version.js");
      assert.equal(gated.handle.requestProgress(), supportsProgressRequests(version));
      const created = await forced.create(`${p}a`, thing("a"));
      await recorder.until(() => recorder.objectEvents.length === 1);
      assert.equal(recorder.handle.requestProgress(), true);
      await recorder.until(() => recorder.events.some((e) => e.type === "BOOKMARK"));
      const bookmark = recorder.events.find((e) => e.type === "BOOKMARK");
      assert.ok(bookmark && bookmark.revision >= rv(created));
    } finally {
      gated.stop();
      recorder.stop();
    }
  });

  it("turns etcd's periodic progress notifications into bookmarks only where etcd's progress is trusted", async () => {
    const auto = open();
    const version = await auto.serverVersion();
    const { supportsProgressRequests } = await import("./etcd-version.js");
    const forced = open({ progressRequests: "always" });
    const p = "/registry/notify.test/things/";
    const start = await auto.currentRevision();
    const trusted = new WatchRecorder(forced, p, { fromRevision: start, progressNotify: true });
    const gated = new WatchRecorder(auto, p, { fromRevision: start, progressNotify: true });
    try {
      await auto.create("/registry/elsewhere.test/things/x", thing("x"));
      await trusted.until(() => trusted.events.some((e) => e.type === "BOOKMARK" && e.revision > start), 10_000);
      // The harness sends progress every second: two more intervals for the gated watch.
      await settle(2500);
      const gatedBookmarks = gated.events.filter((e) => e.type === "BOOKMARK").length;
      if (supportsProgressRequests(version)) assert.ok(gatedBookmarks > 0);
      else assert.equal(gatedBookmarks, 0, `etcd ${version}: progress notifications are not trusted`);
      assert.equal(trusted.objectEvents.length, 0);
    } finally {
      trusted.stop();
      gated.stop();
    }
  });

  it("serves consistent reads through the watch cache as the etcd version allows", async () => {
    const p = "/registry/cached.test/things/";
    const backend = open();
    const version = await backend.serverVersion();
    const { supportsProgressRequests } = await import("./etcd-version.js");
    // "always" is not tested here: on etcd before 3.4.31 its progress really can run ahead of events.
    for (const mode of ["auto"] as const) {
      const counted = new InstrumentedStorage(open({ progressRequests: mode }));
      const cache = new WatchCache(counted, { prefix: p });
      try {
        await cache.ready;
        await backend.create(`${p}${mode}`, thing(mode));
        // A write elsewhere moves etcd's revision past anything this prefix's watch delivers.
        await backend.create(`/registry/elsewhere.test/things/${mode}`, thing(mode));
        counted.resetCounts();
        const names = (await cache.list(p)).items.map((i) => i.metadata?.name);
        assert.ok(names.includes(mode), `the consistent list sees the write just made (${names})`);
        const fromCache = supportsProgressRequests(version);
        assert.equal(
          counted.calls.list,
          fromCache ? 0 : 1,
          `${mode} on etcd ${version}: ${JSON.stringify(counted.calls)}`,
        );
        counted.resetCounts();
        await cache.list(p, { consistency: { kind: "any" } });
        assert.equal(counted.reads, 0);
      } finally {
        await cache.close();
      }
    }
  });

  it("takes turns compacting across replicas through compact_rev_key", async () => {
    const clients = [new EtcdClient([etcd.endpoint], {}, 5000), new EtcdClient([etcd.endpoint], {}, 5000)];
    const compacted: number[][] = [[], []];
    const compactors = clients.map(
      (client, i) => new EtcdCompactor(client, new FakeClock(), 1000, (r) => compacted[i]?.push(r)),
    );
    const [first, second] = compactors as [EtcdCompactor, EtcdCompactor];
    const storage = open();
    try {
      const results: boolean[][] = [];
      for (let round = 0; round < 4; round++) {
        await storage.create(`/registry/compaction.test/things/r${round}`, thing(`r${round}`));
        // Replica order alternates; either way one replica wins each round.
        const order = round % 2 === 0 ? [first, second] : [second, first];
        results.push([await (order[0] as EtcdCompactor).round(), await (order[1] as EtcdCompactor).round()]);
      }
      // Round 0 starts the clock (nothing compacted), then exactly one compaction per round.
      assert.deepEqual(results[0], [false, false]);
      for (const round of results.slice(1)) assert.equal(round.filter(Boolean).length, 1, JSON.stringify(results));
      const compactedNow = await storage.compactedRevision();
      assert.ok(compactedNow > 0);
      await assert.rejects(
        storage.get("/registry/compaction.test/things/r0", {
          consistency: { kind: "exact", revision: compactedNow - 1 },
        }),
        (e: unknown) => isStorageError(e, "Expired"),
      );
      // The last round's loser adopted the winner's version: when the winner stops, it takes over next round.
      const other = results[3]?.[0] ? first : second;
      const before = await storage.compactedRevision();
      assert.equal(await other.round(), true);
      assert.ok((await storage.compactedRevision()) > before);
    } finally {
      for (const client of clients) client.close();
    }
  });

  it("runs its compactor on the --etcd-compaction-interval schedule", async () => {
    const clock = new FakeClock();
    const storage = open({ compactionIntervalMs: 60_000, clock });
    const before = await storage.compactedRevision();
    await storage.create("/registry/schedule.test/things/a", thing("a"));
    await clock.advance(60_000);
    await storage.create("/registry/schedule.test/things/b", thing("b"));
    await eventually(async () => {
      await clock.advance(60_000);
      assert.ok((await storage.compactedRevision()) > before);
    }, 10_000);
  });

  it("fails promptly while etcd is down, recovers by itself, and resumes watches without a gap", async () => {
    const storage = open({ requestTimeoutMs: 1000 });
    const p = "/registry/outage.test/things/";
    const recorder = new WatchRecorder(storage, p, { fromRevision: await storage.currentRevision() });
    const acknowledged: number[] = [];
    try {
      for (let i = 0; i < 5; i++) acknowledged.push(rv(await storage.create(`${p}before-${i}`, thing(`before-${i}`))));
      await recorder.until(() => recorder.objectEvents.length >= 5);
      await etcd.kill("SIGKILL");
      const operations: (() => Promise<unknown>)[] = [
        () => storage.get(`${p}before-0`),
        () => storage.list(p),
        () => storage.create(`${p}during`, thing("during")),
        () => storage.currentRevision(),
      ];
      for (const operation of operations) {
        await assert.rejects(settledWithin(operation(), 10_000), (error: unknown) => {
          assert.ok(isStorageError(error), String(error));
          assert.ok(error.code === "Unavailable" || error.code === "Timeout", error.message);
          return true;
        });
      }
      await assert.rejects(settledWithin(storage.ping(), 10_000), (e: unknown) => isStorageError(e, "Unavailable"));
      await etcd.restart();
      await eventually(() => storage.ping(), 20_000);
      for (let i = 0; i < 5; i++) acknowledged.push(rv(await storage.create(`${p}after-${i}`, thing(`after-${i}`))));
      await recorder.until(
        () => acknowledged.every((r) => recorder.objectEvents.some((e) => e.revision === r)),
        20_000,
      );
      assert.equal(recorder.error, undefined);
      const revisions = recorder.objectEvents.map((e) => e.revision);
      assert.equal(new Set(revisions).size, revisions.length, "no event twice");
      assert.deepEqual(
        revisions,
        [...revisions].sort((x, y) => x - y),
      );
    } finally {
      recorder.stop();
    }
  });

  it("resumes a watch whose connection to etcd is cut mid-stream without losing or repeating an event", async () => {
    const proxy = await cuttableProxy(etcd.endpoint);
    try {
      const watching = open({ servers: [proxy.endpoint], requestTimeoutMs: 1000 });
      const writer = open();
      const p = "/registry/cut.test/things/";
      const recorder = new WatchRecorder(watching, p, { fromRevision: await writer.currentRevision() });
      const acknowledged: number[] = [];
      try {
        for (let round = 0; round < 3; round++) {
          // The first of each round is written while the watch's session is being lost.
          for (let i = 0; i < 10; i++)
            acknowledged.push(rv(await writer.create(`${p}${round}-${i}`, thing(`${round}-${i}`))));
          await recorder.until(() => recorder.objectEvents.length >= acknowledged.length, 20_000);
          if (round < 2) proxy.cut();
        }
        assert.equal(recorder.error, undefined);
        assert.deepEqual(
          recorder.objectEvents.map((e) => e.revision),
          acknowledged,
        );
        assert.ok(proxy.connections() >= 3, `the watch connected again after each cut (${proxy.connections()})`);
      } finally {
        recorder.stop();
      }
    } finally {
      proxy.close();
    }
  });

  it(
    "talks TLS to etcd with --etcd-cafile, --etcd-certfile and --etcd-keyfile, and fails without them",
    { skip: !existsSync(OPENSSL) && "openssl is not installed" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "etcd-tls-"));
      const files = etcdTestCertificates(dir);
      const secure = await startEtcd({ tls: files });
      const tlsOptions = { caFile: files.trustedCaFile, certFile: files.clientCertFile, keyFile: files.clientKeyFile };
      const storages: EtcdStorage[] = [];
      const connect = (options: { caFile?: string; certFile?: string; keyFile?: string }) => {
        const storage = new EtcdStorage({
          servers: [secure.endpoint],
          compactionIntervalMs: 0,
          requestTimeoutMs: 1000,
          ...options,
        });
        storages.push(storage);
        return storage;
      };
      try {
        assert.match(secure.endpoint, /^https:/);
        const storage = connect(tlsOptions);
        const created = await storage.create("/registry/t/tls/a", thing("a"));
        assert.equal(
          (await storage.get("/registry/t/tls/a"))?.metadata?.resourceVersion,
          created.metadata?.resourceVersion,
        );
        const recorder = new WatchRecorder(storage, "/registry/t/tls/", { fromRevision: rv(created) });
        await storage.create("/registry/t/tls/b", thing("b"));
        await recorder.until(() => recorder.objectEvents.length === 1);
        recorder.stop();
        assert.equal(recorder.objectEvents[0]?.object.metadata?.name, "b");
        await storage.ping();
        // etcd requires a client certificate, and the server's must be signed by --etcd-cafile.
        const refused = (e: unknown) => isStorageError(e) && (e.code === "Unavailable" || e.code === "Timeout");
        await assert.rejects(
          settledWithin(connect({ caFile: files.trustedCaFile }).get("/registry/t/tls/a"), 10_000),
          refused,
        );
        await assert.rejects(
          settledWithin(connect({ ...tlsOptions, caFile: files.otherCaFile }).get("/registry/t/tls/a"), 10_000),
          refused,
        );
      } finally {
        for (const storage of storages) await storage.close();
        await secure.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("answers Unavailable, never hangs, when etcd was never there", async () => {
    const storage = new EtcdStorage({
      servers: ["http://127.0.0.1:9"],
      compactionIntervalMs: 0,
      requestTimeoutMs: 500,
    });
    try {
      await assert.rejects(
        settledWithin(storage.get("/registry/x/y/z"), 10_000),
        (e: unknown) => isStorageError(e) && (e.code === "Unavailable" || e.code === "Timeout"),
      );
      await assert.rejects(settledWithin(storage.ping(), 10_000), (e: unknown) => isStorageError(e, "Unavailable"));
      const recorder = new WatchRecorder(storage, "/registry/x/y/", { fromRevision: 1 });
      await settle(300);
      assert.equal(recorder.error, undefined, "a watch keeps retrying instead of failing");
      assert.equal(recorder.handle.requestProgress(), false);
      recorder.stop();
    } finally {
      await storage.close();
    }
  });
});
