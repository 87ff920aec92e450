import assert from "node:assert/strict";
import { test } from "node:test";
import { alternate, latencySummary, median, quantile, spread } from "./stats.mjs";

test("median of odd and even counts, unsorted input", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test("quantile interpolates between ranks", () => {
  const values = Array.from({ length: 101 }, (_, i) => i); // 0..100
  assert.equal(quantile(values, 0.99), 99);
  assert.equal(quantile([10, 20], 0.25), 12.5);
  assert.equal(quantile([5], 0.99), 5);
});

test("spread is min and max", () => {
  assert.deepEqual(spread([0.9, 0.7, 0.8]), [0.7, 0.9]);
});

test("alternate flips the order every round", async () => {
  const order = [];
  const { a, b } = await alternate(
    4,
    async (round) => {
      order.push(`a${round}`);
      return round;
    },
    async (round) => {
      order.push(`b${round}`);
      return -round;
    },
  );
  assert.deepEqual(order, ["a0", "b0", "b1", "a1", "a2", "b2", "b3", "a3"]);
  assert.deepEqual(a, [0, 1, 2, 3]);
  assert.deepEqual(b, [-0, -1, -2, -3]);
});

test("latency summary", () => {
  const s = latencySummary([1, 2, 3, 4, 100]);
  assert.equal(s.count, 5);
  assert.equal(s.p50, 3);
  assert.equal(s.max, 100);
  assert.ok(s.p99 > 90 && s.p99 < 100);
});

test("latency summaries of more samples than a call can spread", () => {
  const samples = Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 300_000);
  const summary = latencySummary(samples);
  assert.equal(summary.max, 299_999);
  assert.equal(summary.count, 300_000);
  assert.deepEqual(spread(samples), [0, 299_999]);
});
