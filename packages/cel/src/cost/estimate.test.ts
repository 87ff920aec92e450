import assert from "node:assert/strict";
import { test } from "node:test";
import { NodeEnvironments } from "../compile/compiler.js";
import { compileExpression } from "../compile/program.js";
import { schemaDeclType } from "../schema/decl.js";
import type { CelSchema } from "../schema/schema.js";

function estimate(expr: string, schema: CelSchema): number {
  const p = compileExpression(expr, new NodeEnvironments(schemaDeclType(schema, false)).get(false), "rule");
  if (typeof p === "string") assert.fail(p);
  return p.estimatedCost;
}

const strings = (maxItems?: number, maxLength?: number): CelSchema => ({
  type: "array",
  ...(maxItems === undefined ? {} : { maxItems }),
  items: { type: "string", ...(maxLength === undefined ? {} : { maxLength }) },
});

test("bounded lists and strings give small estimates", () => {
  const c = estimate("self.all(x, x.startsWith('a'))", strings(10, 10));
  // 10 items x (x 1 + startsWith ceil(40 x 0.1) + overhead 3) + self 1
  assert.equal(c, 1 + 10 * (1 + 4 + 3));
});

test("nested loops over unbounded lists are estimated far beyond the limit", () => {
  assert.ok(estimate("self.all(x, self.all(y, x != y))", strings()) > 1e12);
  assert.ok(estimate("self.all(x, self.all(y, x != y))", strings(100, 10)) < 1e6);
});

test("estimates are upper bounds of actual costs", () => {
  const schema = strings(20, 5);
  const e = estimate("self.exists(x, x == 'zz') && self.size() > 0", schema);
  assert.ok(e >= 20 * 5 && e < 1000, `${e}`);
});
