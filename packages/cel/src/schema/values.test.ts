import assert from "node:assert/strict";
import { test } from "node:test";
import { schemaDeclType } from "./decl.js";
import { parseDuration, toCelValue, toDynValue } from "./values.js";

test("values follow the schema: ints as bigint, numbers as doubles, escaped property names", () => {
  const decl = schemaDeclType(
    {
      type: "object",
      properties: {
        n: { type: "integer" },
        d: { type: "number" },
        "a-b": { type: "string" },
        t: { type: "string", format: "date-time" },
        hidden: { type: "object" },
      },
    },
    false,
  );
  const v = toCelValue({ n: 3, d: 2, "a-b": "x", t: "2024-01-02T03:04:05Z", extra: 1 }, decl) as Record<
    string,
    unknown
  >;
  assert.equal(v.n, 3n);
  assert.equal(v.d, 2);
  assert.equal(v.a__dash__b, "x");
  assert.ok(v.t instanceof Date);
  assert.equal("extra" in v, false);
});

test("schemaless values: integers are ints, fractions doubles", () => {
  assert.deepEqual(
    toDynValue({ a: [1, 1.5, "x", null] }),
    Object.assign(Object.create(null), { a: [1n, 1.5, "x", null] }),
  );
});

test("Go durations", () => {
  const d = parseDuration("1h30m") as unknown as { getMinutes(): bigint };
  assert.equal(d.getMinutes(), 90n);
  assert.equal((parseDuration("1.5s") as unknown as { getMilliseconds(): bigint }).getMilliseconds(), 1500n);
  assert.equal(parseDuration("nope"), undefined);
  assert.equal(parseDuration(""), undefined);
});
