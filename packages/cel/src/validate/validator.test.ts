import assert from "node:assert/strict";
import { test } from "node:test";
import { type CelSchema, type CompileOptions, compileValidationRules, type RuleValidator } from "../index.js";

function validator(schema: CelSchema, options?: CompileOptions): RuleValidator {
  const r = compileValidationRules(schema, options);
  if (!r.ok) assert.fail(r.errors.map((e) => `${e.field}: ${e.detail}`).join("\n"));
  return r.validator;
}

const spec = (props: Record<string, CelSchema>, rules: CelSchema["x-kubernetes-validations"]): CelSchema => ({
  type: "object",
  properties: {
    metadata: { type: "object" },
    spec: { type: "object", properties: props, "x-kubernetes-validations": rules },
  },
});

test("a cross-field rule fails with its message at the rule's field", () => {
  const v = validator(
    spec({ replicas: { type: "integer" }, minReplicas: { type: "integer" } }, [
      { rule: "self.minReplicas <= self.replicas", message: "minReplicas must not exceed replicas" },
    ]),
  );
  assert.deepEqual(v.validate({ spec: { replicas: 3, minReplicas: 1 } }).errors, []);
  assert.deepEqual(v.validate({ spec: { replicas: 1, minReplicas: 3 } }).errors, [
    { type: "FieldValueInvalid", field: "spec", badValue: "object", detail: "minReplicas must not exceed replicas" },
  ]);
});

test("rules on the object itself report at <nil>, and a rule without message reports the rule", () => {
  const v = validator({
    type: "object",
    "x-kubernetes-validations": [{ rule: "self.metadata.name.startsWith('my-')" }],
  });
  assert.deepEqual(v.validate({ metadata: { name: "x" } }).errors, [
    {
      type: "FieldValueInvalid",
      field: "<nil>",
      badValue: "object",
      detail: "failed rule: self.metadata.name.startsWith('my-')",
    },
  ]);
});

test("transition rules run only on update, against the old value", () => {
  const v = validator(
    spec({ replicas: { type: "integer" } }, [
      { rule: "self.replicas >= oldSelf.replicas", message: "replicas may not decrease" },
    ]),
  );
  assert.deepEqual(v.validate({ spec: { replicas: 1 } }).errors, []);
  assert.deepEqual(v.validate({ spec: { replicas: 3 } }, { spec: { replicas: 2 } }).errors, []);
  assert.equal(
    v.validate({ spec: { replicas: 1 } }, { spec: { replicas: 2 } }).errors[0]?.detail,
    "replicas may not decrease",
  );
  // No old spec at all: the transition rule doesn't run.
  assert.deepEqual(v.validate({ spec: { replicas: 1 } }, { metadata: {} }).errors, []);
});

test("optionalOldSelf runs the rule on create with oldSelf = optional.none()", () => {
  const v = validator(
    spec({ replicas: { type: "integer" } }, [
      {
        rule: "oldSelf.hasValue() ? self.replicas >= oldSelf.value().replicas : self.replicas <= 10",
        optionalOldSelf: true,
        message: "m",
      },
    ]),
  );
  assert.equal(v.validate({ spec: { replicas: 11 } }).errors.length, 1);
  assert.equal(v.validate({ spec: { replicas: 5 } }).errors.length, 0);
  assert.equal(v.validate({ spec: { replicas: 11 } }, { spec: { replicas: 12 } }).errors.length, 1);
  assert.equal(v.validate({ spec: { replicas: 12 } }, { spec: { replicas: 12 } }).errors.length, 0);
});

test("items of a map list are matched to their old versions by key, not position", () => {
  const v = validator({
    type: "object",
    properties: {
      ports: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        items: {
          type: "object",
          required: ["name"],
          properties: { name: { type: "string" }, port: { type: "integer" } },
          "x-kubernetes-validations": [{ rule: "self.port == oldSelf.port", message: "port is immutable" }],
        },
      },
    },
  });
  const old = {
    ports: [
      { name: "a", port: 1 },
      { name: "b", port: 2 },
    ],
  };
  assert.deepEqual(
    v.validate(
      {
        ports: [
          { name: "b", port: 2 },
          { name: "a", port: 1 },
          { name: "c", port: 9 },
        ],
      },
      old,
    ).errors,
    [],
  );
  const r = v.validate(
    {
      ports: [
        { name: "b", port: 3 },
        { name: "a", port: 1 },
      ],
    },
    old,
  );
  assert.deepEqual(r.errors, [
    { type: "FieldValueInvalid", field: "ports[0]", badValue: "object", detail: "port is immutable" },
  ]);
});

test("oldSelf is refused where old items can't be matched", () => {
  const r = compileValidationRules({
    type: "object",
    properties: {
      l: {
        type: "array",
        maxItems: 10,
        items: { type: "string", maxLength: 10, "x-kubernetes-validations": [{ rule: "self == oldSelf" }] },
      },
    },
  });
  assert.ok(!r.ok);
  assert.equal(r.errors.length, 1);
  assert.match(
    r.errors[0]?.detail ?? "",
    /oldSelf cannot be used on the uncorrelatable portion of the schema within openAPIV3Schema\.properties\[l\]/,
  );
});

test("messageExpression gives the message; a failing one falls back to message", () => {
  const v = validator(
    spec({ replicas: { type: "integer" }, name: { type: "string" } }, [
      {
        rule: "self.replicas < 5",
        messageExpression: "'replicas is ' + string(self.replicas) + ', want fewer than 5'",
      },
      { rule: "self.replicas < 10", message: "static", messageExpression: "self.name + ' has too many'" },
      { rule: "self.replicas < 20", message: "too many", messageExpression: "'  '" },
    ]),
  );
  const errs = v.validate({ spec: { replicas: 30 } }).errors.map((e) => e.detail);
  assert.deepEqual(errs, ["replicas is 30, want fewer than 5", "static", "too many"]);
});

test("fieldPath moves the error to the field, reason sets its type", () => {
  const v = validator(
    spec(
      {
        min: { type: "integer" },
        max: { type: "integer" },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
      [
        { rule: "self.min <= self.max", fieldPath: ".max", reason: "FieldValueForbidden", message: "max below min" },
        {
          rule: "!has(self.labels) || !('a.b' in self.labels)",
          fieldPath: ".labels['a.b']",
          reason: "FieldValueRequired",
          message: "no a.b",
        },
        { rule: "self.min != 0", reason: "FieldValueDuplicate" },
      ],
    ),
  );
  assert.deepEqual(v.validate({ spec: { min: 0, max: -1, labels: { "a.b": "x" } } }).errors, [
    { type: "FieldValueForbidden", field: "spec.max", detail: "max below min" },
    { type: "FieldValueRequired", field: "spec.labels[a.b]", detail: "no a.b" },
    { type: "FieldValueDuplicate", field: "spec", badValue: "object" },
  ]);
});

test("runtime errors are reported with the rule", () => {
  const v = validator(
    spec({ a: { type: "integer" }, s: { "x-kubernetes-int-or-string": true } }, [
      { rule: "self.a > 0", message: "a must be positive" },
      { rule: "self.s == 'x' || self.s > 1" },
    ]),
  );
  const errs = v.validate({ spec: { s: "y" } }).errors.map((e) => e.detail);
  assert.deepEqual(errs, [
    "no such key: a evaluating rule: a must be positive",
    "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.s == 'x' || self.s > 1",
  ]);
});

test("ratcheting: a failing rule on an unchanged value is a warning, on a changed value an error", () => {
  const v = validator(
    spec({ replicas: { type: "integer" }, note: { type: "string" } }, [
      { rule: "self.replicas <= 5", message: "at most 5" },
    ]),
  );
  const old = { metadata: { labels: { a: "1" } }, spec: { replicas: 10 } };
  const unchanged = v.validate({ metadata: { labels: { a: "2" } }, spec: { replicas: 10 } }, old);
  assert.deepEqual(unchanged.errors, []);
  assert.deepEqual(unchanged.warnings, [
    { type: "FieldValueInvalid", field: "spec", badValue: "object", detail: "at most 5" },
  ]);
  const changed = v.validate({ spec: { replicas: 10, note: "x" } }, old);
  assert.equal(changed.errors.length, 1);
  assert.equal(v.validate({ spec: { replicas: 10 } }).errors.length, 1, "no ratcheting on create");
});

test("an expensive rule over a large list is stopped at the per-call limit with Kubernetes' message", () => {
  const rule = "self.all(x, self.exists_one(y, y == x))";
  const v = validator({
    type: "object",
    properties: {
      ids: { type: "array", maxItems: 1000, items: { type: "integer" }, "x-kubernetes-validations": [{ rule }] },
    },
  });
  assert.deepEqual(v.validate({ ids: [1, 2, 3] }).errors, []);
  const ids = Array.from({ length: 1000 }, (_, i) => i);
  const r = v.validate({ ids });
  assert.deepEqual(r.errors, [
    {
      type: "FieldValueInvalid",
      field: "ids",
      badValue: "array",
      detail: `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${rule}`,
    },
  ]);
  assert.ok(r.cost > 1_000_000 && r.cost < 1_100_000, `cost ${r.cost}`);
});

test("rules stop when the object's cost budget runs out", () => {
  const v = validator({
    type: "object",
    properties: {
      items: {
        type: "array",
        maxItems: 100,
        items: { type: "string", maxLength: 64, "x-kubernetes-validations": [{ rule: "self.size() < 100" }] },
      },
    },
  });
  const r = v.validate({ items: Array.from({ length: 50 }, () => "x") }, undefined, { costBudget: 20 });
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]?.field ?? "", /^items\[\d+\]$/);
  assert.equal(r.errors[0]?.badValue, "string");
  assert.equal(
    r.errors[0]?.detail,
    "validation failed due to running out of cost budget, no further validation rules will be run",
  );
  assert.ok(v.validate({ items: ["x"] }, undefined, { costBudget: 20 }).errors.length === 0);
});

test("int-or-string, preserve-unknown-fields and formats reach rules as Kubernetes types", () => {
  const v = validator(
    spec(
      {
        port: { "x-kubernetes-int-or-string": true },
        free: { type: "object", maxProperties: 100, "x-kubernetes-preserve-unknown-fields": true },
        when: { type: "string", format: "date-time" },
        ratio: { type: "number" },
        "my-field": { type: "string" },
      },
      [
        { rule: "type(self.port) == int ? self.port < 65536 : self.port.matches('^[a-z]+$')", message: "port" },
        { rule: "!has(self.free) || self.free.all(k, k != 'bad')", message: "free" },
        { rule: "!has(self.when) || self.when > timestamp('2020-01-01T00:00:00Z')", message: "when" },
        { rule: "!has(self.ratio) || self.ratio < 1.0", message: "ratio" },
        { rule: "!has(self.my__dash__field) || self.my__dash__field != 'x'", message: "escaped" },
      ],
    ),
  );
  assert.deepEqual(
    v.validate({ spec: { port: 80, free: { xa: 1 }, when: "2021-01-01T00:00:00Z", ratio: 0.5, "my-field": "y" } })
      .errors,
    [],
  );
  const bad = v.validate({
    spec: { port: "HTTP", free: { bad: [1.5] }, when: "2019-01-01T00:00:00Z", ratio: 2, "my-field": "x" },
  });
  assert.deepEqual(
    bad.errors.map((e) => e.detail),
    ["port", "free", "when", "ratio", "escaped"],
  );
});

test("rules in allOf branches and in additionalProperties run too", () => {
  const v = validator({
    type: "object",
    properties: {
      m: {
        type: "object",
        additionalProperties: {
          type: "integer",
          "x-kubernetes-validations": [{ rule: "self >= 0", message: "negative" }],
        },
        allOf: [{ "x-kubernetes-validations": [{ rule: "size(self) <= 2", message: "too many" }] }],
      },
    },
  });
  const r = v.validate({ m: { a: 1, b: -1, c: 2 } });
  assert.deepEqual(
    r.errors.map((e) => `${e.field}: ${e.detail}`),
    ["m: too many", "m[b]: negative"],
  );
});
