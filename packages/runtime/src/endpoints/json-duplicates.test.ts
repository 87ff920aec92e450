import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { duplicateFields, jsonPatchFieldProblems, numberLiteralAt } from "./json-duplicates.js";

/** A JSON value written member by member; members `repeat` picks are written twice, their paths kept in `out`. */
function write(value: unknown, path: string, repeat: (path: string) => boolean, out: string[]): string {
  if (Array.isArray(value)) return `[${value.map((v, i) => write(v, `${path}[${i}]`, repeat, out)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const members: string[] = [];
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === "" ? key : `${path}.${key}`;
      members.push(`${JSON.stringify(key)} : ${write(child, childPath, repeat, out)}`);
      if (repeat(childPath)) {
        out.push(childPath);
        members.push(`${JSON.stringify(key)}:${JSON.stringify(child)}`);
      }
    }
    return `{ ${members.join(",\n ")} }`;
  }
  return JSON.stringify(value);
}

describe("duplicate JSON fields", () => {
  it("names each repeated field by its Kubernetes path, in the order met", () => {
    const text = `{"apiVersion":"v1","spec":{"replicas":1,"items":[{"name":"a","name":"b"}],"replicas":2},"spec":{}}`;
    assert.deepEqual(duplicateFields(text), ["spec.items[0].name", "spec.replicas", "spec"]);
  });

  it("compares keys by value, escapes decoded, and ignores repeats in different objects or in strings", () => {
    assert.deepEqual(duplicateFields(`{"name":1,"n\\u0061me":2}`), ["name"]);
    assert.deepEqual(duplicateFields(`{"a":{"x":1},"b":{"x":1},"c":"\\"a\\":1,\\"a\\":2"}`), []);
    assert.deepEqual(duplicateFields(`{ }`), []);
    assert.deepEqual(duplicateFields(`{"a":[ ],"b":[1, true, null, -2.5e3, "x"]}`), []);
  });

  it("finds exactly the repeats written into any JSON object (fast-check)", () => {
    const key = fc.string({ maxLength: 6 });
    const leaf = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("tree"), { maxLength: 3 }),
        fc.dictionary(key, tie("tree"), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(
        fc.dictionary(key, tree, { maxKeys: 5 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        (object, coins) => {
          let n = 0;
          const expected: string[] = [];
          const text = write(object, "", () => coins[n++ % coins.length] === true, expected);
          JSON.parse(text);
          // The scan meets a repeat after the first copy's own content: order by position in the text.
          assert.deepEqual([...duplicateFields(text)].sort(), [...expected].sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it("checks a JSON patch's operations as kube-apiserver decodes them: unknown and repeated fields in the order met", () => {
    // Upstream's field-validation integration test body (test/integration/apiserver/field_validation_test.go).
    const text = `[
      {"op": "add", "path": "/spec/unknown1", "value": "val1", "foo": "bar"},
      {"op": "add", "path": "/spec/unknown2", "path": "/spec/unknown3", "value": "val2"},
      {"op": "add", "path": "/spec/unknownDupe", "value": "valDupe"},
      {"op": "add", "path": "/spec/unknownDupe", "value": "valDupe2"}
    ]`;
    assert.deepEqual(jsonPatchFieldProblems(text, JSON.parse(text)), [
      'json patch unknown field "[0].foo"',
      'json patch duplicate field "[1].path"',
    ]);
    // Inside a value, every field is allowed but a repeat is still one; an unknown field is named once.
    const nested = `[{"op":"add","path":"/a","value":{"k":1,"k":2},"Op":"x","Op":"y","op":"add"}]`;
    assert.deepEqual(jsonPatchFieldProblems(nested, JSON.parse(nested)), [
      'json patch duplicate field "[0].value.k"',
      'json patch unknown field "[0].Op"',
      'json patch duplicate field "[0].op"',
    ]);
    const clean = `[{"op":"test","path":"/a","value":{"x":1}},{"op":"move","from":"/a","path":"/b"}]`;
    assert.deepEqual(jsonPatchFieldProblems(clean, JSON.parse(clean)), []);
  });

  it("names every unknown operation field once and every repeated known one, in order (fast-check)", () => {
    const known = ["op", "path", "from", "value"];
    const field = fc.oneof(fc.constantFrom(...known), fc.constantFrom("foo", "Op", "extra", "__proto__"));
    const operation = fc.array(fc.tuple(field, fc.oneof(fc.string({ maxLength: 4 }), fc.integer())), {
      minLength: 1,
      maxLength: 7,
    });
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 5 }), (operations) => {
        const expected: string[] = [];
        const text = `[${operations
          .map((members, index) => {
            const seen = new Set<string>();
            for (const [name] of members) {
              const path = JSON.stringify(`[${index}].${name}`);
              if (!known.includes(name)) {
                if (!seen.has(name)) expected.push(`json patch unknown field ${path}`);
              } else if (seen.has(name)) expected.push(`json patch duplicate field ${path}`);
              seen.add(name);
            }
            return `{${members.map(([name, value]) => `${JSON.stringify(name)}: ${JSON.stringify(value)}`).join(", ")}}`;
          })
          .join(",\n")}]`;
        assert.deepEqual(jsonPatchFieldProblems(text, JSON.parse(text)), expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("numbers as a JSON text writes them", () => {
  it("reads the number at a path as written, through objects and arrays", () => {
    const text = ` { "spec" : { "replicas" : 1e3 , "items": [ {"n": 3.0}, {"n": -0.50E+1} ] }, "x": "1e3", "y": [] } `;
    assert.equal(numberLiteralAt(text, ["spec", "replicas"]), "1e3");
    assert.equal(numberLiteralAt(text, ["spec", "items", 1, "n"]), "-0.50E+1");
    assert.equal(numberLiteralAt(text, ["spec", "items", "0", "n"]), "3.0");
    for (const path of [
      ["x"],
      ["spec"],
      ["spec", "items", 2, "n"],
      ["spec", "items", "01", "n"],
      ["spec", "missing"],
      ["x", "y"],
      ["y", 0],
      ["spec", "items", "n"],
    ]) {
      assert.equal(numberLiteralAt(text, path), undefined, JSON.stringify(path));
    }
  });

  it("reads a repeated key's last value, as JSON.parse keeps it", () => {
    const text = `{"spec":{"replicas":1e3},"spec":{"other":1},"a":{"b":2.0,"b":3.00}}`;
    assert.equal(numberLiteralAt(text, ["spec", "replicas"]), undefined);
    assert.equal(numberLiteralAt(text, ["a", "b"]), "3.00");
  });

  it("finds every number JSON.parse finds, at its path, and nothing else (fast-check)", () => {
    const visit = (value: unknown, path: Array<string | number>, out: Array<[Array<string | number>, unknown]>) => {
      out.push([path, value]);
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) visit(v, [...path, i], out);
      } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) visit(v, [...path, k], out);
      }
      return out;
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 1, "\t"), (value, space) => {
        const text = JSON.stringify(value, null, space);
        for (const [path, held] of visit(JSON.parse(text), [], [])) {
          const literal = numberLiteralAt(text, path);
          if (typeof held === "number") assert.equal(Number(literal), held, `${text} at ${JSON.stringify(path)}`);
          else assert.equal(literal, undefined, `${text} at ${JSON.stringify(path)}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
