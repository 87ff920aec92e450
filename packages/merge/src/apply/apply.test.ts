import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  isStrategicMergePatchError,
  type StrategicMergePatchErrorCode,
  type StrategicMergePatchErrorKind,
} from "../errors/strategic-merge-patch-error.js";
import type { JSONObject } from "../json/json.js";
import type { StrategicMergeSchema } from "../schema/structural-schema.js";
import { widgetSchema } from "../testing/widget-schema.js";
import { applyStrategicMergePatch } from "./apply.js";

function assertFails(
  original: JSONObject,
  patch: unknown,
  code: StrategicMergePatchErrorCode,
  kind: StrategicMergePatchErrorKind,
  message: string,
  schema: StrategicMergeSchema | undefined = widgetSchema,
): void {
  assert.throws(
    () => applyStrategicMergePatch(original, patch, schema),
    (error) => {
      assert.ok(isStrategicMergePatchError(error), String(error));
      assert.equal(error.code, code);
      assert.equal(error.kind, kind);
      assert.equal(error.status, kind === "BadRequest" ? 400 : 422);
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe("malformed patches carry Kubernetes' messages", () => {
  it("unknown $patch value in a map", () => {
    assertFails(
      { labels: { a: "1" } },
      { labels: { $patch: "merge" } },
      "BadPatchType",
      "Invalid",
      "unknown patch type: merge in map: map[$patch:merge]",
    );
  });

  it("unknown $patch value in a list element, non-string values printed as Go's %s does", () => {
    const original = { containers: [{ name: "a" }] };
    assertFails(
      original,
      { containers: [{ name: "a", $patch: "drop" }] },
      "BadPatchType",
      "Invalid",
      "unknown patch type: drop in map: map[$patch:drop name:a]",
    );
    assertFails(
      original,
      { containers: [{ name: "a", $patch: 1 }] },
      "BadPatchType",
      "Invalid",
      "unknown patch type: %!s(int64=1) in map: map[$patch:1 name:a]",
    );
  });

  it("$patch: merge in a list element is refused as Kubernetes does", () => {
    assertFails(
      { containers: [{ name: "a" }] },
      { containers: [{ name: "a", $patch: "merge" }] },
      "MergeDirectiveInList",
      "Invalid",
      "merging lists cannot yet be specified in the patch",
    );
  });

  it("merge key missing in a list element, also in a delete directive", () => {
    const original = { containers: [{ name: "a" }] };
    assertFails(
      original,
      { containers: [{ image: "x", ports: [1] }] },
      "NoMergeKey",
      "Invalid",
      "map: map[image:x ports:[1]] does not contain declared merge key: name",
    );
    assertFails(
      original,
      { containers: [{ $patch: "delete" }] },
      "NoMergeKey",
      "Invalid",
      "map: map[$patch:delete] does not contain declared merge key: name",
    );
  });

  it("$setElementOrder that is not a list, or whose field is not a list", () => {
    assertFails(
      { ports: [1] },
      { "$setElementOrder/ports": "1" },
      "BadArgType",
      "BadRequest",
      "expected a []interface {}, but received a string",
    );
    assertFails(
      { ports: { a: 1 } },
      { "$setElementOrder/ports": [1] },
      "BadArgType",
      "BadRequest",
      "expected a []interface {}, but received a map[string]interface {}",
    );
    assertFails(
      { ports: [1] },
      { "$setElementOrder/ports": [1], ports: 2 },
      "BadArgType",
      "BadRequest",
      "expected a []interface {}, but received a int64",
    );
  });

  it("$setElementOrder contradicting the patch list names both lists", () => {
    assertFails(
      { ports: [1, 2] },
      { "$setElementOrder/ports": [1, 2], ports: [2, 1] },
      "SetElementOrderMismatch",
      "Invalid",
      "The order in patch list:\n[2 1]\n doesn't match $setElementOrder list:\n[1 2]\n",
    );
  });

  it("directive keys without a field name", () => {
    assertFails(
      { ports: [1] },
      { $deleteFromPrimitiveList: [1] },
      "BadPatchFormatForPrimitiveList",
      "BadRequest",
      "invalid patch format of primitive list",
    );
    assertFails(
      { ports: [1] },
      { "$deleteFromPrimitiveListX/ports": [1] },
      "BadPatchFormatForPrimitiveList",
      "BadRequest",
      "invalid patch format of primitive list",
    );
    assertFails(
      { ports: [1] },
      { "$setElementOrderX/ports": [1] },
      "BadPatchFormatForSetElementOrderList",
      "BadRequest",
      "invalid patch format of setElementOrder list",
    );
  });

  it("$retainKeys that is not a list, or does not retain a field the patch sets", () => {
    const original = { strategy: { name: "a", image: "b" } };
    assertFails(
      original,
      { strategy: { $retainKeys: "name" } },
      "BadPatchFormatForRetainKeys",
      "BadRequest",
      "invalid patch format of retainKeys",
    );
    assertFails(
      original,
      { strategy: { $retainKeys: ["name"], image: "c" } },
      "BadPatchFormatForRetainKeys",
      "BadRequest",
      "invalid patch format of retainKeys",
    );
  });

  it("lists of lists and mixed element types in a merging list", () => {
    assertFails({ ports: [[1]] }, { ports: [[2]] }, "NoListOfLists", "Invalid", "lists of lists are not supported");
    assertFails(
      { ports: [1] },
      { ports: ["1"] },
      "ListElementTypesNotIdentical",
      "Invalid",
      "list element types are not identical: [[1] [1]]",
    );
  });

  it("a merging list of maps without a declared merge key", () => {
    const schema: StrategicMergeSchema = {
      type: "object",
      properties: { rules: { type: "array", "x-kubernetes-patch-strategy": "merge", items: { type: "object" } } },
    };
    assertFails(
      { rules: [{ a: 1 }] },
      { rules: [{ a: 2 }] },
      "NoMergeKeyDeclared",
      "Invalid",
      "cannot merge lists without merge key for rules",
      schema,
    );
  });

  it("an x-kubernetes-patch-strategy Kubernetes cannot parse", () => {
    const schema: StrategicMergeSchema = {
      type: "object",
      properties: { rules: { type: "array", "x-kubernetes-patch-strategy": "merge,replace" } },
    };
    assertFails(
      { rules: [1] },
      { rules: [2] },
      "InvalidPatchStrategy",
      "Invalid",
      "unexpected patch strategy: [merge replace]",
      schema,
    );
  });

  it("reports where in the object the patch failed", () => {
    assert.throws(
      () =>
        applyStrategicMergePatch(
          { spec: { containers: [{ name: "a" }] } },
          { spec: { containers: [{}] } },
          { type: "object", properties: { spec: widgetSchema } },
        ),
      (error) => isStrategicMergePatchError(error, "NoMergeKey") && error.path === "spec.containers",
    );
  });
});

describe("directives", () => {
  it("$patch: replace on a nested map keeps only the patch's keys", () => {
    const result = applyStrategicMergePatch(
      { labels: { a: "1", b: "2" } },
      { labels: { c: "3", $patch: "replace" } },
      widgetSchema,
    );
    assert.deepEqual(result, { labels: { c: "3" } });
  });

  it("$patch: replace in a merging list replaces the list, $patch: delete removes by key", () => {
    const original: JSONObject = { containers: [{ name: "a", image: "1" }, { name: "b" }] };
    assert.deepEqual(
      applyStrategicMergePatch(original, { containers: [{ name: "c" }, { $patch: "replace" }] }, widgetSchema),
      { containers: [{ name: "c" }] },
    );
    assert.deepEqual(
      applyStrategicMergePatch(original, { containers: [{ name: "a", $patch: "delete" }] }, widgetSchema),
      { containers: [{ name: "b" }] },
    );
  });

  it("a directive inside a value added by the patch is dropped, not stored", () => {
    const result = applyStrategicMergePatch(
      {},
      { labels: { $patch: "delete" }, containers: [{ name: "a" }, { name: "b", $patch: "delete" }] },
      widgetSchema,
    );
    assert.deepEqual(result, { containers: [{ name: "a" }] });
  });

  it("$retainKeys clears unlisted fields; null deletes; unmatched nulls are dropped", () => {
    const result = applyStrategicMergePatch(
      { strategy: { name: "rolling", image: "x", note: "y" }, note: "keep" },
      { strategy: { $retainKeys: ["name", "labels"], labels: { a: "1", b: null } }, image: null },
      widgetSchema,
    );
    assert.deepEqual(result, { strategy: { name: "rolling", labels: { a: "1" } }, note: "keep" });
  });

  it("$deleteFromPrimitiveList and $setElementOrder together on a set", () => {
    const result = applyStrategicMergePatch(
      { ports: [1, 2, 3, 4] },
      { "$deleteFromPrimitiveList/ports": [2], "$setElementOrder/ports": [3, 1, 5], ports: [5] },
      widgetSchema,
    );
    assert.deepEqual(result, { ports: [3, 1, 5, 4] });
  });
});

describe("fields without patch metadata", () => {
  it("without a schema, maps merge and lists are replaced", () => {
    const result = applyStrategicMergePatch(
      { spec: { list: [1, 2], map: { a: 1, b: 2 } } },
      { spec: { list: [3], map: { b: null, c: 3 } } },
      undefined,
    );
    assert.deepEqual(result, { spec: { list: [3], map: { a: 1, c: 3 } } });
  });

  it("undeclared and preserve-unknown-fields fields merge as plain JSON", () => {
    const result = applyStrategicMergePatch(
      { config: { a: { x: 1 }, l: [{ name: "a" }] }, extra: { y: 1 } },
      { config: { a: { z: 2 }, l: [{ name: "b" }] }, extra: { y: null, w: [1] } },
      widgetSchema,
    );
    assert.deepEqual(result, { config: { a: { x: 1, z: 2 }, l: [{ name: "b" }] }, extra: { w: [1] } });
  });

  it("a map's value schema applies to every key (additionalProperties)", () => {
    const schema: StrategicMergeSchema = {
      type: "object",
      properties: { byZone: { type: "object", additionalProperties: widgetSchema } },
    };
    const result = applyStrategicMergePatch(
      { byZone: { east: { containers: [{ name: "a" }] } } },
      { byZone: { east: { containers: [{ name: "b" }] } } },
      schema,
    );
    // Without $setElementOrder, elements new to the list come before the live ones (as upstream).
    assert.deepEqual(result, { byZone: { east: { containers: [{ name: "b" }, { name: "a" }] } } });
  });
});

describe("inputs and prototype safety", () => {
  it("never modifies its inputs", () => {
    const original = deepFreeze<JSONObject>({
      containers: [{ name: "a", ports: [1] }, { name: "b" }],
      labels: { x: "1" },
    });
    const patch = deepFreeze<JSONObject>({
      "$setElementOrder/containers": [{ name: "b" }, { name: "a" }],
      containers: [
        { name: "a", ports: [2] },
        { name: "c", $patch: "delete" },
      ],
      labels: { x: null, y: "2" },
    });
    const before = JSON.stringify([original, patch]);
    const result = applyStrategicMergePatch(original, patch, widgetSchema);
    assert.equal(JSON.stringify([original, patch]), before);
    assert.deepEqual(result, { containers: [{ name: "b" }, { name: "a", ports: [2, 1] }], labels: { y: "2" } });
  });

  it("__proto__, constructor and prototype keys become own data properties, never a prototype", () => {
    const original = JSON.parse('{"spec":{"constructor":{"prototype":{"a":1}}}}') as JSONObject;
    const patch = JSON.parse(
      '{"__proto__":{"polluted":true},"spec":{"constructor":{"prototype":{"b":2}},"__proto__":{"x":1}},"labels":{"prototype":"p"}}',
    ) as JSONObject;
    const result = applyStrategicMergePatch(original, patch, widgetSchema);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.ok(Object.hasOwn(result, "__proto__"));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((result as Record<string, unknown>).polluted, undefined);
    assert.equal(
      JSON.stringify(result),
      '{"spec":{"constructor":{"prototype":{"a":1,"b":2}},"__proto__":{"x":1}},"__proto__":{"polluted":true},"labels":{"prototype":"p"}}',
    );
    const spec = result.spec as JSONObject;
    assert.equal(Object.getPrototypeOf(spec), Object.prototype);
    assert.deepEqual(Object.keys(spec), ["constructor", "__proto__"]);
  });

  it("keys named like Object.prototype members are not mistaken for existing fields or schemas", () => {
    const result = applyStrategicMergePatch(
      {},
      { toString: { a: [1] }, constructor: null, hasOwnProperty: [1] },
      widgetSchema,
    );
    assert.equal(JSON.stringify(result), '{"toString":{"a":[1]},"hasOwnProperty":[1]}');
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
