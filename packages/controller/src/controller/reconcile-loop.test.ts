import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "@apiserver-kit/storage/testing";
import { Registry } from "prom-client";
import { ControllerMetrics } from "../metrics/metrics.js";
import type { Request } from "../objects/keys.js";
import { type Reconciler, TerminalError } from "../reconcile/reconcile.js";
import { ItemExponentialFailureRateLimiter } from "../workqueue/rate-limiters.js";
import { WorkQueue } from "../workqueue/work-queue.js";
import { ReconcileLoop } from "./reconcile-loop.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

function setup(reconcile: Reconciler, maxConcurrentReconciles = 1) {
  const clock = new FakeClock();
  const registry = new Registry();
  const metrics = new ControllerMetrics(registry, clock);
  const queue = new WorkQueue<string>({
    clock,
    rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000),
    metrics: metrics.workQueueMetrics("test"),
  });
  const loop = new ReconcileLoop({ name: "test", reconcile, queue, clock, metrics, maxConcurrentReconciles });
  const abort = new AbortController();
  const running = loop.run(abort.signal);
  const stop = async () => {
    abort.abort();
    await running;
  };
  const value = async (name: string, labels: Record<string, string>) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const found = (metric?.values as Array<{ labels: Record<string, string>; value: number }> | undefined)?.find((v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    );
    return found?.value;
  };
  return { clock, queue, stop, value };
}

describe("ReconcileLoop", () => {
  it("gives every reconcile its own UUID-shaped id, and each loop its own", async () => {
    const ids: string[] = [];
    const first = setup(async (ctx) => {
      ids.push(ctx.reconcileId);
    });
    const second = setup(async (ctx) => {
      ids.push(ctx.reconcileId);
    });
    for (const name of ["a", "b", "c"]) first.queue.add(`ns/${name}`);
    second.queue.add("ns/a");
    await tick();
    first.queue.add("ns/a");
    await tick();
    await first.stop();
    await second.stop();
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5, `ids repeat: ${ids}`);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("retries an error with per-item backoff, then forgets it on success", async () => {
    const calls: number[] = [];
    let failuresLeft = 3;
    const { clock, queue, stop, value } = setup(async () => {
      calls.push(clock.now());
      if (failuresLeft-- > 0) throw new Error("not yet");
    });
    const start = clock.now();
    queue.add("ns/a");
    await tick();
    await clock.advance(5);
    await clock.advance(10);
    await clock.advance(20);
    assert.deepEqual(
      calls.map((t) => t - start),
      [0, 5, 15, 35],
      "retried after 5, 10 and 20 ms",
    );
    assert.equal(queue.numRequeues("ns/a"), 0, "success forgot the failures");
    assert.equal(await value("controller_runtime_reconcile_total", { controller: "test", result: "error" }), 3);
    assert.equal(await value("controller_runtime_reconcile_total", { controller: "test", result: "success" }), 1);
    assert.equal(await value("controller_runtime_reconcile_errors_total", { controller: "test" }), 3);
    assert.equal(await value("workqueue_retries_total", { name: "test", controller: "test" }), 3);
    await stop();
  });

  it("counts a TerminalError and never retries it, also when it is the cause", async () => {
    const seen: string[] = [];
    const { clock, queue, stop, value } = setup(async (_ctx, request) => {
      seen.push(request.name);
      if (request.name === "bad") throw new TerminalError("spec.size must be even");
      throw new Error("wrapped", { cause: new TerminalError("inner") });
    });
    queue.add("ns/bad");
    queue.add("ns/wrapped");
    await tick();
    await clock.advance(10_000);
    assert.deepEqual(seen, ["bad", "wrapped"]);
    assert.equal(queue.waitingLen(), 0);
    assert.equal(await value("controller_runtime_terminal_reconcile_errors_total", { controller: "test" }), 2);
    assert.equal(await value("controller_runtime_reconcile_errors_total", { controller: "test" }), 2);
    await stop();
  });

  it("requeues after the asked time, resetting the backoff", async () => {
    const calls: number[] = [];
    let attempt = 0;
    const { clock, queue, stop, value } = setup(async () => {
      calls.push(clock.now());
      attempt++;
      if (attempt === 1) throw new Error("once");
      if (attempt === 2) return { requeueAfter: 1000 };
      return {};
    });
    const start = clock.now();
    queue.add("a");
    await tick();
    await clock.advance(5);
    assert.equal(queue.numRequeues("a"), 0, "requeueAfter forgot the failure");
    await clock.advance(999);
    assert.equal(calls.length, 2);
    await clock.advance(1);
    assert.deepEqual(
      calls.map((t) => t - start),
      [0, 5, 1005],
    );
    assert.equal(await value("controller_runtime_reconcile_total", { controller: "test", result: "requeue_after" }), 1);
    await stop();
  });

  it("runs at most maxConcurrentReconciles at once and never one key twice", async () => {
    let active = 0;
    let peak = 0;
    const activeKeys = new Set<string>();
    let overlap = false;
    const release: Array<() => void> = [];
    const done: Request[] = [];
    const { queue, stop } = setup(async (_ctx, request) => {
      const key = request.name;
      if (activeKeys.has(key)) overlap = true;
      activeKeys.add(key);
      active++;
      peak = Math.max(peak, active);
      await new Promise<void>((resolve) => release.push(resolve));
      active--;
      activeKeys.delete(key);
      done.push(request);
    }, 3);
    for (const name of ["a", "b", "c", "d", "e"]) queue.add(name);
    await tick();
    assert.equal(active, 3);
    queue.add("a");
    queue.add("a");
    while (done.length < 6) {
      release.shift()?.();
      await tick();
    }
    assert.equal(peak, 3);
    assert.equal(overlap, false);
    assert.deepEqual(
      done.map((r) => r.name).sort(),
      ["a", "a", "b", "c", "d", "e"],
      "a ran again once, after its first run",
    );
    await stop();
  });

  it("stops: reconciles in flight see the signal and finish, queued keys are not started", async () => {
    let sawAbort = false;
    let started = 0;
    let unblock: () => void = () => {};
    const { queue, stop } = setup(async (ctx) => {
      started++;
      await new Promise<void>((resolve) => {
        unblock = resolve;
      });
      sawAbort = ctx.signal.aborted;
    });
    queue.add("a");
    queue.add("b");
    await tick();
    const stopping = stop();
    await tick();
    unblock();
    await stopping;
    assert.equal(sawAbort, true);
    assert.equal(started, 1);
  });
});
