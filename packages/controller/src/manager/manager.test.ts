import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "../log/logger.js";
import { type RestartableServer, startServer } from "../testing/api-server.js";
import { type Flunder, flunder, flunderType } from "../testing/fixtures.js";
import { eventually } from "../testing/wait.js";
import { Manager } from "./manager.js";

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe("Manager", () => {
  let server: RestartableServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  it("serves health, readiness and controller-runtime metrics", async () => {
    const manager = new Manager({ config: await server.restConfig(), logger: silentLogger, serve: { port: 0 } });
    const flunders = manager.client<Flunder>(flunderType);
    await flunders.create(flunder("m1", {}, "metrics"));
    let failOnce = true;
    manager.addController({
      name: "metrics-test",
      for: flunderType,
      maxConcurrentReconciles: 2,
      async reconcile() {
        if (failOnce) {
          failOnce = false;
          throw new Error("first try fails");
        }
      },
    });
    manager.addReadyCheck({ name: "custom", check: () => undefined });
    const running = manager.start();
    try {
      await manager.elected();
      const base = `http://127.0.0.1:${manager.address?.port}`;
      await eventually(
        async () => (await get(`${base}/readyz`)).status === 200,
        () => "never ready",
      );
      const verbose = await get(`${base}/readyz?verbose`);
      assert.match(verbose.body, /\[\+\]shutdown ok/);
      assert.match(verbose.body, /\[\+\]informers-synced ok/);
      assert.match(verbose.body, /\[\+\]custom ok/);
      assert.deepEqual(await get(`${base}/healthz`), { status: 200, body: "ok" });
      assert.equal((await get(`${base}/readyz/custom`)).status, 200);
      assert.equal((await get(`${base}/readyz/nope`)).status, 404);

      let metrics = "";
      await eventually(
        async () => {
          metrics = (await get(`${base}/metrics`)).body;
          return metrics.includes('controller_runtime_reconcile_total{controller="metrics-test",result="success"} 1');
        },
        () => metrics,
      );
      for (const line of [
        'controller_runtime_reconcile_total{controller="metrics-test",result="error"} 1',
        'controller_runtime_reconcile_errors_total{controller="metrics-test"} 1',
        'controller_runtime_terminal_reconcile_errors_total{controller="metrics-test"} 0',
        'controller_runtime_max_concurrent_reconciles{controller="metrics-test"} 2',
        'controller_runtime_reconcile_time_seconds_count{controller="metrics-test"} 2',
        'workqueue_depth{name="metrics-test",controller="metrics-test"} 0',
        'workqueue_adds_total{name="metrics-test",controller="metrics-test"} 2',
        'workqueue_retries_total{name="metrics-test",controller="metrics-test"} 1',
        'workqueue_queue_duration_seconds_count{name="metrics-test",controller="metrics-test"} 2',
        'workqueue_work_duration_seconds_count{name="metrics-test",controller="metrics-test"} 2',
        'workqueue_unfinished_work_seconds{name="metrics-test",controller="metrics-test"} 0',
      ]) {
        assert.ok(metrics.includes(line), `missing ${line}`);
      }
    } finally {
      await manager.stop();
      await running;
    }
  });

  it("is not ready before its caches sync nor while stopping, and waits for reconciles in flight", async () => {
    const manager = new Manager({ config: await server.restConfig(), logger: silentLogger, serve: { port: 0 } });
    const flunders = manager.client<Flunder>(flunderType);
    await flunders.create(flunder("slow", {}, "stopping"));
    let release: () => void = () => {};
    let finished = false;
    let started = false;
    manager.addController({
      name: "slow",
      for: flunderType,
      async reconcile(ctx) {
        started = true;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        finished = ctx.signal.aborted;
      },
    });
    const running = manager.start();
    await eventually(
      () => started,
      () => "no reconcile started",
    );
    const base = `http://127.0.0.1:${manager.address?.port}`;
    assert.equal((await get(`${base}/readyz`)).status, 200);
    const stopping = manager.stop();
    let stopped = false;
    void stopping.then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(stopped, false, "stop waits for the reconcile in flight");
    const during = await get(`${base}/readyz?verbose`);
    assert.equal(during.status, 500);
    assert.match(during.body, /\[-\]shutdown failed: manager is stopping/);
    release();
    await stopping;
    await running;
    assert.equal(finished, true, "the reconcile saw its signal aborted and finished");
  });

  it("reports unsynced informers on /readyz", async () => {
    const manager = new Manager({
      config: { server: "http://127.0.0.1:1" },
      logger: silentLogger,
      serve: { port: 0 },
      informer: { backoff: { initialMs: 10_000 } },
    });
    manager.informer(flunderType);
    const running = manager.start();
    try {
      await eventually(
        () => manager.address !== undefined,
        () => "not serving",
      );
      const res = await get(`http://127.0.0.1:${manager.address?.port}/readyz?verbose`);
      assert.equal(res.status, 500);
      assert.match(res.body, /\[-\]informers-synced failed: not synced: wardle.example.com\/v1alpha1\/flunders/);
    } finally {
      await manager.stop();
      await running;
    }
  });
});
