import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyJSONPatch,
  applyMergePatch,
  decodeJSONPatch,
  jsonPatchSource,
  MAX_JSON_PATCH_COPY_BYTES,
  PatchError,
} from "./json-patch.js";

describe("JSON merge patch (RFC 7396)", () => {
  // Appendix A of RFC 7396, every vector.
  const vectors: Array<[unknown, unknown, unknown]> = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [
      ["a", "b"],
      ["c", "d"],
      ["c", "d"],
    ],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  vectors.forEach(([original, patch, result], i) => {
    it(`applies RFC 7396 appendix vector ${i + 1}`, () => {
      assert.deepEqual(applyMergePatch(original, patch), result);
    });
  });

  it("never lets __proto__, constructor or prototype keys reach a prototype", () => {
    const patch = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"a":{"__proto__":{"x":1}}}',
    );
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.deepEqual(Object.keys(result).sort(), ["__proto__", "a", "constructor"]);
    assert.equal((result.a as Record<string, unknown>).x, undefined);
  });

  it("leaves its inputs unchanged", () => {
    const original = { a: { b: 1 } };
    applyMergePatch(original, { a: { b: 2 } });
    assert.deepEqual(original, { a: { b: 1 } });
  });
});

describe("JSON patch (RFC 6902)", () => {
  const doc = { spec: { list: ["a", "b"], name: "x" } };

  it("adds, removes, replaces, moves, copies and tests", () => {
    const ops = decodeJSONPatch([
      { op: "add", path: "/spec/list/1", value: "inserted" },
      { op: "add", path: "/spec/list/-", value: "end" },
      { op: "remove", path: "/spec/list/0" },
      { op: "replace", path: "/spec/name", value: "y" },
      { op: "copy", from: "/spec/name", path: "/spec/copy" },
      { op: "move", from: "/spec/copy", path: "/spec/moved" },
      { op: "test", path: "/spec/moved", value: "y" },
      { op: "add", path: "/spec/a~1b", value: 1 },
    ]);
    assert.deepEqual(applyJSONPatch(doc, ops), {
      spec: { list: ["inserted", "b", "end"], name: "y", moved: "y", "a/b": 1 },
    });
    assert.deepEqual(doc, { spec: { list: ["a", "b"], name: "x" } }, "the input is untouched");
  });

  it("traces a value of the result back to the operation that wrote it, through moves and copies", () => {
    const ops = decodeJSONPatch([
      { op: "add", path: "/status/replicas", value: 4 },
      { op: "add", path: "/spec", value: { replicas: 1, x: { y: 2 } } },
      { op: "move", from: "/status/replicas", path: "/spec/replicas" },
      { op: "copy", from: "/spec/x", path: "/spec/z" },
      { op: "test", path: "/spec/replicas", value: 4 },
      { op: "add", path: "/gone", value: 1 },
      { op: "remove", path: "/gone" },
    ]);
    assert.deepEqual(jsonPatchSource(ops, ["spec", "replicas"]), { operation: 0, within: [] });
    assert.deepEqual(jsonPatchSource(ops, ["spec", "z", "y"]), { operation: 1, within: ["x", "y"] });
    assert.deepEqual(jsonPatchSource(ops, ["spec", "x"]), { operation: 1, within: ["x"] });
    assert.equal(jsonPatchSource(ops, ["metadata", "name"]), undefined, "the document's own");
    assert.equal(jsonPatchSource(ops, ["gone"]), undefined, "removed");
    const root = decodeJSONPatch([{ op: "replace", path: "", value: { a: { "b/c": 1 } } }]);
    assert.deepEqual(jsonPatchSource(root, ["a", "b/c"]), { operation: 0, within: ["a", "b/c"] });
    const escaped = decodeJSONPatch([{ op: "add", path: "/a/b~1c", value: 1 }]);
    assert.deepEqual(jsonPatchSource(escaped, ["a", "b/c"]), { operation: 0, within: [] });
  });

  it("refuses malformed patches as decode errors (400)", () => {
    for (const bad of [
      { op: "add" },
      [{ op: "frobnicate", path: "/a" }],
      [{ op: "add", path: "/a" }],
      [{ op: "move", path: "/a" }],
      ["x"],
    ]) {
      assert.throws(
        () => decodeJSONPatch(bad),
        (e: unknown) => e instanceof PatchError && e.phase === "decode" && e.toStatus().code === 400,
      );
    }
  });

  it("refuses patches that don't apply (422)", () => {
    const cases = [
      [{ op: "remove", path: "/spec/missing" }],
      [{ op: "replace", path: "/nope/deeper", value: 1 }],
      [{ op: "add", path: "/spec/list/9", value: 1 }],
      [{ op: "test", path: "/spec/name", value: "other" }],
      [{ op: "move", from: "/spec", path: "/spec/inner" }],
      [{ op: "add", path: "spec", value: 1 }],
    ];
    for (const ops of cases) {
      assert.throws(
        () => applyJSONPatch(doc, decodeJSONPatch(ops)),
        (e: unknown) => e instanceof PatchError && e.phase === "apply" && e.toStatus().code === 422,
        JSON.stringify(ops),
      );
    }
  });

  it("bounds what copy operations may produce", () => {
    const big = { a: "x".repeat(1024 * 1024) };
    const ops = decodeJSONPatch(Array.from({ length: 4 }, (_, i) => ({ op: "copy", from: "/a", path: `/c${i}` })));
    assert.throws(
      () => applyJSONPatch(big, ops),
      (e: unknown) => e instanceof PatchError && e.message.includes(String(MAX_JSON_PATCH_COPY_BYTES)),
    );
  });

  it("adds keys named __proto__ as own properties", () => {
    const result = applyJSONPatch(
      {},
      decodeJSONPatch([{ op: "add", path: "/__proto__", value: { polluted: true } }]),
    ) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(result), ["__proto__"]);
  });
});
