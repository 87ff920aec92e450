import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { applyStrategicMergePatch } from "../apply/apply.js";
import type { JSONObject, JSONValue } from "../json/json.js";
import { patchMetaOf } from "../schema/patch-meta.js";
import type { StrategicMergeSchema } from "../schema/structural-schema.js";
import { createThreeWayMergePatch, createTwoWayMergePatch } from "./create-patch.js";

// Property: for objects a and b valid under a generated schema, applying the two-way patch
// from a to b to a gives b (and so does the three-way patch when the live object is a).
// Valid means what the API server accepts: no nulls stored, unique merge keys and set members.

type Schema = StrategicMergeSchema;

const fieldNames = ["alpha", "beta", "gamma", "delta"];
const mapKeys = ["x", "y", "10", "9", "__proto__", "constructor"];
const names = ["a", "b", "c", "10", "9", "__proto__"];

const scalarSchema = fc.constantFrom<Schema>({ type: "string" }, { type: "integer" }, { type: "boolean" });
const setItemSchema = fc.constantFrom<Schema>({ type: "string" }, { type: "integer" });
const withName = (item: Schema): Schema => ({ ...item, properties: { ...item.properties, name: { type: "string" } } });

function objectSchema(depth: number): fc.Arbitrary<Schema> {
  return fc
    .uniqueArray(fc.tuple(fc.constantFrom(...fieldNames), fieldSchema(depth)), {
      selector: ([name]) => name,
      minLength: 1,
      maxLength: 3,
    })
    .map((entries) => ({ type: "object", properties: Object.fromEntries(entries) }));
}

function fieldSchema(depth: number): fc.Arbitrary<Schema> {
  const leaves: fc.Arbitrary<Schema>[] = [
    scalarSchema,
    scalarSchema.map((value) => ({ type: "object", additionalProperties: value })),
    setItemSchema.map((items) => ({ type: "array", items, "x-kubernetes-list-type": "set" })),
    fc.constant<Schema>({ type: "array", items: { type: "integer" }, "x-kubernetes-patch-strategy": "merge" }),
    scalarSchema.map((items) => ({ type: "array", items })),
    fc.constant<Schema>({
      type: "object",
      additionalProperties: { type: "string" },
      "x-kubernetes-map-type": "atomic",
    }),
    fc.constant<Schema>({ type: "object", "x-kubernetes-preserve-unknown-fields": true }),
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  const object = objectSchema(depth - 1);
  return fc.oneof(
    ...leaves,
    object,
    object.map((schema) => ({ ...schema, "x-kubernetes-patch-strategy": "retainKeys" })),
    object.map((schema) => ({ ...schema, "x-kubernetes-patch-strategy": "replace" })),
    object.map((items) => ({ type: "object", additionalProperties: items })),
    object.map((items) => ({ type: "array", items })),
    object.map((items) => ({
      type: "array",
      items: withName(items),
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-patch-merge-key": "name",
    })),
    object.map((items) => ({
      type: "array",
      items: withName(items),
      "x-kubernetes-patch-strategy": "merge,retainKeys",
      "x-kubernetes-patch-merge-key": "name",
    })),
    object.map((items) => ({
      type: "array",
      items: withName(items),
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
    })),
  );
}

/** Free-form JSON without nulls (null means "delete" in a patch, so no stored object has one). */
const freeJson: fc.Arbitrary<JSONValue> = fc.letrec<{ value: JSONValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ maxLength: 3 }),
    fc.integer({ min: -5, max: 20 }),
    fc.boolean(),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...mapKeys), tie("value"), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

function objectOf(schema: Schema, requireName = false): fc.Arbitrary<JSONValue> {
  if (schema["x-kubernetes-preserve-unknown-fields"]) {
    return fc.dictionary(fc.constantFrom(...mapKeys), freeJson, { maxKeys: 3, noNullPrototype: true });
  }
  switch (schema.type) {
    case "string":
      return fc.constantFrom("", "a", "b", "10", "9");
    case "integer":
      return fc.integer({ min: -3, max: 12 });
    case "boolean":
      return fc.boolean();
    case "array": {
      const items = schema.items as Schema;
      const meta = patchMetaOf(schema);
      if (meta.strategy !== "merge") return fc.array(objectOf(items), { maxLength: 3 });
      if (meta.mergeKey === "")
        return fc.uniqueArray(objectOf(items) as fc.Arbitrary<string | number>, { maxLength: 4 });
      return fc.uniqueArray(objectOf(items, true) as fc.Arbitrary<JSONObject>, {
        selector: (item) => item[meta.mergeKey],
        maxLength: 4,
      });
    }
    default: {
      const additional = schema.additionalProperties;
      if (typeof additional === "object") {
        return fc.dictionary(fc.constantFrom(...mapKeys), objectOf(additional), { maxKeys: 3, noNullPrototype: true });
      }
      const properties = schema.properties ?? {};
      const fields = Object.fromEntries(
        Object.entries(properties).map(([key, child]) => [
          key,
          key === "name" ? fc.constantFrom(...names) : objectOf(child),
        ]),
      );
      return fc.record(fields, {
        requiredKeys: requireName ? ["name"] : [],
        noNullPrototype: true,
      }) as fc.Arbitrary<JSONValue>;
    }
  }
}

const scenario = objectSchema(3).chain((schema) =>
  fc.tuple(fc.constant(schema), objectOf(schema), objectOf(schema)).map(([s, a, b]) => ({
    schema: s,
    a: a as JSONObject,
    b: b as JSONObject,
  })),
);

/** Canonical JSON: keys sorted, so objects compare by content and `__proto__` keys count. */
function canonical(value: JSONValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] as JSONValue)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("round trip under generated schemas", () => {
  it("apply(a, createTwoWayMergePatch(a, b)) equals b", () => {
    fc.assert(
      fc.property(scenario, ({ schema, a, b }) => {
        const patch = createTwoWayMergePatch(a, b, schema);
        assert.equal(canonical(applyStrategicMergePatch(a, patch, schema)), canonical(b));
      }),
      { numRuns: 400 },
    );
  });

  it("apply(a, createThreeWayMergePatch(a, b, a)) equals b", () => {
    fc.assert(
      fc.property(scenario, ({ schema, a, b }) => {
        // Overwrite on: replace-strategy maps are always in a diff, so even an unchanged live
        // object "changes" them, and Kubernetes would report a conflict without overwrite.
        const patch = createThreeWayMergePatch(a, b, a, schema);
        assert.equal(canonical(applyStrategicMergePatch(a, patch, schema)), canonical(b));
      }),
      { numRuns: 200 },
    );
  });

  it("a patch from an object to itself is empty or only resends replaced maps", () => {
    fc.assert(
      fc.property(scenario, ({ schema, a }) => {
        const patch = createTwoWayMergePatch(a, a, schema);
        assert.equal(canonical(applyStrategicMergePatch(a, patch, schema)), canonical(a));
      }),
      { numRuns: 100 },
    );
  });
});
