/**
 * Backup while serving (issue 5 show 5): a server process on SQLite serves a stream of eight
 * writers; meanwhile a client downloads GET /debug/storage/backup. The copy restores into a
 * new data directory, and a server started on it holds exactly the state at one revision —
 * the one the backup named: every acknowledged write up to it, nothing after it. Also: only an
 * authorized user may take a backup, and a server on etcd says to use etcdctl instead.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SqliteStorage } from "@apiserver-kit/storage";
import { etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import { BACKUP_REVISION_HEADER, STORAGE_BACKUP_PATH } from "../server/storage-backup.js";
import { hasKubectl, kubectlBinary } from "../testing/clients.js";
import { HttpsClient } from "../testing/processes/https-client.js";
import { ServerProcess } from "../testing/processes/server-process.js";
import { type StoredFlunder, seededRandom, WARDLE_API, WriteStorm } from "../testing/processes/write-storm.js";

const LONG = process.env.RELIABILITY_LONG === "1";
const BACKUPS = LONG ? 5 : 2;
const COLLECTION = `${WARDLE_API}/namespaces/backup/flunders`;

/**
 * The problems with `items` as the state at `revision`: per key, the newest acknowledged
 * write at or before it must be there (same resourceVersion and content); keys created after
 * it must be absent; a key may be missing only if it was deleted (at a revision the client
 * was not told) and not written after the backup's revision.
 */
function checkPointInTime(storm: WriteStorm, items: readonly StoredFlunder[], revision: number): string[] {
  const problems: string[] = [];
  const stored = new Map(items.map((item) => [item.metadata.name, item]));
  for (const name of storm.keys.keys()) {
    const writes = storm.history.filter((w) => w.name === name);
    const known = writes.filter((w) => w.revision !== undefined);
    const before = known.filter((w) => (w.revision as number) <= revision).at(-1);
    const laterWrite = known.some((w) => (w.revision as number) > revision);
    const deleted = writes.some((w) => w.type === "DELETED");
    const item = stored.get(name);
    stored.delete(name);
    if (!before) {
      if (item) problems.push(`${name} exists at ${item.metadata.resourceVersion}, created after ${revision}`);
    } else if (item) {
      if (item.metadata.resourceVersion !== String(before.revision)) {
        problems.push(
          `${name} at ${item.metadata.resourceVersion}, its last write up to ${revision} was ${before.revision}`,
        );
      } else if (item.spec?.reference !== before.state?.reference) {
        problems.push(`${name} holds ${item.spec?.reference}, written ${before.state?.reference}`);
      }
    } else if (!deleted || laterWrite) {
      problems.push(`${name} is missing, last written at ${before.revision} (up to ${revision})`);
    }
  }
  for (const name of stored.keys()) problems.push(`${name}: restored but never written`);
  return problems;
}

describe("backup while serving", () => {
  let root: string;
  let server: ServerProcess;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), "backup-"));
    server = await ServerProcess.start({ storage: "sqlite", dataDir: join(root, "live") });
  });
  after(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("restores a backup taken during a stream of writes to one consistent revision", async (t) => {
    // Ballast: with a few MB stored, SQLite's online backup copies in many steps (100 pages
    // each) and the storm's writes land between them; a small store is copied in one step,
    // and a backup that named its starting revision would go unnoticed.
    for (let i = 0; i < 16; i++) {
      const ballast = await server.client.request("/apis/wardle.example.com/v1alpha1/namespaces/ballast/flunders", {
        method: "POST",
        body: {
          apiVersion: "wardle.example.com/v1alpha1",
          kind: "Flunder",
          metadata: { name: `ballast-${i}`, annotations: { "ballast.example.com/pad": "x".repeat(200_000) } },
        },
      });
      assert.equal(ballast.status, 201, ballast.body.slice(0, 300));
    }
    const storm = new WriteStorm(server.client, { namespace: "backup", writers: 8, random: seededRandom(5) });
    storm.start();
    const backups: Array<{ file: string; revision: number; acknowledgedBefore: number }> = [];
    try {
      for (let i = 0; i < BACKUPS; i++) {
        await storm.waitForAcknowledged((i + 1) * 150);
        const acknowledgedBefore = storm.acknowledged;
        const answer = await server.client.request(STORAGE_BACKUP_PATH);
        assert.equal(answer.status, 200, answer.body.slice(0, 300));
        assert.equal(answer.headers["content-type"], "application/vnd.sqlite3");
        const revision = Number(answer.headers[BACKUP_REVISION_HEADER.toLowerCase()]);
        assert.ok(revision > 0);
        const file = join(root, `backup-${i}.db`);
        writeFileSync(file, answer.bytes);
        backups.push({ file, revision, acknowledgedBefore });
      }
      // Writes went on during the downloads.
      await storm.waitForAcknowledged(storm.acknowledged + 50);
    } finally {
      await storm.stop();
    }
    assert.deepEqual(storm.unexpected, []);

    let verified = 0;
    for (const [i, backup] of backups.entries()) {
      const dataDir = join(root, `restored-${i}`);
      SqliteStorage.restore(backup.file, join(dataDir, "storage"));
      const restored = await ServerProcess.start({ storage: "sqlite", dataDir });
      try {
        const list = (await restored.client.request(COLLECTION)).json<{
          metadata: { resourceVersion: string };
          items: StoredFlunder[];
        }>();
        // The restored store is at the backup's revision: a consistent read answers with it.
        assert.equal(list.metadata.resourceVersion, String(backup.revision));
        assert.deepEqual(checkPointInTime(storm, list.items, backup.revision), [], `backup ${i} at ${backup.revision}`);
        verified += list.items.length;
        // And it takes writes, continuing after that revision.
        const created = await restored.client.request(COLLECTION, {
          method: "POST",
          body: { apiVersion: "wardle.example.com/v1alpha1", kind: "Flunder", metadata: { name: "after-restore" } },
        });
        assert.equal(created.status, 201, created.body);
        assert.ok(Number(created.json<StoredFlunder>().metadata.resourceVersion) > backup.revision);
      } finally {
        await restored.stop();
      }
    }
    t.diagnostic(
      `${backups.length} backups during ${storm.acknowledged} acknowledged writes, at revisions ` +
        `${backups.map((b) => b.revision).join(", ")}; ${verified} restored objects checked against the history`,
    );
  });

  it(
    "is what `kubectl get --raw /debug/storage/backup > backup.db` saves",
    { skip: !hasKubectl(33) && "kubectl.1.33 is not installed" },
    async () => {
      const saved = await new Promise<Buffer>((resolve, reject) =>
        execFile(
          kubectlBinary(33),
          ["--kubeconfig", join(root, "live", "kubeconfig"), "get", "--raw", STORAGE_BACKUP_PATH],
          {
            encoding: "buffer",
            maxBuffer: 256 * 1024 * 1024,
            env: { ...process.env, HOME: root, KUBECTL_KUBERC: "false" },
          },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        ),
      );
      const file = join(root, "kubectl.db");
      writeFileSync(file, saved);
      const dataDir = join(root, "restored-kubectl");
      SqliteStorage.restore(file, join(dataDir, "storage"));
      const restored = await ServerProcess.start({ storage: "sqlite", dataDir });
      try {
        const live = (await server.client.request(COLLECTION)).json<{ items: StoredFlunder[] }>();
        const copy = (await restored.client.request(COLLECTION)).json<{ items: StoredFlunder[] }>();
        // Nothing writes any more: the copy holds what the live server holds.
        assert.deepEqual(
          copy.items.map((i) => `${i.metadata.name}@${i.metadata.resourceVersion}`),
          live.items.map((i) => `${i.metadata.name}@${i.metadata.resourceVersion}`),
        );
      } finally {
        await restored.stop();
      }
    },
  );

  it("refuses users who may not take it", async () => {
    // Without a client certificate the request is anonymous, and the anonymous user is not allowed.
    const stranger = new HttpsClient(server.url, { ca: server.credentials.ca });
    try {
      const answer = await stranger.request(STORAGE_BACKUP_PATH);
      assert.equal(answer.status, 403, answer.body);
      assert.equal(answer.json<{ reason: string }>().reason, "Forbidden");
    } finally {
      stranger.close();
    }
  });

  it("on etcd, points to etcdctl", { skip: !etcdAvailable() && "etcd is not installed" }, async () => {
    const etcd = await startEtcd();
    const onEtcd = await ServerProcess.start({
      storage: "etcd",
      dataDir: join(root, "etcd"),
      etcdServers: etcd.endpoint,
    });
    try {
      const answer = await onEtcd.client.request(STORAGE_BACKUP_PATH);
      assert.equal(answer.status, 404, answer.body);
      assert.match(answer.json<{ message: string }>().message, /etcdctl snapshot save/);
    } finally {
      await onEtcd.stop();
      await etcd.stop();
    }
  });
});
