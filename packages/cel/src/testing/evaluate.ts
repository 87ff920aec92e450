import assert from "node:assert/strict";
import { NodeEnvironments } from "../compile/compiler.js";
import { compileExpression, type EvaluationOutcome } from "../compile/program.js";
import { PER_CALL_LIMIT } from "../cost/limits.js";
import { schemaDeclType } from "../schema/decl.js";
import type { CelSchema } from "../schema/schema.js";
import { toCelValue } from "../schema/values.js";

// Test helpers: run one expression through the whole pipeline (type check against the schema,
// evaluation environment, cost tracking) with `self` bound to a JSON value.

const dyn: CelSchema = { "x-kubernetes-preserve-unknown-fields": true };

export function run(
  expr: string,
  self: unknown = null,
  schema: CelSchema = dyn,
  limit = PER_CALL_LIMIT,
): EvaluationOutcome {
  const decl = schemaDeclType(schema, false);
  const program = compileExpression(expr, new NodeEnvironments(decl).get(false), "rule");
  if (typeof program === "string") assert.fail(`${expr}: ${program}`);
  return program.evaluate({ self: toCelValue(self, decl), oldSelf: null }, limit);
}

/** Asserts that a bool expression evaluates to true. */
export function holds(expr: string, self?: unknown, schema?: CelSchema): void {
  const r = run(expr, self, schema);
  assert.ok(r.ok, `${expr}: ${r.ok ? "" : r.failure.message}`);
  assert.equal(r.value, true, `${expr} evaluated to ${String(r.value)}`);
}

/** The message an expression's evaluation fails with. */
export function fails(expr: string, self?: unknown, schema?: CelSchema): string {
  const r = run(expr, self, schema);
  assert.ok(!r.ok, `${expr} should fail but gave ${String(r.ok && r.value)}`);
  return r.failure.message;
}

/** The compile error of an expression, checked against schema. */
export function compileError(expr: string, schema: CelSchema = dyn): string {
  const program = compileExpression(expr, new NodeEnvironments(schemaDeclType(schema, false)).get(false), "rule");
  assert.equal(typeof program, "string", `${expr} should not compile`);
  return program as string;
}
