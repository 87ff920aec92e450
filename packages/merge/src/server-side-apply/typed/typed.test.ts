import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONObject } from "../../json/json.js";
import { isServerSideApplyError } from "../errors.js";
import { FieldSet } from "../fieldpath/field-set.js";
import { fieldElement, keyElement, pathString } from "../fieldpath/path-element.js";
import { compare } from "./compare.js";
import { merge } from "./merge.js";
import { ensureNamedFieldsAreMembers } from "./named-fields.js";
import { removeItems } from "./remove.js";
import { rootTypeOf, type ServerSideApplySchema, typeOf } from "./schema.js";
import { toFieldSet } from "./to-field-set.js";

// Mirrors structured-merge-diff's typed/toset_test.go, symdiff_test.go, merge_test.go and
// remove_test.go with our own cases, on a schema covering each topology.

const schema: ServerSideApplySchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    map: { type: "object", additionalProperties: { type: "string" } },
    struct: { type: "object", properties: { a: { type: "string" }, b: { type: "integer" } } },
    atomicMap: { type: "object", "x-kubernetes-map-type": "atomic", additionalProperties: { type: "string" } },
    set: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
    atomic: { type: "array", items: { type: "string" } },
    legacy: {
      type: "array",
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-patch-merge-key": "name",
      items: { type: "object", properties: { name: { type: "string" }, v: { type: "string" } } },
    },
    items: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      items: { type: "object", properties: { name: { type: "string" }, v: { type: "string" } } },
    },
    quantity: { "x-kubernetes-int-or-string": true },
  },
};
const type = typeOf(schema);
const paths = (set: FieldSet) => set.paths().map(pathString).sort();

describe("ToFieldSet (toset_test.go)", () => {
  it("leaves, list elements and undeclared map keys are members; declared containers are not", () => {
    const value: JSONObject = {
      name: "n",
      map: { k: "v" },
      struct: { a: "x" },
      atomicMap: { z: "1" },
      set: ["s"],
      atomic: ["x", "y"],
      legacy: [{ name: "l" }],
      items: [{ name: "i", v: "1" }],
      quantity: "1Gi",
    };
    assert.deepEqual(paths(toFieldSet(value, type)), [
      ".atomic",
      ".atomicMap",
      '.items[name="i"]',
      '.items[name="i"].name',
      '.items[name="i"].v',
      '.legacy[name="l"]',
      '.legacy[name="l"].name',
      ".map.k",
      ".name",
      ".quantity",
      '.set[="s"]',
      ".struct.a",
    ]);
  });
  it("empty granular maps and lists own nothing; null of an atomic list is a leaf", () => {
    assert.deepEqual(paths(toFieldSet({ map: {}, items: [], atomic: null }, type)), [".atomic"]);
  });
  it("refuses list-map elements without keys, maps in sets, duplicates when asked", () => {
    const invalid = (value: JSONObject, unique = false) =>
      assert.throws(
        () => toFieldSet(value, type, unique),
        (e) => isServerSideApplyError(e, "InvalidObject"),
      );
    invalid({ items: [{ v: "1" }] });
    invalid({ set: [{ a: 1 }] });
    invalid({ items: [{ name: "a" }, { name: "a" }] }, true);
    assert.throws(() => toFieldSet({ items: [{ v: "1" }] }, type), {
      message:
        '.items: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    });
  });
});

describe("Compare (symdiff_test.go)", () => {
  it("added, modified and removed leaves; containers that appear or vanish are members", () => {
    const c = compare(
      { name: "a", map: { k: "1", gone: "x" }, items: [{ name: "i", v: "1" }] },
      { name: "b", map: { k: "1" }, struct: { a: "new" }, items: [{ name: "i", v: "2" }, { name: "j" }] },
      type,
    );
    assert.deepEqual(paths(c.modified), ['.items[name="i"].v', ".name"]);
    assert.deepEqual(paths(c.added), ['.items[name="j"]', '.items[name="j"].name', ".struct", ".struct.a"]);
    assert.deepEqual(paths(c.removed), [".map.gone"]);
  });
  it("order of associative lists does not matter, of atomic lists it does", () => {
    const c = compare({ set: ["a", "b"], atomic: ["a", "b"] }, { set: ["b", "a"], atomic: ["b", "a"] }, type);
    assert.deepEqual(paths(c.modified), [".atomic"]);
    assert.ok(c.added.isEmpty() && c.removed.isEmpty());
  });
  it("empty and null containers are leaves, so {} to null is a modification", () => {
    assert.deepEqual(paths(compare({ map: {} }, { map: null }, type).modified), [".map"]);
  });
});

describe("Merge (merge_test.go)", () => {
  it("granular maps merge, atomic values are replaced, list-maps merge by key in the config's order", () => {
    const merged = merge(
      {
        map: { a: "1" },
        atomicMap: { a: "1" },
        atomic: ["x"],
        items: [
          { name: "a", v: "1" },
          { name: "b", v: "2" },
        ],
        set: ["p", "q"],
      },
      {
        map: { b: "2" },
        atomicMap: { b: "2" },
        atomic: ["y"],
        items: [{ name: "c" }, { name: "a", v: "9" }],
        set: ["r", "p"],
      },
      type,
    );
    assert.deepEqual(JSON.parse(JSON.stringify(merged)), {
      map: { a: "1", b: "2" },
      atomicMap: { b: "2" },
      atomic: ["y"],
      items: [{ name: "c" }, { name: "a", v: "9" }, { name: "b", v: "2" }],
      set: ["r", "p", "q"],
    });
  });
  it("live-only elements keep their place between shared ones", () => {
    const merged = merge({ set: ["a", "b", "c", "d"] }, { set: ["a", "aprime", "c", "cprime"] }, type);
    assert.deepEqual(JSON.parse(JSON.stringify(merged)), { set: ["a", "b", "aprime", "c", "d", "cprime"] });
  });
  it("refuses duplicate keys in the configuration", () => {
    assert.throws(
      () => merge({}, { items: [{ name: "a" }, { name: "a" }] }, type),
      (e) => isServerSideApplyError(e, "InvalidObject") && /duplicate entries for key \[name="a"\]/.test(e.message),
    );
  });
});

describe("RemoveItems and named fields (remove_test.go, set_test.go TestEnsureNamedFieldsAreMembers)", () => {
  it("removes members with their subtrees, keeps the rest", () => {
    const remove = FieldSet.of(
      [fieldElement("map"), fieldElement("k")],
      [fieldElement("items"), keyElement({ name: "a" })],
      [fieldElement("name")],
    );
    const out = removeItems(
      { name: "x", map: { k: "1", j: "2" }, items: [{ name: "a" }, { name: "b" }] },
      remove,
      type,
    );
    assert.deepEqual(JSON.parse(JSON.stringify(out)), { map: { j: "2" }, items: [{ name: "b" }] });
  });
  it("a granular map emptied by removal becomes null, as upstream", () => {
    const out = removeItems({ struct: { a: "x" } }, FieldSet.of([fieldElement("struct"), fieldElement("a")]), type);
    assert.deepEqual(JSON.parse(JSON.stringify(out)), { struct: null });
  });
  it("declared fields above members become members; map keys and set values do not", () => {
    const set = FieldSet.of(
      [fieldElement("struct"), fieldElement("a")],
      [fieldElement("map"), fieldElement("k")],
      [fieldElement("items"), keyElement({ name: "a" }), fieldElement("v")],
    );
    assert.deepEqual(paths(ensureNamedFieldsAreMembers(set, type)), [
      ".items",
      '.items[name="a"].v',
      ".map",
      ".map.k",
      ".struct",
      ".struct.a",
    ]);
  });
});

describe("schema topology", () => {
  it("metadata is ObjectMeta unless the schema spells it out", () => {
    const set = toFieldSet(
      { metadata: { labels: { a: "1" }, finalizers: ["f"], ownerReferences: [{ uid: "u", name: "o" }] } },
      rootTypeOf({ type: "object", properties: { metadata: { type: "object" } } }),
    );
    assert.deepEqual(paths(set), [
      '.metadata.finalizers[="f"]',
      ".metadata.labels.a",
      '.metadata.ownerReferences[uid="u"]',
      '.metadata.ownerReferences[uid="u"].name',
      '.metadata.ownerReferences[uid="u"].uid',
    ]);
  });
});
