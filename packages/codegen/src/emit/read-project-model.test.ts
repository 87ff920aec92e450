import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emitApiReference } from "../docs/api-reference.js";
import { toResourceDefinitions } from "../emit/resource-definitions.js";
import { assertNoErrors, KIND_FILE, kindSource, parseFiles } from "../testing/fixtures.js";
import { emitProjectModel } from "./project-model.js";
import { ProjectModelError, readProjectModel } from "./read-project-model.js";

const parsed = () => {
  const result = parseFiles({
    [KIND_FILE]: kindSource(`  /**
   * How many.
   * @minimum 1
   * @default 2
   */
  replicas?: int32;
  labels?: Record<string, string>;
  items: Array<{ name: string }>;`),
  });
  assertNoErrors(result.errors);
  return result.model;
};

describe("readProjectModel", () => {
  it("reads back what emitProjectModel wrote", () => {
    const model = parsed();
    const read = readProjectModel(emitProjectModel(model));
    assert.equal(emitProjectModel(read), emitProjectModel(model));
    assert.deepEqual(toResourceDefinitions(read), toResourceDefinitions(model));
    assert.deepEqual(emitApiReference(read), emitApiReference(model));
    assert.deepEqual(read.groups[0]?.kinds[0]?.versions[0]?.source, { file: KIND_FILE, line: 1, column: 1 });
  });

  it("says what is wrong with a file it can't read", () => {
    const code = (text: string) => {
      try {
        readProjectModel(text);
      } catch (error) {
        assert.ok(error instanceof ProjectModelError);
        return error.code;
      }
      return "read";
    };
    assert.equal(code("{"), "InvalidJSON");
    assert.equal(code('{"formatVersion": 99, "groups": []}'), "UnsupportedFormat");
    assert.equal(code('{"formatVersion": 1, "groups": [{"name": 1}]}'), "InvalidModel");
    assert.equal(code('{"formatVersion": 1, "groups": []}'), "read");
  });
});
