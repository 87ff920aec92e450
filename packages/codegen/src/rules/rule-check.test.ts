import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCodegenError } from "../errors/codegen-error.js";
import { generate } from "../generate.js";
import { createInMemoryApiProject } from "../parser/project.js";
import { GROUP_DOC, KIND_FILE, kindSource } from "../testing/fixtures.js";
import { checkValidationRules } from "./rule-check.js";

const run = (specBody: string, extra = "") =>
  generate(createInMemoryApiProject({ "src/apis/wardle/doc.ts": GROUP_DOC, [KIND_FILE]: kindSource(specBody, extra) }));

describe("CEL rules at generate time", () => {
  it("accepts rules that compile against the schema", () => {
    const result = run(`  /**
   * @validation rule="self >= 0" message="must not be negative"
   */
  replicas: int32;`);
    assert.deepEqual(result.errors.map(formatCodegenError), []);
    assert.equal(result.files.length, 2);
  });

  it("points at the field whose rule does not compile, and writes nothing", () => {
    const result = run(`  name: string;
  /**
   * @validation rule="self.size() > 1"
   */
  replicas: int32;`);
    assert.equal(result.files.length, 0);
    assert.equal(result.errors.length, 1);
    const [error] = result.errors;
    assert.equal(error?.code, "InvalidValidationRule");
    assert.equal(error?.file, KIND_FILE);
    assert.equal(error?.line, 15, formatCodegenError(error ?? assert.fail()));
    assert.match(error?.message ?? "", /Flunder v1alpha1: rule "self.size\(\) > 1": compilation failed/);
    assert.match(error?.hint ?? "", /`self` is the value/);
  });

  it("finds rules on array items and map values", () => {
    const result = run(
      `  ports: Port[];
  labels: Record<string, Label>;`,
      `/** @validation rule="self.foo == 1" */
export type Port = int32;
/** @validation rule="self > 2" */
export type Label = string;
`,
    );
    assert.deepEqual(
      result.errors.map((error) => [error.code, error.line]),
      [
        ["InvalidValidationRule", 20],
        ["InvalidValidationRule", 22],
      ],
    );
  });

  it("reports rules too costly to run", () => {
    const result = run(`  /**
   * @validation rule="self.all(a, self.all(b, self.all(c, a == b && b == c)))"
   */
  names: string[];`);
    assert.equal(result.errors[0]?.code, "InvalidValidationRule");
    assert.match(result.errors[0]?.hint ?? "", /@maxItems/);
    assert.deepEqual(checkValidationRules({ groups: [] }), []);
  });
});
