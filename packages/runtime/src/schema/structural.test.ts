import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { JSONSchemaProps } from "../model/schema.js";
import { applyDefaults, needsDefaults, prune } from "./structural.js";

// Defaults at several depths: a plain field, a nullable one, inside arrays and maps.
const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      default: {},
      properties: {
        replicas: { type: "integer", default: 1 },
        note: { type: "string", nullable: true, default: "n" },
        ports: {
          type: "array",
          items: { type: "object", properties: { protocol: { type: "string", default: "TCP" } } },
        },
        limits: {
          type: "object",
          additionalProperties: { type: "object", properties: { unit: { type: "string", default: "m" } } },
        },
      },
    },
  },
};

const specs = fc.record(
  {
    replicas: fc.oneof(fc.constant(null), fc.integer()),
    note: fc.oneof(fc.constant(null), fc.string()),
    ports: fc.array(fc.record({ protocol: fc.oneof(fc.constant(null), fc.string()) }, { requiredKeys: [] })),
    limits: fc.dictionary(
      fc.string(),
      fc.record({ unit: fc.oneof(fc.constant(null), fc.string()) }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: [] },
);

describe("needsDefaults", () => {
  it("is true exactly when applyDefaults would change the object", () => {
    fc.assert(
      fc.property(fc.record({ spec: specs }, { requiredKeys: [] }).map(asParsedJSON), (object) => {
        const applied = structuredClone(object);
        applyDefaults(applied, schema);
        assert.equal(needsDefaults(object, schema), !isDeepStrictEqual(applied, object));
        assert.equal(needsDefaults(applied, schema), false, "a defaulted object needs nothing more");
      }),
      { seed: 1617, numRuns: 400 },
    );
  });
});

function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/** As a request body arrives: plain objects (fast-check may make null-prototype ones). */
function asParsedJSON(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("applyDefaults skips schema parts without defaults", () => {
  // Random schemas, defaults at random depths (or none), against a walk that skips nothing.
  const leaf = fc.record(
    { type: fc.constant("string"), default: fc.option(fc.constant("d"), { nil: undefined }) },
    { requiredKeys: ["type"] },
  );
  const schemas = fc.letrec<{ node: JSONSchemaProps }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      leaf as fc.Arbitrary<JSONSchemaProps>,
      fc.record({ type: fc.constant("array"), items: tie("node") }) as fc.Arbitrary<JSONSchemaProps>,
      fc.record({ type: fc.constant("object"), additionalProperties: tie("node") }) as fc.Arbitrary<JSONSchemaProps>,
      fc
        .record({
          type: fc.constant("object"),
          properties: fc.dictionary(fc.constantFrom("a", "b", "c"), tie("node"), { maxKeys: 3 }),
          default: fc.option(fc.constant({}), { nil: undefined }),
        })
        .map((s) => JSON.parse(JSON.stringify(s)) as JSONSchemaProps),
    ),
  })).node;
  const values = fc.jsonValue({ maxDepth: 4 }).map(asParsedJSON);

  it("fills what a full walk fills (fast-check)", () => {
    fc.assert(
      fc.property(schemas, fc.dictionary(fc.constantFrom("a", "b", "c"), values), (propertySchema, value) => {
        const root: JSONSchemaProps = { type: "object", properties: { a: propertySchema, b: propertySchema } };
        const object = asParsedJSON(value) as Record<string, unknown>;
        const expected = structuredClone(object);
        fullWalk(expected, root);
        const before = structuredClone(object);
        applyDefaults(object, root);
        assert.deepEqual(object, expected);
        assert.equal(needsDefaults(before, root), !isDeepStrictEqual(before, expected));
      }),
      { numRuns: 1000 },
    );
  });
});

/** The defaulting walk without shortcuts: every property, item and additional property. */
function fullWalk(value: unknown, schema: JSONSchemaProps): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) fullWalk(item, schema.items);
    return;
  }
  if (value === null || typeof value !== "object") return;
  const object = value as Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const current = object[key];
    if (property.default !== undefined && (current === undefined || (current === null && property.nullable !== true)))
      object[key] = structuredClone(property.default);
    if (object[key] !== undefined) fullWalk(object[key], property);
  }
  if (typeof schema.additionalProperties === "object") {
    for (const key of Object.keys(object)) {
      if (!schema.properties || !Object.hasOwn(schema.properties, key))
        fullWalk(object[key], schema.additionalProperties);
    }
  }
}

describe("prune", () => {
  it("drops unknown fields at any depth, inside list items and embedded resources, naming each as kube-apiserver orders them", () => {
    const item: JSONSchemaProps = {
      type: "object",
      properties: { name: { type: "string" }, nested: { type: "array", items: { type: "object", properties: {} } } },
    };
    const schema: JSONSchemaProps = {
      type: "object",
      properties: {
        spec: {
          type: "object",
          properties: {
            items: { type: "array", items: item },
            tags: { type: "array", items: { type: "string" } },
            template: { type: "object", "x-kubernetes-embedded-resource": true, properties: {} },
          },
        },
      },
    };
    const object = {
      apiVersion: "v1",
      kind: "K",
      metadata: { name: "n", colour: "red" },
      spec: {
        items: ["text", null, { name: "a", bogus: 1 }, { name: "b", nested: [1, { x: 2 }] }],
        tags: ["a", { odd: true }],
        template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", extra: 1 }, other: {} },
      },
      top: 1,
    };
    // The object's metadata, the pruned fields sorted, then embedded resources' metadata.
    assert.deepEqual(prune(object, schema), [
      "metadata.colour",
      "spec.items[2].bogus",
      "spec.items[3].nested[1].x",
      "spec.tags[1].odd",
      "spec.template.other",
      "top",
      "spec.template.metadata.extra",
    ]);
    assert.deepEqual(object, {
      apiVersion: "v1",
      kind: "K",
      metadata: { name: "n" },
      spec: {
        items: ["text", null, { name: "a" }, { name: "b", nested: [1, {}] }],
        tags: ["a", {}],
        template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } },
      },
    });
  });

  it("sorts the pruned paths whatever the body's order, and leaves the object whole when told not to remove", () => {
    const schema: JSONSchemaProps = {
      type: "object",
      properties: {
        spec: {
          type: "object",
          properties: { ports: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } } },
        },
      },
    };
    const object = {
      metadata: { name: "n", zeta: 1 },
      spec: { unknownDupe: 1, unknown1: 2, ports: [{ name: "p", unknownNested: 3 }] },
    };
    const sent = structuredClone(object);
    const expected = ["metadata.zeta", "spec.ports[0].unknownNested", "spec.unknown1", "spec.unknownDupe"];
    assert.deepEqual(prune(object, schema, true, false), expected);
    assert.deepEqual(object, sent, "nothing removed");
    assert.deepEqual(prune(object, schema), expected);
    assert.deepEqual(object, { metadata: { name: "n" }, spec: { ports: [{ name: "p" }] } });
  });
});
