import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isStorageError } from "../errors.js";
import type { StoredObject } from "../interface.js";
import { describeStorageConformance, settle, WatchRecorder } from "../testing/conformance.js";
import { FakeClock } from "../testing/fake-clock.js";
import { sqliteFixture } from "../testing/fixtures.js";
import { SqliteStorage } from "./sqlite-storage.js";

describeStorageConformance("sqlite", sqliteFixture());

const OWNER = fileURLToPath(new URL("./testdata/owner-process.js", import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sqlite-test-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function thing(name: string, extra: Record<string, unknown> = {}): StoredObject {
  return { apiVersion: "test.example/v1", kind: "Thing", metadata: { name }, ...extra };
}

/** A second OS process running testdata/owner-process.js; lines of its stdout arrive in `lines`. */
class OwnerProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private waiters: (() => void)[] = [];
  readonly exited: Promise<unknown>;

  constructor(dataDir: string, mode: "hold" | "write") {
    this.child = spawn(process.execPath, [OWNER, dataDir, mode], { stdio: ["ignore", "pipe", "inherit"] });
    this.exited = once(this.child, "exit");
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      this.lines.push(line);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.once("exit", () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline || this.child.exitCode !== null)
        assert.fail(`owner process: no ${what}; output: ${this.lines.slice(-5).join(" | ")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      process.kill(this.child.pid as number, signal);
      await this.exited;
    }
  }
}

describe("SqliteStorage", () => {
  it("defaults to WAL with a full sync per commit, and offers NORMAL", async () => {
    const full = await SqliteStorage.open({ dataDir: tempDir(), compactionIntervalMs: 0 });
    try {
      const status = await full.status();
      assert.equal(status.journalMode, "wal");
      assert.equal(status.synchronous, 2, "PRAGMA synchronous = FULL");
    } finally {
      await full.close();
    }
    const normal = await SqliteStorage.open({ dataDir: tempDir(), compactionIntervalMs: 0, synchronous: "normal" });
    try {
      assert.equal((await normal.status()).synchronous, 1, "PRAGMA synchronous = NORMAL");
    } finally {
      await normal.close();
    }
  });

  it("keeps data, revisions and history across a restart", async () => {
    const dataDir = tempDir();
    let storage = await SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
    const a = await storage.create("/registry/t/x/a", thing("a", { n: 1 }));
    await storage.guaranteedUpdate("/registry/t/x/a", (cur) => ({ ...cur, n: 2 }));
    const last = await storage.create("/registry/t/x/b", thing("b"));
    await storage.close();
    storage = await SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
    try {
      assert.equal(await storage.currentRevision(), Number(last.metadata?.resourceVersion));
      assert.equal((await storage.get("/registry/t/x/a"))?.n, 2);
      const old = await storage.get("/registry/t/x/a", {
        consistency: { kind: "exact", revision: Number(a.metadata?.resourceVersion) },
      });
      assert.equal(old?.n, 1);
      const next = await storage.create("/registry/t/x/c", thing("c"));
      assert.ok(Number(next.metadata?.resourceVersion) > Number(last.metadata?.resourceVersion));
      // History written before the restart replays from the database.
      const recorder = new WatchRecorder(storage, "/registry/t/x/", { fromRevision: 1 });
      await recorder.until(() => recorder.objectEvents.length >= 4);
      recorder.stop();
      assert.deepEqual(
        recorder.objectEvents.map((e) => `${e.type} ${e.object.metadata?.name}`),
        ["ADDED a", "MODIFIED a", "ADDED b", "ADDED c"],
      );
      assert.equal(recorder.objectEvents[1]?.prevObject?.n, 1);
    } finally {
      await storage.close();
    }
  });

  it("replays watches beyond the in-memory window from the history table", async () => {
    const storage = await SqliteStorage.open({ dataDir: tempDir(), compactionIntervalMs: 0, recentEvents: 4 });
    try {
      const start = await storage.currentRevision();
      for (let i = 0; i < 30; i++) {
        await storage.create(`/registry/t/w/k${i}`, thing(`k${i}`));
        if (i % 3 === 0) await storage.delete(`/registry/t/w/k${i}`);
      }
      const recorder = new WatchRecorder(storage, "/registry/t/w/", { fromRevision: start });
      await recorder.until(() => recorder.objectEvents.length >= 40);
      await settle(20);
      recorder.stop();
      const events = recorder.objectEvents;
      assert.equal(events.length, 40);
      for (const [i, event] of events.entries()) assert.equal(event.revision, start + i + 1);
      const deleted = events.filter((e) => e.type === "DELETED");
      assert.equal(deleted.length, 10);
      for (const event of deleted) assert.equal(event.prevObject?.metadata?.name, event.object.metadata?.name);
    } finally {
      await storage.close();
    }
  });

  it("groups concurrent writes into shared commits", async () => {
    const storage = await SqliteStorage.open({
      dataDir: tempDir(),
      compactionIntervalMs: 0,
      testHooks: { commitDelayMs: 20 },
    });
    try {
      const before = await storage.status();
      await Promise.all(Array.from({ length: 50 }, (_, i) => storage.create(`/registry/t/g/k${i}`, thing(`k${i}`))));
      const after = await storage.status();
      const writes = after.writes - before.writes;
      const commits = after.commits - before.commits;
      assert.equal(writes, 50);
      assert.ok(commits < writes, `${writes} writes in ${commits} commits`);
      assert.equal(await storage.count("/registry/t/g/"), 50);
    } finally {
      await storage.close();
    }
  });

  it("keeps the event loop free while a slow commit is in progress", async () => {
    const storage = await SqliteStorage.open({
      dataDir: tempDir(),
      compactionIntervalMs: 0,
      testHooks: { commitDelayMs: 400 },
    });
    try {
      await storage.create("/registry/t/s/existing", thing("existing"));
      const order: string[] = [];
      const write = storage.create("/registry/t/s/new", thing("new")).then(() => order.push("write acknowledged"));
      const timer = new Promise<void>((resolve) =>
        setTimeout(() => {
          order.push("timer fired");
          resolve();
        }, 20),
      );
      const read = storage.get("/registry/t/s/existing").then((object) => {
        assert.equal(object?.metadata?.name, "existing");
        order.push("get resolved");
      });
      await Promise.all([write, timer, read]);
      assert.equal(order[order.length - 1], "write acknowledged", order.join(", "));
      assert.deepEqual([...order].sort(), ["get resolved", "timer fired", "write acknowledged"]);
    } finally {
      await storage.close();
    }
  });

  it("lets one owner hold a data directory; a second one in this process is refused", async () => {
    const dataDir = tempDir();
    const first = await SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
    try {
      await assert.rejects(SqliteStorage.open({ dataDir, compactionIntervalMs: 0 }), (error: unknown) => {
        assert.ok(isStorageError(error, "Unavailable"));
        assert.ok(error.message.includes(dataDir), error.message);
        assert.match(error.message, /in use by another process \(pid \d+\)/);
        return true;
      });
    } finally {
      await first.close();
    }
    const again = await SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
    await again.close();
  });

  it("refuses a second process, and restarts at once after the owner is killed with SIGKILL", async () => {
    const dataDir = tempDir();
    const owner = new OwnerProcess(dataDir, "hold");
    try {
      await owner.until(() => owner.lines.some((l) => l.startsWith("ready")), "ready line");
      await assert.rejects(SqliteStorage.open({ dataDir, compactionIntervalMs: 0 }), (error: unknown) => {
        assert.ok(isStorageError(error, "Unavailable"));
        assert.ok(error.message.includes(dataDir));
        assert.ok(error.message.includes(`pid ${owner.child.pid}`), error.message);
        return true;
      });
      // And the other way round: a second process refuses while this one owns the directory.
      await owner.kill("SIGKILL");
      const storage = await SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
      try {
        const second = new OwnerProcess(dataDir, "hold");
        await second.exited;
        assert.equal(second.child.exitCode, 3);
        assert.match(second.lines.join("\n"), new RegExp(`refused Unavailable data directory ${dataDir} is in use`));
      } finally {
        await storage.close();
      }
    } finally {
      await owner.kill("SIGKILL");
    }
  });

  it("keeps every acknowledged write when the owner is killed with SIGKILL mid-stream", async () => {
    const dataDir = tempDir();
    const writer = new OwnerProcess(dataDir, "write");
    const acked = () => writer.lines.filter((l) => l.startsWith("ack "));
    try {
      await writer.until(() => acked().length >= 300, "300 acknowledged writes");
    } finally {
      await writer.kill("SIGKILL");
    }
    const acknowledged = acked().map((line) => {
      const [, name, rv] = line.split(" ");
      return { name: name as string, rv: Number(rv) };
    });
    const storage = await SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
    try {
      for (const { name, rv } of acknowledged) {
        const object = await storage.get(`/registry/test.example/items/${name}`);
        assert.ok(object, `acknowledged ${name} survived`);
        assert.equal(object.metadata?.resourceVersion, String(rv));
        assert.equal((object.spec as { payload: string }).payload, name.repeat(20));
      }
      const list = await storage.list("/registry/test.example/items/");
      assert.ok(list.items.length >= acknowledged.length);
      // Nothing half-written: revisions 2..current are exactly the listed objects.
      assert.equal(list.items.length, list.revision - 1);
    } finally {
      await storage.close();
    }
  });

  it("backs up online during a stream of writes and restores one consistent revision", async () => {
    const dataDir = tempDir();
    const storage = await SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
    const backupFile = join(tempDir(), "backup.db");
    const acknowledged: number[] = [];
    let stop = false;
    const stream = (async () => {
      for (let i = 0; !stop; i++) {
        const created = await storage.create(`/registry/t/b/k${i}`, thing(`k${i}`, { n: i, pad: "x".repeat(2000) }));
        acknowledged.push(Number(created.metadata?.resourceVersion));
      }
    })();
    let backupRevision: number;
    let ackedBefore: number;
    try {
      while (acknowledged.length < 500) await settle(5);
      ackedBefore = acknowledged[acknowledged.length - 1] as number;
      ({ revision: backupRevision } = await storage.backup(backupFile));
    } finally {
      stop = true;
      await stream;
      await storage.close();
    }
    assert.ok(backupRevision >= ackedBefore);
    assert.ok(backupRevision <= (acknowledged[acknowledged.length - 1] as number));
    const restoredDir = join(tempDir(), "restored");
    SqliteStorage.restore(backupFile, restoredDir);
    assert.throws(() => SqliteStorage.restore(backupFile, restoredDir), /already holds a database/);
    const restored = await SqliteStorage.open({ dataDir: restoredDir, compactionIntervalMs: 0 });
    try {
      assert.equal(await restored.currentRevision(), backupRevision);
      const list = await restored.list("/registry/t/b/");
      const revisions = list.items.map((o) => Number(o.metadata?.resourceVersion)).sort((x, y) => x - y);
      assert.deepEqual(
        revisions,
        acknowledged.filter((r) => r <= backupRevision),
      );
      for (const item of list.items) assert.equal(item.pad, "x".repeat(2000));
      const next = await restored.create("/registry/t/b/after", thing("after"));
      assert.equal(Number(next.metadata?.resourceVersion), backupRevision + 1);
    } finally {
      await restored.close();
    }
  });

  it("compacts on its schedule, keeping the retention window", async () => {
    const clock = new FakeClock();
    const storage = await SqliteStorage.open({
      dataDir: tempDir(),
      clock,
      compactionIntervalMs: 1000,
      retentionMs: 3000,
    });
    try {
      const first = await storage.create("/registry/t/c/a", thing("a", { n: 0 }));
      const revisions: number[] = [];
      for (let second = 1; second <= 6; second++) {
        const updated = await storage.guaranteedUpdate("/registry/t/c/a", (cur) => ({ ...cur, n: second }));
        revisions.push(Number(updated.metadata?.resourceVersion));
        await clock.advance(1000);
      }
      // Samples were taken at t=0 (before any write here) and after each second's write.
      const compacted = await storage.compactedRevision();
      assert.ok(compacted >= Number(first.metadata?.resourceVersion), `compacted ${compacted}`);
      assert.ok(compacted < (revisions[3] as number), "the last 3 s of history stay");
      await assert.rejects(
        storage.get("/registry/t/c/a", { consistency: { kind: "exact", revision: compacted - 1 } }),
        (e: unknown) => isStorageError(e, "Expired"),
      );
      const kept = await storage.get("/registry/t/c/a", {
        consistency: { kind: "exact", revision: revisions[4] as number },
      });
      assert.equal(kept?.n, 5);
    } finally {
      await storage.close();
    }
  });
});
