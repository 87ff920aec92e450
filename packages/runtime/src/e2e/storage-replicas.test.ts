/**
 * Scale-out (issue 5 show 3, issue 14 on replicas): server processes on one etcd. A write
 * through one replica is visible through the others at once for a consistent read (no
 * resourceVersion) — also through a third replica that sits behind a slow link to etcd, whose
 * watch events arrive 30 ms late, so that a read served from a lagging cache would show — and
 * arrives on the other's watch in order; kubectl 1.33 `get` and
 * `get -w` through replica B see writes made through replica A; and 8 clients × 250
 * read-modify-write increments, reading through one replica and writing through the other,
 * end at exactly 2,000.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type EtcdProcess, etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import { hasKubectl, Kubectl } from "../testing/clients.js";
import { assertLinearizable, runCounter } from "../testing/processes/counter.js";
import { ServerProcess } from "../testing/processes/server-process.js";
import { type SlowLink, startSlowLink } from "../testing/processes/slow-link.js";
import { openWatchConnection } from "../testing/processes/watch-client.js";
import { flunder, type StoredFlunder, WARDLE_API } from "../testing/processes/write-storm.js";

const LONG = process.env.RELIABILITY_LONG === "1";
const ROUND_TRIPS = LONG ? 500 : 60;
const COUNTER_INCREMENTS = LONG ? 1000 : 250;

describe("replicas as separate processes on one etcd", { skip: !etcdAvailable() && "etcd is not installed" }, () => {
  let etcd: EtcdProcess;
  let root: string;
  let a: ServerProcess;
  let b: ServerProcess;
  /** Behind a slow link to etcd. */
  let c: ServerProcess;
  let link: SlowLink;

  before(async () => {
    etcd = await startEtcd();
    root = mkdtempSync(join(tmpdir(), "replicas-"));
    const certDir = join(root, "certs");
    link = await startSlowLink(etcd.endpoint, 30);
    const replica = (name: string, etcdServers = etcd.endpoint) =>
      ServerProcess.start({ storage: "etcd", dataDir: join(root, name), certDir, etcdServers });
    [a, b, c] = await Promise.all([replica("a"), replica("b"), replica("c", link.url)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await link?.close();
    await etcd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const label = (replica: ServerProcess) => (replica === a ? "A" : replica === b ? "B" : "C (slow link)");

  it("shows a write through one replica on the others at once, and on a watch in order", async (t) => {
    const collection = `${WARDLE_API}/namespaces/replicas/flunders`;
    const start = (await b.client.request(collection)).json<{ metadata: { resourceVersion: string } }>();
    const watch = await openWatchConnection(
      b.client,
      `${collection}?watch=true&resourceVersion=${start.metadata.resourceVersion}`,
    );
    const history: string[] = [];
    try {
      for (let i = 0; i < ROUND_TRIPS; i++) {
        // Alternate: through A then read B and C, through B then read A and C.
        const [writer, reader] = i % 2 === 0 ? [a, b] : [b, a];
        const readers = [reader, c];
        const name = `r-${i}`;
        const created = await writer.client.request(collection, {
          method: "POST",
          body: flunder(name, { replicas: i, reference: "created" }),
        });
        assert.equal(created.status, 201, created.body);
        const createdRV = created.json<StoredFlunder>().metadata.resourceVersion as string;
        history.push(`ADDED ${name} ${createdRV}`);
        for (const replica of readers) {
          const read = await replica.client.request(`${collection}/${name}`);
          assert.equal(read.status, 200, `replica ${label(replica)} did not see ${name}: ${read.body}`);
          assert.equal(read.json<StoredFlunder>().metadata.resourceVersion, createdRV, label(replica));
        }

        const updated = await writer.client.request(`${collection}/${name}`, {
          method: "PUT",
          body: {
            ...flunder(name, { replicas: i, reference: "updated" }),
            metadata: { name, resourceVersion: createdRV },
          },
        });
        assert.equal(updated.status, 200, updated.body);
        const updatedRV = updated.json<StoredFlunder>().metadata.resourceVersion as string;
        history.push(`MODIFIED ${name} ${updatedRV}`);
        for (const replica of readers) {
          const list = (await replica.client.request(collection)).json<{
            metadata: { resourceVersion: string };
            items: StoredFlunder[];
          }>();
          assert.ok(Number(list.metadata.resourceVersion) >= Number(updatedRV), label(replica));
          const item = list.items.find((x) => x.metadata.name === name);
          assert.equal(item?.spec?.reference, "updated", label(replica));
          assert.equal(item?.metadata.resourceVersion, updatedRV, label(replica));
        }

        if (i % 3 === 0) {
          const deleted = await writer.client.request(`${collection}/${name}`, { method: "DELETE" });
          assert.equal(deleted.status, 200, deleted.body);
          for (const replica of readers) {
            const gone = await replica.client.request(`${collection}/${name}`);
            assert.equal(gone.status, 404, `replica ${label(replica)} still shows deleted ${name}`);
          }
          history.push(`DELETED ${name}`);
        }
      }
      await watch.until((events) => events.length >= history.length);
      const seen = watch.events.map(
        (e) =>
          `${e.type} ${e.object.metadata?.name}${e.type === "DELETED" ? "" : ` ${e.object.metadata?.resourceVersion}`}`,
      );
      assert.deepEqual(seen, history);
      t.diagnostic(`${ROUND_TRIPS * 6} cross-replica reads after writes, ${history.length} watch events checked`);
    } finally {
      watch.close();
    }
  });

  it(
    "kubectl 1.33 get and get -w through replica B see writes made through A",
    { skip: !hasKubectl(33) && "kubectl.1.33 is not installed" },
    async () => {
      const kubectl = new Kubectl(33, join(root, "b", "kubeconfig"));
      const watch = kubectl.spawn(["get", "flunders", "-n", "kubectl", "-w", "--output-watch-events"]);
      try {
        const collection = `${WARDLE_API}/namespaces/kubectl/flunders`;
        // kubectl prints nothing until its initial list: give it one object to show.
        await a.client.request(collection, {
          method: "POST",
          body: flunder("first", { replicas: 1, reference: "a" }),
        });
        await watch.waitFor(/ADDED\s+first\s+a\s+1\s/);
        const created = await a.client.request(collection, {
          method: "POST",
          body: flunder("through-a", { replicas: 2, reference: "from-a" }),
        });
        assert.equal(created.status, 201, created.body);
        const table = await kubectl.ok(["get", "flunder", "through-a", "-n", "kubectl"]);
        assert.match(table, /^through-a\s+from-a\s+2\s+\d+s$/m);
        await watch.waitFor(/ADDED\s+through-a\s+from-a\s+2\s/);
        const patched = await a.client.request(`${collection}/through-a`, {
          method: "PATCH",
          headers: { "Content-Type": "application/merge-patch+json" },
          body: JSON.stringify({ spec: { replicas: 7 } }),
        });
        assert.equal(patched.status, 200, patched.body);
        await watch.waitFor(/MODIFIED\s+through-a\s+from-a\s+7\s/);
        const json = JSON.parse(await kubectl.ok(["get", "flunder", "through-a", "-n", "kubectl", "-o", "json"]));
        assert.equal(json.metadata.resourceVersion, patched.json<StoredFlunder>().metadata.resourceVersion);
      } finally {
        await watch.stop();
        kubectl.dispose();
      }
    },
  );

  it("8 clients × 250 read-modify-write increments through both replicas end at exactly 2,000", async (t) => {
    const result = await runCounter({
      clients: [a.client, b.client],
      namespace: "counter",
      name: "shared",
      workers: 8,
      incrementsPerWorker: COUNTER_INCREMENTS,
    });
    assertLinearizable(result, 8 * COUNTER_INCREMENTS);
    t.diagnostic(`${result.requests} requests, ${result.conflicts} conflicts retried`);
  });
});
