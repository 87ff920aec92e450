import assert from "node:assert/strict";
import { test } from "node:test";
import { FieldPath, InvalidFieldPathError, validFieldPath } from "./fieldpath.js";

test("paths render like Kubernetes' field.Path", () => {
  assert.equal(FieldPath.root.toString(), "<nil>");
  assert.equal(FieldPath.root.child("spec").child("items").index(0).child("name").toString(), "spec.items[0].name");
  assert.equal(FieldPath.root.child("labels").key("app").toString(), "labels[app]");
});

const schema = {
  type: "object",
  properties: {
    spec: { type: "object", properties: { name: { type: "string" }, "a.b": { type: "string" } } },
    labels: { type: "object", additionalProperties: { type: "string" } },
  },
};

test("valid fieldPaths are normalized", () => {
  assert.equal(validFieldPath(".spec.name", schema), "spec.name");
  assert.equal(validFieldPath(".spec['a.b']", schema), "spec.a.b");
  assert.equal(validFieldPath(".labels['app']", schema), "labels[app]");
});

test("invalid fieldPaths are refused", () => {
  assert.throws(() => validFieldPath(".spec.nope", schema), InvalidFieldPathError);
  assert.throws(() => validFieldPath(".spec.name.x", schema), InvalidFieldPathError);
  assert.throws(() => validFieldPath("spec", schema), InvalidFieldPathError);
  assert.throws(() => validFieldPath(".spec[name]", schema), /expected single quoted string/);
});
