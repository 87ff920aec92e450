import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyStrategicMergePatch } from "../apply/apply.js";
import { isStrategicMergePatchError } from "../errors/strategic-merge-patch-error.js";
import type { JSONObject } from "../json/json.js";
import { widgetSchema } from "../testing/widget-schema.js";
import { createThreeWayMergePatch, createTwoWayMergePatch } from "./create-patch.js";

describe("createTwoWayMergePatch", () => {
  it("sends a replace-strategy map whole, even unchanged (as kubectl does)", () => {
    const object = { template: { a: 1 }, name: "x" };
    assert.deepEqual(createTwoWayMergePatch(object, object, widgetSchema), { template: { a: 1 } });
  });

  it("does not modify its inputs and returns ordinary objects", () => {
    const original = JSON.parse('{"containers":[{"name":"a"},{"name":"b"}],"ports":[1,2]}') as JSONObject;
    const modified = JSON.parse('{"containers":[{"name":"b"}],"ports":[2,3],"__proto__":{"x":1}}') as JSONObject;
    const before = JSON.stringify([original, modified]);
    const patch = createTwoWayMergePatch(original, modified, widgetSchema);
    assert.equal(JSON.stringify([original, modified]), before);
    assert.equal(Object.getPrototypeOf(patch), Object.prototype);
    assert.ok(Object.hasOwn(patch, "__proto__"));
    const result = applyStrategicMergePatch(original, patch, widgetSchema);
    assert.equal(JSON.stringify(result), '{"containers":[{"name":"b"}],"ports":[2,3],"__proto__":{"x":1}}');
  });

  it("refuses lists of lists in a merging list and a non-string $patch", () => {
    assert.throws(
      () => createTwoWayMergePatch({ ports: [[1]] }, { ports: [[2]] }, widgetSchema),
      (error) => isStrategicMergePatchError(error, "NoListOfLists"),
    );
    assert.throws(
      () => createTwoWayMergePatch({ $patch: 1 }, { $patch: "replace" }, widgetSchema),
      (error) => isStrategicMergePatchError(error, "InvalidDirectiveValue") && error.kind === "BadRequest",
    );
  });
});

describe("createThreeWayMergePatch", () => {
  it("treats a missing last-applied configuration as empty", () => {
    const current = { name: "x", note: "server" };
    const patch = createThreeWayMergePatch(undefined, { name: "x", image: "v1" }, current, widgetSchema);
    assert.deepEqual(patch, { image: "v1" });
  });

  it("keeps fields only the live object has, deletes what the last apply set and this one drops", () => {
    const original: JSONObject = {
      containers: [{ name: "a", image: "v1" }, { name: "b" }],
      labels: { app: "web", old: "x" },
    };
    const current: JSONObject = {
      containers: [{ name: "a", image: "v1", note: "defaulted" }, { name: "b" }, { name: "injected" }],
      labels: { app: "web", old: "x", team: "ops" },
    };
    const modified = { containers: [{ name: "a", image: "v2" }], labels: { app: "web" } };
    const patch = createThreeWayMergePatch(original, modified, current, widgetSchema);
    assert.deepEqual(applyStrategicMergePatch(current, patch, widgetSchema), {
      containers: [{ name: "a", image: "v2", note: "defaulted" }, { name: "injected" }],
      labels: { app: "web", team: "ops" },
    });
  });

  it("reports a conflict with both sides when overwrite is off", () => {
    assert.throws(
      () =>
        createThreeWayMergePatch({ image: "v1" }, { image: "v2" }, { image: "v9" }, widgetSchema, { overwrite: false }),
      (error) =>
        isStrategicMergePatchError(error, "Conflict") &&
        error.status === 409 &&
        error.message.startsWith(
          'patch:\n{\n  "image": "v2"\n}\nconflicts with changes made from original to current:\n',
        ),
    );
  });
});
