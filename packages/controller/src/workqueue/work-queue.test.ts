import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "@apiserver-kit/storage/testing";
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from "./rate-limiters.js";
import { WorkQueue, type WorkQueueMetrics } from "./work-queue.js";

/** Resolves whether a promise settled by the time pending callbacks ran. */
async function settled<T>(promise: Promise<T>): Promise<{ done: boolean; value?: T }> {
  let result: { done: boolean; value?: T } = { done: false };
  void promise.then((value) => {
    result = { done: true, value };
  });
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

describe("WorkQueue", () => {
  it("merges adds of an item that is waiting", async () => {
    const queue = new WorkQueue<string>({ clock: new FakeClock() });
    queue.add("a");
    queue.add("b");
    queue.add("a");
    queue.add("a");
    assert.equal(queue.len(), 2);
    assert.equal(await queue.get(), "a");
    assert.equal(await queue.get(), "b");
    assert.equal(queue.len(), 0);
  });

  it("never hands an item to two workers at once; re-adds while processing merge into one", async () => {
    const queue = new WorkQueue<string>({ clock: new FakeClock() });
    queue.add("a");
    const first = await queue.get();
    assert.equal(first, "a");
    queue.add("a");
    queue.add("a");
    assert.equal(queue.len(), 0, "a processing item is not queued again");
    const second = queue.get();
    assert.equal((await settled(second)).done, false, "a second worker waits while a is processing");
    queue.done("a");
    assert.equal(await second, "a", "done() puts the re-added item back once");
    queue.done("a");
    assert.equal(queue.len(), 0);
    assert.equal((await settled(queue.get())).done, false, "nothing left: the three adds became one");
  });

  it("keeps one key out of two workers while many workers churn", async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue<string>({ clock });
    const active = new Set<string>();
    const processed: string[] = [];
    let overlaps = 0;
    const worker = async () => {
      for (;;) {
        const item = await queue.get();
        if (item === undefined) return;
        if (active.has(item)) overlaps++;
        active.add(item);
        // Re-adds arrive while the item is processing.
        queue.add(item);
        await new Promise((resolve) => setImmediate(resolve));
        active.delete(item);
        processed.push(item);
        queue.done(item);
        if (processed.length >= 40) queue.shutDown();
      }
    };
    for (const key of ["a", "b", "c"]) queue.add(key);
    await Promise.all([worker(), worker(), worker(), worker(), worker()]);
    assert.equal(overlaps, 0);
    assert.ok(processed.length >= 40);
    for (const key of ["a", "b", "c"]) assert.ok(processed.includes(key));
  });

  it("waits for delayed adds; the earliest time for an item wins", async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue<string>({ clock });
    queue.addAfter("a", 100);
    queue.addAfter("a", 50);
    queue.addAfter("a", 200);
    queue.addAfter("b", 30);
    queue.addAfter("c", 0);
    assert.equal(queue.len(), 1, "a zero delay adds at once");
    assert.equal(await queue.get(), "c");
    assert.equal(queue.waitingLen(), 2);
    await clock.advance(29);
    assert.equal(queue.len(), 0);
    await clock.advance(1);
    assert.equal(queue.len(), 1);
    assert.equal(await queue.get(), "b");
    await clock.advance(19);
    assert.equal(queue.len(), 0);
    await clock.advance(1);
    assert.equal(await queue.get(), "a");
    await clock.advance(1000);
    assert.equal(queue.len(), 0, "the later times for a were merged away");
    assert.equal(queue.waitingLen(), 0);
  });

  it("follows the exact per-item backoff sequence and forgets on success", async () => {
    const clock = new FakeClock();
    const limiter = new ItemExponentialFailureRateLimiter<string>(5, 1_000);
    const queue = new WorkQueue<string>({ clock, rateLimiter: limiter });
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = clock.now();
      queue.addRateLimited("a");
      while (queue.len() === 0) await clock.advance(1);
      delays.push(clock.now() - start);
      assert.equal(await queue.get(), "a");
      queue.done("a");
    }
    assert.deepEqual(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    assert.equal(queue.numRequeues("a"), 10);
    queue.forget("a");
    assert.equal(queue.numRequeues("a"), 0);
    assert.equal(limiter.when("a"), 5, "after forget the backoff starts over");
    assert.equal(limiter.when("b"), 5, "items back off independently");
  });

  it("rate-limits all items together with a token bucket", async () => {
    const clock = new FakeClock();
    const bucket = new BucketRateLimiter<string>(10, 100, clock);
    const first = Array.from({ length: 100 }, (_, i) => bucket.when(`item-${i}`));
    assert.deepEqual(new Set(first), new Set([0]), "a full bucket: the burst goes at once");
    assert.equal(bucket.when("x"), 100);
    assert.equal(bucket.when("y"), 200);
    assert.equal(bucket.when("z"), 300);
    await clock.advance(1000);
    // 10 tokens came back, 3 were owed: 7 left, so the 7th call waits nothing and the 8th 100 ms.
    const after = Array.from({ length: 8 }, () => bucket.when("w"));
    assert.deepEqual(after, [0, 0, 0, 0, 0, 0, 0, 100]);

    const queue = new WorkQueue<string>({ clock, rateLimiter: defaultControllerRateLimiter(clock) });
    for (let i = 0; i < 101; i++) queue.addRateLimited(`k${i}`);
    await clock.advance(5);
    assert.equal(queue.len(), 100, "the first 100 retries wait the per-item 5 ms");
    await clock.advance(94);
    assert.equal(queue.len(), 100);
    await clock.advance(1);
    assert.equal(queue.len(), 101, "the 101st waits for the bucket: 100 ms");
  });

  it("takes the maximum of several limiters", () => {
    const clock = new FakeClock();
    const limiter = new MaxOfRateLimiter<string>(
      new ItemExponentialFailureRateLimiter(1, 10_000),
      new BucketRateLimiter(1, 1, clock),
    );
    assert.equal(limiter.when("a"), 1);
    assert.equal(limiter.when("a"), 1000, "the bucket is empty: 1 s");
    assert.equal(limiter.numRequeues("a"), 2);
    limiter.forget("a");
    assert.equal(limiter.numRequeues("a"), 0);
  });

  it("drains on shutdown: adds are ignored, queued items still come out, in-flight work finishes", async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue<string>({ clock });
    queue.add("a");
    queue.add("b");
    queue.addAfter("later", 10);
    const a = await queue.get();
    assert.equal(a, "a");
    const drained = queue.shutDownWithDrain();
    assert.equal(queue.shuttingDown, true);
    queue.add("c");
    queue.addAfter("d", 1);
    await clock.advance(100);
    assert.equal(queue.len(), 1, "only b: c, d and the pending delayed add are dropped");
    assert.equal((await settled(drained)).done, false, "a is still processing");
    assert.equal(await queue.get(), "b");
    queue.done("a");
    assert.equal((await settled(drained)).done, false, "b is still processing");
    queue.done("b");
    assert.equal((await settled(drained)).done, true);
    assert.equal(await queue.get(), undefined, "shut down and empty");
  });

  it("releases blocked workers on shutdown", async () => {
    const queue = new WorkQueue<string>({ clock: new FakeClock() });
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
  });

  it("reports adds, gets, dones and retries to its metrics", async () => {
    const calls: string[] = [];
    const metrics: WorkQueueMetrics<string> = {
      add: (item) => calls.push(`add ${item}`),
      get: (item, queuedSeconds) => calls.push(`get ${item} after ${queuedSeconds}s`),
      done: (item) => calls.push(`done ${item}`),
      retry: () => calls.push("retry"),
    };
    const clock = new FakeClock();
    const queue = new WorkQueue<string>({ clock, metrics });
    queue.add("a");
    await clock.advance(250);
    queue.add("a");
    await clock.advance(250);
    await queue.get();
    queue.addAfter("a", 5);
    await clock.advance(5);
    await clock.advance(1000);
    queue.done("a");
    assert.equal(await queue.get(), "a");
    // The queue time runs from when the item became dirty: the first add, then the delayed add
    // that came while it was processing (not from done, when it went back in the queue).
    assert.deepEqual(calls, ["add a", "get a after 0.5s", "retry", "add a", "done a", "get a after 1s"]);
  });
});
