import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertNoErrors, KIND_FILE, kindSource, parseFiles } from "../testing/fixtures.js";
import { emitProjectModel, PROJECT_MODEL_FORMAT } from "./project-model.js";

describe("emitProjectModel", () => {
  it("records groups, versions and kinds with the file of each kind version", () => {
    const result = parseFiles({ [KIND_FILE]: kindSource("  a: string;") });
    assertNoErrors(result.errors);
    const json = JSON.parse(emitProjectModel(result.model));
    assert.equal(json.formatVersion, PROJECT_MODEL_FORMAT);
    assert.equal(json.groups[0].name, "wardle.example.com");
    assert.deepEqual(json.groups[0].versions, ["v1alpha1"]);
    assert.equal(json.groups[0].kinds[0].kind, "Flunder");
    assert.equal(json.groups[0].kinds[0].versions[0].file, KIND_FILE);
    assert.equal(json.groups[0].kinds[0].versions[0].schema.properties[3].type.properties[0].name, "a");
  });

  it("does not change when only comments move lines", () => {
    const before = parseFiles({ [KIND_FILE]: kindSource("  a: string;") });
    const after = parseFiles({ [KIND_FILE]: `\n\n// moved\n${kindSource("\n\n  a: string;")}` });
    assert.equal(emitProjectModel(after.model), emitProjectModel(before.model));
    assert.doesNotMatch(emitProjectModel(before.model), /"line"|"column"|"source"/);
  });
});
