/**
 * Show 2: the informer survives its server. A restart during a stream of writes is
 * reconnected and every object ends reconciled at its latest generation; a watch from a
 * compacted resourceVersion (410) makes it relist; a watch that goes silent is detected
 * by the watchdog and reopened.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isNotFound, TransportError } from "../client/errors.js";
import { ResourceClient } from "../client/resource-client.js";
import { RestClient } from "../client/rest-client.js";
import { type RestConfig, restConfigFromKubeconfigFile } from "../client/rest-config.js";
import { Informer } from "../informer/informer.js";
import { silentLogger } from "../log/logger.js";
import { Manager } from "../manager/manager.js";
import { requestKey } from "../objects/keys.js";
import { startServer } from "../testing/api-server.js";
import { type Flunder, flunder, flunderType } from "../testing/fixtures.js";
import { readyController } from "../testing/ready-controller.js";
import { eventually } from "../testing/wait.js";
import { ItemExponentialFailureRateLimiter } from "../workqueue/rate-limiters.js";

const fastInformer = { backoff: { initialMs: 20, maxMs: 300 }, watchIdleTimeoutMs: 10_000 };

/** Retries a write while the server is away (the writer is a client like any other). */
async function write<T>(attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const SERVER_PROCESS = fileURLToPath(new URL("../testing/server-process-main.js", import.meta.url));

/** The test server in its own process on SQLite in `dataDir`; resolves once it listens. */
async function serverProcess(
  dataDir: string,
  port = 0,
): Promise<{ child: ChildProcess; kubeconfig: string; port: number }> {
  const child = spawn(process.execPath, [SERVER_PROCESS, dataDir, String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf("\n");
      if (newline >= 0) resolve(out.slice(0, newline));
    });
    child.once("exit", (code) => reject(new Error(`the server process exited (${code}):\n${err}`)));
  });
  return { child, ...(JSON.parse(line) as { kubeconfig: string; port: number }) };
}

function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGKILL");
  return exited;
}

async function allReconciled(client: ResourceClient<Flunder>): Promise<{ done: boolean; lagging: string[] }> {
  const list = await client.list({ namespace: "default" });
  const lagging = list.items
    .filter((f) => f.status?.observedGeneration !== f.metadata?.generation)
    .map((f) => `${f.metadata?.name}: generation ${f.metadata?.generation}, observed ${f.status?.observedGeneration}`);
  return { done: lagging.length === 0, lagging };
}

describe("reconnecting", () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function managerFor(server: { restConfig(): Promise<RestConfig> }) {
    const manager = new Manager({ config: await server.restConfig(), logger: silentLogger, informer: fastInformer });
    const { spec, log } = readyController(manager.client<Flunder>(flunderType), {
      maxConcurrentReconciles: 4,
      rateLimiter: new ItemExponentialFailureRateLimiter(5, 300),
    });
    manager.addController(spec);
    const running = manager.start();
    cleanups.push(async () => {
      await manager.stop();
      await running;
    });
    return { manager, log };
  }

  it("reconnects after a server restart during a stream of writes; every object ends at its latest generation", async () => {
    const server = await startServer();
    cleanups.push(() => server.dispose());
    const { manager } = await managerFor(server);
    const writerRest = new RestClient(await server.restConfig());
    cleanups.push(async () => writerRest.close());
    const writer = new ResourceClient<Flunder>(writerRest, flunderType);

    const names = Array.from({ length: 20 }, (_, i) => `f${i}`);
    for (const name of names) await write(() => writer.create(flunder(name, { color: "c0" })));
    let restarted = false;
    for (let i = 1; i <= 200; i++) {
      const name = names[i % names.length] as string;
      await write(() => writer.patch({ namespace: "default", name }, { spec: { color: `c${i}` } }));
      if (i === 80) {
        await server.stop();
        // Writes keep coming while the server is away (they wait for it, as clients do).
        setTimeout(async () => {
          await server.start();
          restarted = true;
        }, 300);
      }
    }
    assert.equal(restarted, true);
    const informer = manager.informer<Flunder>(flunderType);
    await eventually(
      async () => (await allReconciled(writer)).done,
      () => `not reconciled: ${JSON.stringify(informer.stats)}`,
    );
    const final = await writer.list({ namespace: "default" });
    assert.equal(final.items.length, 20);
    for (const item of final.items) {
      assert.ok((item.metadata?.generation ?? 0) > 1);
      assert.equal(item.status?.observedGeneration, item.metadata?.generation);
      assert.equal(
        informer.store.get(requestKey({ namespace: "default", name: item.metadata?.name ?? "" }))?.spec?.color,
        item.spec?.color,
      );
    }
    assert.ok(informer.stats.failures >= 1, "the outage was noticed");
    assert.ok(informer.stats.watches >= 2, "the watch was reopened");
    assert.equal(informer.stats.expiredRelists, 0, "the server kept its history: the watch resumed without a relist");
  });

  it("reconnects after kill -9 of the server process during a stream of writes", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "controller-kill-"));
    let current = await serverProcess(dataDir);
    cleanups.push(async () => {
      await kill9(current.child);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const config = () => restConfigFromKubeconfigFile(current.kubeconfig);
    const { manager } = await managerFor({ restConfig: config });
    const writerRest = new RestClient(await config());
    cleanups.push(async () => writerRest.close());
    const writer = new ResourceClient<Flunder>(writerRest, flunderType);

    const names = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const name of names) await write(() => writer.create(flunder(name, { color: "c0" })));
    let restarted: Promise<void> | undefined;
    for (let i = 1; i <= 100; i++) {
      const name = names[i % names.length] as string;
      await write(() => writer.patch({ namespace: "default", name }, { spec: { color: `c${i}` } }));
      if (i === 40) {
        // No shutdown: the process dies with its connections open; writes wait for the new one.
        await kill9(current.child);
        restarted = new Promise((resolve) => setTimeout(resolve, 300)).then(async () => {
          current = await serverProcess(dataDir, current.port);
        });
      }
    }
    await restarted;
    const informer = manager.informer<Flunder>(flunderType);
    await eventually(
      async () => (await allReconciled(writer)).done,
      () => `not reconciled: ${JSON.stringify(informer.stats)}`,
    );
    const final = await writer.list({ namespace: "default" });
    assert.equal(final.items.length, 10);
    for (const item of final.items) {
      assert.equal(item.status?.observedGeneration, item.metadata?.generation);
      assert.equal(
        informer.store.get(requestKey({ namespace: "default", name: item.metadata?.name ?? "" }))?.spec?.color,
        item.spec?.color,
      );
    }
    assert.ok(informer.stats.failures >= 1, "the killed connection was noticed");
    assert.ok(informer.stats.watches >= 2, "the watch was reopened");
  });

  it("relists after a 410 Expired, and reconciles what changed while it was away", async () => {
    const server = await startServer();
    cleanups.push(() => server.dispose());
    const { manager } = await managerFor(server);
    const informer = manager.informer<Flunder>(flunderType);
    const deleted: string[] = [];
    informer.addEventHandler({ onDelete: (f, unknown) => deleted.push(`${f.metadata?.name}:${unknown}`) });
    const rest = new RestClient(await server.restConfig());
    cleanups.push(async () => rest.close());
    const client = new ResourceClient<Flunder>(rest, flunderType);
    for (const name of ["a", "b", "c"]) await client.create(flunder(name));
    await eventually(
      async () => (await allReconciled(client)).done && informer.store.size === 3,
      () => "initial objects not reconciled",
    );
    const syncsBefore = informer.stats.syncs;

    // The controller's server goes away; another server on the same storage takes writes, then history is compacted.
    await server.stop();
    const other = await startServer({ storage: server.storage });
    cleanups.push(() => other.stop());
    const otherRest = new RestClient(await other.restConfig());
    cleanups.push(async () => otherRest.close());
    const otherClient = new ResourceClient<Flunder>(otherRest, flunderType);
    await otherClient.create(flunder("d"));
    await otherClient.patch({ namespace: "default", name: "a" }, { spec: { color: "blue" } });
    await otherClient.delete({ namespace: "default", name: "b" });
    await server.storage.compact(await server.storage.currentRevision());
    await server.start();

    await eventually(
      async () => informer.stats.expiredRelists >= 1 && informer.store.size === 3 && (await allReconciled(client)).done,
      () => `no relist: ${JSON.stringify(informer.stats)}, store ${informer.store.keys()}`,
    );
    assert.ok(informer.stats.syncs > syncsBefore, "the store was replaced with a fresh state");
    assert.deepEqual(informer.store.keys().sort(), ["default/a", "default/c", "default/d"]);
    assert.equal(informer.store.get("default/a")?.spec?.color, "blue");
    assert.deepEqual(deleted, ["b:true"], "b vanished while away: deleted with its final state unknown");
    const a = await client.get({ namespace: "default", name: "a" });
    assert.equal(a.status?.observedGeneration, 2);
    await assert.rejects(client.get({ namespace: "default", name: "b" }), isNotFound);
  });

  it("restarts a watch that went silent", async () => {
    const watches: ServerResponse[] = [];
    const closed: number[] = [];
    const silent = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.searchParams.get("watch") !== "true") {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(
          JSON.stringify({
            kind: "FlunderList",
            apiVersion: "wardle.example.com/v1alpha1",
            metadata: { resourceVersion: "5" },
            items: [],
          }),
        );
        return;
      }
      const index = watches.length;
      watches.push(res);
      res.on("close", () => closed.push(index));
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      // The first watch is held open in silence; the second one delivers.
      if (index > 0) {
        const object = { ...flunder("late"), metadata: { name: "late", namespace: "default", resourceVersion: "6" } };
        res.write(`${JSON.stringify({ type: "ADDED", object })}\n`);
      }
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          silent.closeAllConnections();
          silent.close(() => resolve());
        }),
    );
    const rest = new RestClient({ server: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
    cleanups.push(async () => rest.close());
    const informer = new Informer<Flunder>(new ResourceClient<Flunder>(rest, flunderType), {
      watchList: false,
      watchIdleTimeoutMs: 300,
      backoff: { initialMs: 20 },
    });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    cleanups.push(async () => {
      abort.abort();
      await running;
    });
    await eventually(
      () => informer.store.get("default/late") !== undefined,
      () => `stats ${JSON.stringify(informer.stats)}`,
    );
    assert.equal(informer.stats.idleRestarts, 1);
    assert.equal(informer.stats.watches, 2);
    assert.equal(informer.stats.lists, 1, "a silent watch is reopened, not relisted");
    assert.equal(informer.stats.lastSyncResourceVersion, "6");
    await eventually(
      () => closed.includes(0),
      () => "the silent connection was not closed",
    );
  });
});
