import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONSchemaProps } from "../definitions/types.js";
import { assertNoErrors, KIND_FILE, kindSource, parseFiles } from "../testing/fixtures.js";
import { toResourceDefinitions } from "./resource-definitions.js";
import { toJSONSchema } from "./schema.js";

/** Kubernetes' structural-schema rule: a type everywhere except int-or-string and preserved nodes. */
function structuralViolations(schema: JSONSchemaProps, path = ""): string[] {
  const problems: string[] = [];
  const exempt = schema["x-kubernetes-int-or-string"] || schema["x-kubernetes-preserve-unknown-fields"];
  if (schema.type === undefined && !exempt) problems.push(`${path || "."} has no type`);
  if (schema.properties && schema.type !== "object") problems.push(`${path} has properties but is not an object`);
  if (schema.items && schema.type !== "array") problems.push(`${path} has items but is not an array`);
  if (schema.type === "array" && schema.items === undefined) problems.push(`${path} is an array without items`);
  for (const name of schema.required ?? []) {
    if (!schema.properties?.[name]) problems.push(`${path} requires ${name}, which it does not declare`);
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    problems.push(...structuralViolations(property, `${path}.${name}`));
  }
  if (schema.items) problems.push(...structuralViolations(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === "object")
    problems.push(...structuralViolations(schema.additionalProperties, `${path}{}`));
  for (const branch of schema.anyOf ?? [])
    if (branch.type === undefined) problems.push(`${path} anyOf branch without type`);
  return problems;
}

describe("toJSONSchema", () => {
  it("gives structural schemas for every supported construct", () => {
    const result = parseFiles({
      [KIND_FILE]: kindSource(
        [
          "  a: string;",
          "  b?: int32[];",
          "  c: Record<string, { d: boolean }>;",
          "  e?: IntOrString;",
          "  f?: Quantity;",
          "  /** @preserveUnknownFields */\n  g?: unknown;",
          "  /** @preserveUnknownFields */\n  h?: Record<string, unknown>;",
          "  i?: LabelSelector;",
          "  j?: Condition[];",
          '  k?: "x" | "y" | null;',
          "  l?: { m: { n: Time } };",
          "  /** @embeddedResource\n   * @preserveUnknownFields */\n  o?: unknown;",
        ].join("\n"),
      ),
    });
    assertNoErrors(result.errors);
    for (const definition of toResourceDefinitions(result.model)) {
      for (const version of definition.versions) assert.deepEqual(structuralViolations(version.schema), []);
    }
  });

  it("writes an untyped embedded resource as an object", () => {
    assert.deepEqual(toJSONSchema({ type: "any", embeddedResource: true, preserveUnknownFields: true }), {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
      "x-kubernetes-embedded-resource": true,
    });
  });

  it("prefers the field's description to the type's", () => {
    assert.equal(toJSONSchema({ type: "string", description: "type" }, "field").description, "field");
    assert.equal(toJSONSchema({ type: "string", description: "type" }).description, "type");
  });

  it("does not share arrays with the model", () => {
    const model = { type: "string" as const, enum: ["a"] };
    const schema = toJSONSchema(model);
    schema.enum?.push("b");
    assert.deepEqual(model.enum, ["a"]);
  });
});
