import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isServerSideApplyError } from "../errors.js";
import { FieldSet } from "./field-set.js";
import { fieldSetToFieldsV1, fieldsV1ToFieldSet } from "./fields-v1.js";
import {
  deserializePathElement,
  fieldElement,
  indexElement,
  keyElement,
  type Path,
  pathString,
  serializePathElement,
  valueElement,
} from "./path-element.js";

// Mirrors structured-merge-diff's fieldpath/serialize-pe_test.go, serialize_test.go,
// set_test.go and path_test.go with our own cases.

const f = fieldElement;
const paths = (set: FieldSet) => set.paths().map(pathString);

describe("path elements (serialize-pe_test.go TestPathElementRoundTrip)", () => {
  const cases: [string, string][] = [
    ["f:spec", ".spec"],
    ["f:", "."],
    ['k:{"name":"my-container","protocol":"TCP"}', '[name="my-container",protocol="TCP"]'],
    ['k:{"port":8080,"protocol":"TCP"}', '[port=8080,protocol="TCP"]'],
    ['v:"a"', '[="a"]'],
    ["v:3", "[=3]"],
    ["v:true", "[=true]"],
    ["v:null", "[=null]"],
    ["i:0", "[0]"],
    ["i:1234", "[1234]"],
  ];
  for (const [key, printed] of cases) {
    it(key, () => {
      const element = deserializePathElement(key);
      assert.ok(element);
      assert.equal(serializePathElement(element), key);
      assert.equal(pathString([element]), printed);
    });
  }
  it("sorts key fields and escapes values as Go does", () => {
    assert.equal(
      serializePathElement(keyElement({ protocol: "TCP", name: "<a&b>" })),
      'k:{"name":"\\u003ca\\u0026b\\u003e","protocol":"TCP"}',
    );
  });
  it("unknown prefixes are skipped, malformed keys refused (TestDeserializePathElementErrors)", () => {
    assert.equal(deserializePathElement("x:foo"), undefined);
    for (const bad of ["", "f", "fx", "k:{", "k:[1]", "v:", "i:a"]) {
      assert.throws(
        () => deserializePathElement(bad),
        (e) => isServerSideApplyError(e, "InvalidManagedFields"),
        bad,
      );
    }
  });
});

describe("FieldsV1 (serialize_test.go TestSerializeV1 / TestSerializeV1GoldenData)", () => {
  const sample = {
    "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
    "f:spec": {
      "f:containers": {
        'k:{"name":"c"}': {
          ".": {},
          "f:image": {},
          "f:name": {},
          "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
        },
      },
      "f:finalizers": { 'v:"a"': {}, 'v:"b"': {} },
      "f:replicas": {},
    },
  };
  it("round-trips, members and children in Kubernetes' order", () => {
    const set = fieldsV1ToFieldSet(sample);
    assert.deepEqual(fieldSetToFieldsV1(set), sample);
    assert.equal(JSON.stringify(fieldSetToFieldsV1(set)), JSON.stringify(sample));
    assert.deepEqual(paths(set), [
      ".metadata.labels",
      ".metadata.labels.app",
      ".spec.replicas",
      '.spec.containers[name="c"]',
      '.spec.containers[name="c"].image',
      '.spec.containers[name="c"].name',
      '.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
      '.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].containerPort',
      '.spec.finalizers[="a"]',
      '.spec.finalizers[="b"]',
    ]);
  });
  it("orders fields before keys before values before indexes, and keys by value", () => {
    const set = FieldSet.of(
      [indexElement(1)],
      [valueElement("x")],
      [valueElement(2)],
      [keyElement({ a: 2 })],
      [keyElement({ a: 10 })],
      [f("z")],
      [f("a")],
    );
    assert.deepEqual(Object.keys(fieldSetToFieldsV1(set)), [
      "f:a",
      "f:z",
      'k:{"a":2}',
      'k:{"a":10}',
      "v:2",
      'v:"x"',
      "i:1",
    ]);
  });
  it("reads members written in any order and ignores unknown prefixes", () => {
    const set = fieldsV1ToFieldSet({ "f:b": {}, "f:a": { "x:unknown": {} }, "f:c": { ".": {}, "f:d": {} } });
    assert.deepEqual(paths(set), [".a", ".b", ".c", ".c.d"]);
  });
  it("refuses what is not FieldsV1", () => {
    assert.throws(
      () => fieldsV1ToFieldSet([]),
      (e) => isServerSideApplyError(e, "InvalidManagedFields"),
    );
    assert.throws(
      () => fieldsV1ToFieldSet({ "f:a": 1 }),
      (e) => isServerSideApplyError(e, "InvalidManagedFields"),
    );
  });
});

describe("set operations (set_test.go)", () => {
  const p = (...names: string[]): Path => names.map((n) => f(n));
  const a = FieldSet.of(p("a", "b"), p("a", "c"), p("d"), p("e", "f"));
  const b = FieldSet.of(p("a", "b"), p("d", "x"), p("e"), p("g"));
  it("TestSetUnion", () => assert.deepEqual(paths(a.union(b)), [".d", ".e", ".g", ".a.b", ".a.c", ".d.x", ".e.f"]));
  it("TestSetIntersection", () => assert.deepEqual(paths(a.intersection(b)), [".a.b"]));
  it("TestSetDifference: parent - child = parent, child - parent = child", () => {
    assert.deepEqual(paths(a.difference(b)), [".d", ".a.c", ".e.f"]);
  });
  it("TestRecursiveDifference: a member removes its whole subtree", () => {
    assert.deepEqual(paths(a.recursiveDifference(b)), [".d", ".a.c"]);
  });
  it("TestSetHas / WithPrefix / Empty / Equals", () => {
    assert.ok(a.has(p("a", "b")));
    assert.ok(!a.has(p("a")));
    assert.deepEqual(paths(a.withPrefix(f("a"))), [".b", ".c"]);
    assert.ok(a.withPrefix(f("zzz")).isEmpty());
    assert.ok(a.difference(a).isEmpty());
    assert.ok(a.union(b).equals(b.union(a)));
    assert.ok(!a.equals(b));
  });
  it("the whole object (empty path) is never a member", () => {
    const set = FieldSet.of([]);
    assert.ok(set.isEmpty());
    assert.ok(!set.has([]));
  });
});
