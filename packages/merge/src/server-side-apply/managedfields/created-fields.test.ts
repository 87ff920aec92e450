import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { JSONObject, JSONValue } from "../../json/json.js";
import type { ServerSideApplySchema } from "../typed/schema.js";
import { formatTime } from "./entries.js";
import { type FieldManagerOptions, updateManagedFields } from "./field-manager.js";

// A create without managedFields takes the fast path (createdFieldsV1). Given as live an object
// holding only apiVersion and kind, without a uid, updateManagedFields takes the general path
// (compare, field-set difference, FieldsV1 encoding) on the same input: the results must be
// the same bytes, key order included.

const word = fc.constantFrom("a", "b", "é", "z<&>", "__proto__", "constructor", "1", "");
const scalar = fc.oneof(word, fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.constant(null));
// Any JSON of small size, for values the schema does not expect (type mismatches, nulls).
const anything: fc.Arbitrary<JSONValue> = fc.letrec<{ value: JSONValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(word, tie("value"), { maxKeys: 3 }),
  ),
})).value;
const maybeWrong = <T extends JSONValue>(value: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: value }, { weight: 1, arbitrary: anything });
const stringMap = fc.dictionary(word, maybeWrong(word), { maxKeys: 3 });
const item = fc.record(
  { name: maybeWrong(word), port: maybeWrong(fc.integer({ min: 0, max: 3 })), tags: maybeWrong(fc.array(word)) },
  // Items without their key (or duplicates) make the general path throw: the fast path must too.
  { requiredKeys: [] },
);

const element: ServerSideApplySchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    port: { type: "integer" },
    tags: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
  },
};
const spec: ServerSideApplySchema = {
  type: "object",
  properties: {
    replicas: { type: "integer" },
    mode: { type: "string", default: "x" },
    size: { "x-kubernetes-int-or-string": true },
    items: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], items: element },
    ports: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["port", "name"],
      items: { ...element, properties: { ...element.properties, name: { type: "string", default: "d" } } },
    },
    merged: {
      type: "array",
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-patch-merge-key": "name",
      items: element,
    },
    set: { type: "array", "x-kubernetes-list-type": "set", items: { type: "integer" } },
    args: { type: "array", items: { type: "string" } },
    selector: { type: "object", "x-kubernetes-map-type": "atomic", additionalProperties: { type: "string" } },
    labels: { type: "object", additionalProperties: { type: "string" } },
    free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    nested: { type: "object", properties: { deep: { type: "object", properties: { leaf: { type: "string" } } } } },
  },
};
const schemas: Record<string, ServerSideApplySchema | undefined> = {
  plain: {
    type: "object",
    properties: { spec, status: { type: "object", properties: { ready: { type: "boolean" } } } },
  },
  describedMetadata: {
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object", properties: { name: { type: "string" }, labels: { type: "object" } } },
      spec,
    },
  },
  unknownFields: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { spec } },
  none: undefined,
  atomicRoot: { type: "object", "x-kubernetes-map-type": "atomic", properties: { spec } },
};

const specValue = fc.record(
  {
    replicas: maybeWrong(fc.integer({ min: 0, max: 3 })),
    mode: maybeWrong(word),
    size: maybeWrong(fc.oneof(word, fc.integer())),
    items: maybeWrong(fc.array(item, { maxLength: 3 })),
    ports: maybeWrong(fc.array(item, { maxLength: 3 })),
    merged: maybeWrong(fc.array(item, { maxLength: 3 })),
    set: maybeWrong(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 })),
    args: maybeWrong(fc.array(word, { maxLength: 3 })),
    selector: maybeWrong(stringMap),
    labels: maybeWrong(stringMap),
    free: maybeWrong(fc.dictionary(word, anything, { maxKeys: 3 })),
    nested: maybeWrong(fc.record({ deep: maybeWrong(fc.record({ leaf: word }, { requiredKeys: [] })) })),
  },
  { requiredKeys: [] },
);
const ownerReference = fc.record({ uid: maybeWrong(word), name: word }, { requiredKeys: ["name"] });
const managedFieldsValue = fc.oneof(
  fc.constant([] as JSONValue),
  fc.constant([{}] as JSONValue),
  fc.constant([{ manager: "", operation: "" }] as JSONValue),
  fc.constant([{ manager: "x", operation: "Bogus" }] as JSONValue),
  fc.constant(null),
  fc.constant([
    {
      manager: "old",
      operation: "Update",
      apiVersion: "example.com/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": {} },
    },
  ] as JSONValue),
);
const metadataValue = fc.record(
  {
    name: maybeWrong(word),
    namespace: word,
    uid: maybeWrong(word),
    generateName: word,
    resourceVersion: word,
    creationTimestamp: fc.constant("2024-01-01T00:00:00Z"),
    labels: maybeWrong(stringMap),
    annotations: maybeWrong(stringMap),
    finalizers: maybeWrong(fc.array(word, { maxLength: 3 })),
    ownerReferences: maybeWrong(fc.array(ownerReference, { maxLength: 2 })),
    managedFields: managedFieldsValue,
    extra: anything,
  },
  { requiredKeys: [] },
);
const object = fc
  .record(
    {
      apiVersion: fc.oneof(fc.constant("example.com/v1"), anything),
      kind: fc.oneof(fc.constant("Widget"), anything),
      metadata: maybeWrong(metadataValue),
      spec: maybeWrong(specValue),
      status: maybeWrong(fc.record({ ready: fc.boolean(), conditions: fc.array(item, { maxLength: 2 }) })),
      other: anything,
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.parse(JSON.stringify(o)) as JSONObject);

const resetFields = fc.constantFrom<FieldManagerOptions["resetFields"]>(
  undefined,
  [],
  [["status"]],
  [["spec"]],
  [[]],
  [["spec", "nested", "deep"], ["metadata"]],
  [["spec", "items"], ["spec"]],
  [["metadata", "labels"]],
);

describe("createdFieldsV1", () => {
  it("a create's managedFields equal the general update path's, byte for byte (fast-check)", () => {
    fc.assert(
      fc.property(
        object,
        fc.constantFrom(...Object.keys(schemas)),
        resetFields,
        fc.constantFrom("", "status"),
        fc.oneof(fc.constantFrom("kubectl", "", "unknown"), fc.string()),
        (updated, schemaName, reset, subresource, manager) => {
          const options: FieldManagerOptions = {
            apiVersion: "example.com/v1",
            kind: "Widget",
            schema: schemas[schemaName],
            subresource,
            ...(reset === undefined ? {} : { resetFields: reset }),
            now: () => new Date(Date.UTC(2024, 4, 1, 10, 0, 0, 700)),
          };
          const input = JSON.stringify(updated);
          const fast = updateManagedFields(null, updated, manager, options);
          // The general path: an existing object without a uid is still a create to it.
          const empty: JSONObject = {
            apiVersion: typeof updated.apiVersion === "string" ? updated.apiVersion : options.apiVersion,
            kind: updated.kind ?? null,
          };
          const general = updateManagedFields(empty, updated, manager, options);
          assert.equal(JSON.stringify(fast), JSON.stringify(general));
          assert.deepEqual(fast, general);
          assert.equal(JSON.stringify(updated), input, "the input is not modified");
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("records the created fields for the bench's kind of object", () => {
    const options: FieldManagerOptions = {
      apiVersion: "example.com/v1",
      schema: schemas.plain,
      resetFields: [["status"]],
      now: () => new Date(Date.UTC(2024, 4, 1)),
    };
    const created = updateManagedFields(
      null,
      {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w", labels: { app: "x" } },
        spec: { items: [{ name: "b" }, { name: "a", port: 1 }], selector: { a: "b" } },
        status: { ready: true },
      },
      "kubectl",
      options,
    );
    assert.deepEqual((created.metadata as JSONObject).managedFields, [
      {
        manager: "kubectl",
        operation: "Update",
        apiVersion: "example.com/v1",
        time: "2024-05-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            ".": {},
            "f:items": {
              ".": {},
              'k:{"name":"a"}': { ".": {}, "f:name": {}, "f:port": {} },
              'k:{"name":"b"}': { ".": {}, "f:name": {} },
            },
            "f:selector": {},
          },
        },
      },
    ]);
  });
});

describe("formatTime", () => {
  it("gives toISOString to the second, whatever order the times come in (fast-check)", () => {
    // Times within a few seconds of each other, so that the remembered second is often hit.
    const base = Date.UTC(2024, 4, 1);
    const times = fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(times, fc.constantFrom(base, 0, -86_400_000), (offsets, origin) => {
        for (const offset of offsets) {
          const date = new Date(origin + offset);
          assert.equal(formatTime(date), `${date.toISOString().slice(0, 19)}Z`);
        }
      }),
    );
    assert.throws(() => formatTime(new Date(Number.NaN)), RangeError);
  });
});
