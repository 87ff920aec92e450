import assert from "node:assert/strict";
import { test } from "node:test";
import { compileError, fails, holds, run } from "../testing/evaluate.js";

const obj = {
  type: "object",
  properties: {
    replicas: { type: "integer" },
    ratio: { type: "number" },
    name: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    labels: { type: "object", additionalProperties: { type: "string" } },
    sub: { type: "object", properties: { x: { type: "integer" } } },
  },
} as const;

test("macros: has, all, exists, exists_one, map, filter", () => {
  const self = { replicas: 2, tags: ["a", "b"], labels: { app: "x" } };
  holds("has(self.replicas) && !has(self.name) && !has(self.sub)", self, obj);
  holds("self.tags.all(t, t.size() == 1) && self.tags.exists(t, t == 'b')", self, obj);
  holds("self.tags.exists_one(t, t == 'a') && !['a', 'a'].exists_one(t, t == 'a')", self, obj);
  holds("self.tags.map(t, t + '!') == ['a!', 'b!'] && self.tags.filter(t, t != 'a') == ['b']", self, obj);
  holds("self.tags.map(t, t != 'a', t.upperAscii()) == ['B']", self, obj);
  holds("self.labels.all(k, self.labels[k] == 'x') && 'app' in self.labels", self, obj);
  holds("cel.bind(n, self.replicas * 2, n == 4)", self, obj);
});

test("optional types", () => {
  holds("self.?sub.?x.orValue(7) == 7", { replicas: 1 }, obj);
  holds("self.?sub.?x.orValue(7) == 3", { sub: { x: 3 } }, obj);
  holds("self.labels[?'missing'].hasValue() == false", { labels: {} }, obj);
  holds("optional.of(1).value() == 1 && !optional.none().hasValue()");
  holds("optional.ofNonZeroValue('').orValue('default') == 'default'");
});

test("ints, doubles and their comparison", () => {
  holds("self.replicas / 2 == 1 && self.replicas % 2 == 1", { replicas: 3 }, obj);
  holds("self.ratio < 1 && self.replicas < self.ratio", { replicas: 0, ratio: 0.5 }, obj);
  assert.match(fails("self.replicas + 9223372036854775807 > 0", { replicas: 1 }, obj), /integer overflow/);
  assert.match(fails("self.replicas / 0 == 1", { replicas: 1 }, obj), /division by zero/);
  assert.match(fails("self.tags[5] == 'x'", { tags: [] }, obj), /index '5' out of range in list/);
  assert.match(fails("self.sub.x == 1", {}, obj), /no such key: sub/);
});

test("the checker refuses unknown fields, wrong types and non-bool rules", () => {
  assert.match(compileError("self.nope == 1", obj), /undefined field 'nope'/);
  assert.match(compileError("has(self.sub.nope)", obj), /undefined field 'nope'/);
  assert.match(compileError("self.replicas == 'x'", obj), /no such overload: int == string/);
  assert.match(
    compileError("self.name.startsWith(1)", obj),
    /found no matching overload for 'string.startsWith\(int\)'/,
  );
  assert.match(compileError("self.replicas", obj), /cel expression must evaluate to a bool/);
  assert.match(compileError("nope > 1", obj), /undeclared reference to 'nope'/);
  assert.match(compileError("self.tags.all(t, t > 1)", obj), /no such overload: string > int/);
  assert.match(compileError("self.replicas ==", obj), /compilation failed: ERROR: <input>:1:/);
});

test("objects compare structurally", () => {
  const r = run("self.sub == self.sub && self.tags == ['a']", { sub: { x: 1 }, tags: ["a"] }, obj);
  assert.deepEqual(r.ok && r.value, true);
  holds("self.sub != null", { sub: { x: 1 } }, obj);
});
