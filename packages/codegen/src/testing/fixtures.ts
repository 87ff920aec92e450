import assert from "node:assert/strict";
import type { JSONSchemaProps } from "../definitions/types.js";
import { toJSONSchema } from "../emit/schema.js";
import { type CodegenError, formatCodegenError } from "../errors/codegen-error.js";
import type { KindModel } from "../model/api-model.js";
import { type ParseResult, parseApis } from "../parser/parse-apis.js";
import { createInMemoryApiProject } from "../parser/project.js";

/** Test helpers: in-memory projects around a Flunder kind in wardle.example.com/v1alpha1. */

export const KIND_FILE = "src/apis/wardle/v1alpha1/flunder.ts";
export const GROUP_DOC = "/** @group wardle.example.com */\nexport {};\n";
const IMPORTS = `import type { Condition, IntOrString, LabelSelector, ObjectMeta, Quantity, Time, int32, int64 } from "@apiserver-kit/runtime";\n`;

export function parseFiles(files: Record<string, string>): ParseResult {
  return parseApis(createInMemoryApiProject({ "src/apis/wardle/doc.ts": GROUP_DOC, ...files }));
}

/** A kind file: `spec: FlunderSpec` whose body is `specBody`, plus `extra` declarations (line 1 is the import). */
export function kindSource(specBody: string, extra = "", kindDoc = "/** @kind */"): string {
  return `${IMPORTS}${kindDoc}
export interface Flunder {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: FlunderSpec;
  status?: FlunderStatus;
}
export interface FlunderSpec {
${specBody}
}
export interface FlunderStatus {
  replicas?: int32;
  selector?: string;
  conditions?: Condition[];
}
${extra}`;
}

export function parseSpec(specBody: string, extra = ""): ParseResult {
  return parseFiles({ [KIND_FILE]: kindSource(specBody, extra) });
}

/** The schema of `spec`, asserting that parsing had no errors. */
export function specSchema(specBody: string, extra = ""): JSONSchemaProps {
  const result = parseSpec(specBody, extra);
  assertNoErrors(result.errors);
  const spec = onlyKind(result).versions[0]?.schema.properties?.find((field) => field.name === "spec");
  assert.ok(spec, "spec field");
  return toJSONSchema(spec.type, spec.description);
}

/** The schema of spec's field `name`. */
export function fieldSchema(specBody: string, name: string, extra = ""): JSONSchemaProps {
  const property = specSchema(specBody, extra).properties?.[name];
  assert.ok(property, `spec.${name}`);
  return property;
}

export function onlyKind(result: ParseResult): KindModel {
  const kind = result.model.groups[0]?.kinds[0];
  assert.ok(kind, "one kind");
  return kind;
}

export function assertNoErrors(errors: CodegenError[]): void {
  assert.deepEqual(errors.map(formatCodegenError), []);
}

/** Asserts exactly one error of `code` (other codes are an assertion failure too) and returns it. */
export function singleError(result: ParseResult, code: CodegenError["code"]): CodegenError {
  assert.deepEqual(
    result.errors.map((error) => error.code),
    [code],
    result.errors.map(formatCodegenError).join("\n"),
  );
  return result.errors[0] as CodegenError;
}

/** The 1-based line of the first line of `text` holding `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `"${needle}" in text`);
  return index + 1;
}
