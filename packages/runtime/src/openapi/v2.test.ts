import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toSwaggerSchema } from "./v2.js";

describe("toSwaggerSchema", () => {
  it("points refs into definitions and turns a lone allOf ref into the ref", () => {
    assert.deepEqual(
      toSwaggerSchema({ allOf: [{ $ref: "#/components/schemas/M" }], description: "meta", default: {} }),
      { $ref: "#/definitions/M", description: "meta", default: {} },
    );
    assert.deepEqual(toSwaggerSchema({ items: { $ref: "#/components/schemas/I" }, type: "array" }), {
      items: { $ref: "#/definitions/I" },
      type: "array",
    });
  });

  it("drops what Swagger 2.0 lacks and loosens what kubectl's v2 reader can't take", () => {
    assert.deepEqual(toSwaggerSchema({ type: "string", anyOf: [{ type: "string" }], oneOf: [], not: {} }), {
      type: "string",
    });
    assert.deepEqual(
      toSwaggerSchema({ type: "object", nullable: true, properties: { a: { type: "string" } } }),
      {},
      "nullable: untyped, no properties",
    );
    assert.deepEqual(
      toSwaggerSchema({
        type: "object",
        "x-kubernetes-preserve-unknown-fields": true,
        properties: { a: { type: "string" } },
      }),
      { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    );
    assert.deepEqual(toSwaggerSchema({ type: "array", "x-kubernetes-preserve-unknown-fields": true, items: {} }), {
      "x-kubernetes-preserve-unknown-fields": true,
    });
    assert.deepEqual(
      toSwaggerSchema({
        type: "object",
        required: ["a", "b"],
        properties: { a: { type: "string", nullable: true }, b: { type: "string" } },
        additionalProperties: { type: "string", nullable: true },
      }),
      { type: "object", required: ["b"], properties: { a: {}, b: { type: "string" } } },
    );
  });
});
