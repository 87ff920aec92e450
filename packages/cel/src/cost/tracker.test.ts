import assert from "node:assert/strict";
import { test } from "node:test";
import { run } from "../testing/evaluate.js";

const list = { type: "array", items: { type: "integer" } } as const;

test("runtime cost follows cel-go's model", () => {
  // `self` (1) + `size()` (1) + `==` (1): constants are free.
  assert.equal(run("self.size() == 3", [1, 2, 3], list).cost, 3);
  // A list literal costs 10.
  assert.equal(run("[1, 2] == [1, 2]").cost, 21);
  // all(): per element the predicate (x 1, > 1) plus cel-go's loop overhead of 3, and self (1).
  assert.equal(run("self.all(x, x > 0)", [1, 2, 3], list).cost, 1 + 3 * (2 + 3));
});

test("cost grows with the data, string functions by their length", () => {
  const short = run("self.contains('x')", "a".repeat(10), { type: "string" }).cost;
  const long = run("self.contains('x')", "a".repeat(10_000), { type: "string" }).cost;
  assert.ok(long > short * 100, `${short} vs ${long}`);
});

test("an evaluation stops at its limit, even where the engine would swallow the error", () => {
  const big = Array.from({ length: 500 }, (_, i) => i);
  const r = run("self.all(x, self.all(y, y >= 0)) || true", big, list, 10_000);
  assert.ok(!r.ok);
  assert.equal(r.failure.kind, "CostLimitExceeded");
  assert.equal(r.failure.message, "operation cancelled: actual cost limit exceeded");
  assert.ok(r.cost < 20_000, `stopped late: ${r.cost}`);
});
