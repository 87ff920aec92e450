import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "@apiserver-kit/storage/testing";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  it("doubles with jitter up to the cap, forever", () => {
    const clock = new FakeClock();
    const backoff = new Backoff({}, clock, () => 0.5);
    const waits = Array.from({ length: 9 }, () => backoff.next());
    // 800 ms doubling to 30 s, each plus half of itself (jitter 1.0 × random 0.5).
    assert.deepEqual(waits, [1200, 2400, 4800, 9600, 19200, 38400, 45000, 45000, 45000]);
  });

  it("draws jitter between d and 2d", () => {
    const clock = new FakeClock();
    const low = new Backoff({ initialMs: 100 }, clock, () => 0);
    const high = new Backoff({ initialMs: 100 }, clock, () => 0.999);
    assert.equal(low.next(), 100);
    assert.ok(Math.abs(high.next() - 199.9) < 1e-9);
  });

  it("starts over after a quiet spell longer than resetAfterMs", async () => {
    const clock = new FakeClock();
    const backoff = new Backoff({ initialMs: 10, jitter: 0, resetAfterMs: 1000 }, clock);
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [10, 20, 40]);
    await clock.advance(1000);
    assert.equal(backoff.next(), 80, "exactly resetAfterMs since the last wait began: no reset yet");
    await clock.advance(1001);
    assert.equal(backoff.next(), 10);
  });
});
