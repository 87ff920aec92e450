import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_REQUEST_SIZE_BYTES } from "../cost/limits.js";
import { schemaDeclType } from "./decl.js";

test("scalar, list and map types with their bounds", () => {
  assert.equal(schemaDeclType({ type: "integer" }, false)?.kind, "int");
  assert.equal(schemaDeclType({ type: "number" }, false)?.kind, "double");
  assert.equal(schemaDeclType({ type: "string", format: "date-time" }, false)?.kind, "timestamp");
  assert.equal(schemaDeclType({ type: "string", format: "byte" }, false)?.kind, "bytes");
  assert.equal(schemaDeclType({ type: "string", maxLength: 10 }, false)?.maxElements, 40);
  assert.equal(schemaDeclType({ type: "string", enum: ["a", "bcd"] }, false)?.maxElements, 3);
  const list = schemaDeclType({ type: "array", items: { type: "integer" } }, false);
  assert.equal(list?.maxElements, Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / 2));
  const map = schemaDeclType({ type: "object", maxProperties: 5, additionalProperties: { type: "string" } }, false);
  assert.equal(map?.kind, "map");
  assert.equal(map?.maxElements, 5);
});

test("objects expose escapable properties; resource roots add apiVersion, kind and metadata.name", () => {
  const d = schemaDeclType(
    {
      type: "object",
      required: ["a"],
      properties: { a: { type: "string" }, "b-c": { type: "integer" }, "d e": { type: "integer" } },
    },
    true,
  );
  assert.deepEqual([...(d?.fields?.keys() ?? [])].sort(), ["a", "apiVersion", "b__dash__c", "kind", "metadata"]);
  assert.deepEqual([...(d?.fields?.get("metadata")?.type.fields?.keys() ?? [])], ["name", "generateName"]);
  assert.equal(d?.minSerializedSize, 2 + 1 + 2 + 4);
});

test("int-or-string and schemaless objects are dyn; untyped nodes are hidden", () => {
  assert.equal(schemaDeclType({ "x-kubernetes-int-or-string": true }, false)?.kind, "dyn");
  assert.equal(schemaDeclType({ type: "object", "x-kubernetes-preserve-unknown-fields": true }, false)?.kind, "dyn");
  assert.equal(schemaDeclType({}, false), undefined);
  assert.equal(schemaDeclType({ type: "array" }, false), undefined);
});
