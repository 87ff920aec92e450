import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { JSONSchemaProps } from "../model/schema.js";
import { applyDefaults, needsDefaults } from "./structural.js";

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
