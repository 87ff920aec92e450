import assert from "node:assert/strict";
import { test } from "node:test";
import { compileValidationRules } from "../index.js";
import { costErrorMessage } from "./compiler.js";

function errors(schema: Parameters<typeof compileValidationRules>[0]): string[] {
  const r = compileValidationRules(schema);
  return r.ok ? [] : r.errors.map((e) => `${e.field}: ${e.type}: ${e.detail}`);
}

test("compile errors name the rule's place in the schema", () => {
  const errs = errors({
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: { a: { type: "integer" } },
        "x-kubernetes-validations": [{ rule: "self.b == 1" }],
      },
    },
  });
  assert.deepEqual(errs, [
    "openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: FieldValueInvalid: compilation failed: ERROR: <input>:1:6: undefined field 'b'\n | self.b == 1\n | .....^",
  ]);
  const r = compileValidationRules(
    { type: "object", "x-kubernetes-validations": [{ rule: "self.b == 1" }] },
    { schemaPath: "kinds[Widget]" },
  );
  assert.ok(
    !r.ok &&
      r.errors[0]?.field === "kinds[Widget].x-kubernetes-validations[0].rule" &&
      r.errors[0]?.rule === "self.b == 1",
  );
});

test("rule, message, reason and fieldPath are checked as Kubernetes checks a CRD", () => {
  const errs = errors({
    type: "object",
    properties: { a: { type: "integer" } },
    "x-kubernetes-validations": [
      { rule: " " },
      { rule: "true", message: "  " },
      { rule: "true\n&& true" },
      { rule: "true", reason: "FieldValueOops" },
      { rule: "true", fieldPath: ".nope" },
      { rule: "true", optionalOldSelf: true },
      { rule: "self.a == 1", messageExpression: "1" },
    ],
  });
  const at = (i: number) => `openAPIV3Schema.x-kubernetes-validations[${i}]`;
  assert.deepEqual(errs, [
    `${at(0)}.rule: FieldValueRequired: rule is not specified`,
    `${at(1)}.message: FieldValueInvalid: message must be non-empty if specified`,
    `${at(2)}.message: FieldValueRequired: message must be specified if rule contains line breaks`,
    `${at(3)}.reason: FieldValueNotSupported: supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
    `${at(4)}.fieldPath: FieldValueInvalid: fieldPath must be a valid path`,
    `${at(5)}.optionalOldSelf: FieldValueInvalid: may not be set if oldSelf is not used in rule`,
    `${at(6)}.messageExpression: FieldValueInvalid: messageExpression must evaluate to a string`,
  ]);
});

test("a rule too expensive for its schema is refused with Kubernetes' estimate message", () => {
  const errs = errors({
    type: "object",
    properties: {
      l: {
        type: "array",
        items: { type: "string" },
        "x-kubernetes-validations": [{ rule: "self.all(x, self.all(y, x != y))" }],
      },
    },
  });
  assert.equal(
    errs[0],
    `openAPIV3Schema.properties[l].x-kubernetes-validations[0].rule: FieldValueForbidden: ${costErrorMessage("estimated rule cost", 1e13, 1e7)}`,
  );
  assert.match(
    errs[1] ?? "",
    /^openAPIV3Schema: FieldValueForbidden: x-kubernetes-validations estimated rule & messageExpression cost total/,
  );
  assert.deepEqual(
    errors({
      type: "object",
      properties: {
        l: {
          type: "array",
          maxItems: 50,
          items: { type: "string", maxLength: 20 },
          "x-kubernetes-validations": [{ rule: "self.all(x, self.all(y, x != y))" }],
        },
      },
    }),
    [],
  );
});

test("cost factors are printed like Go", () => {
  assert.match(costErrorMessage("c", 12_000_000, 10_000_000), /factor of 1\.200000x/);
  assert.match(costErrorMessage("c", 25_000_000, 10_000_000), /factor of 2\.5x/);
  assert.match(costErrorMessage("c", 2e9, 1e7), /factor of more than 100x/);
});

test("a schema without rules compiles to a validator that finds nothing", () => {
  const r = compileValidationRules({ type: "object", properties: { a: { type: "string" } } });
  assert.ok(r.ok && !r.validator.hasRules);
  assert.deepEqual(r.ok && r.validator.validate({ a: "x" }), { errors: [], warnings: [], cost: 0 });
});
