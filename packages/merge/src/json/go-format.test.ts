import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compareGoStrings, goString, goTypeName, goValue, sortGoStrings } from "./go-format.js";

describe("Go formatting of decoded JSON", () => {
  it("prints maps with sorted keys, lists space-separated, nil for null", () => {
    assert.equal(goValue({ b: [1, "x", null], a: { d: true, c: 1.5 } }), "map[a:map[c:1.5 d:true] b:[1 x <nil>]]");
    assert.equal(goValue([]), "[]");
    assert.equal(goValue({}), "map[]");
  });

  it("prints numbers as strconv does", () => {
    assert.equal(goValue(1000000), "1000000");
    assert.equal(goValue(0.00001), "1e-05");
    assert.equal(goValue(0.0001), "0.0001");
    assert.equal(goValue(1.7976931348623157e308), "1.7976931348623157e+308");
    assert.equal(goValue(-0.5), "-0.5");
  });

  it("flags non-strings under %s and names Go types", () => {
    assert.equal(goString("delete"), "delete");
    assert.equal(goString(true), "%!s(bool=true)");
    assert.equal(goString(2.5), "%!s(float64=2.5)");
    assert.deepEqual([[], {}, 1, 1.5, "s", false, null].map(goTypeName), [
      "[]interface {}",
      "map[string]interface {}",
      "int64",
      "float64",
      "string",
      "bool",
      "<nil>",
    ]);
  });

  it("orders strings by code point, as Go's byte-wise comparison of UTF-8 does", () => {
    assert.ok(compareGoStrings("10", "9") < 0);
    assert.ok(compareGoStrings("a", "ab") < 0);
    assert.equal(compareGoStrings("x", "x"), 0);
    // U+FF61 sorts before U+1F600 in UTF-8, though its UTF-16 code unit is larger than the surrogate.
    assert.ok(compareGoStrings("\uff61", "\u{1f600}") < 0);
    assert.ok("\uff61" > "\u{1f600}");
  });
});

describe("sortGoStrings", () => {
  it("orders as compareGoStrings does, with and without surrogates (fast-check)", () => {
    // Characters on both sides of the surrogate range, surrogate pairs and lone surrogates.
    const char = fc.oneof(
      fc.constantFrom("a", "B", "~", "é", "\u00ff", "\ud7ff", "\ue000", "\uffff", "\ud800", "\udfff"),
      fc.constantFrom("\u{10000}", "\u{1f600}", "\u{10ffff}"),
    );
    const text = fc.array(char, { maxLength: 4 }).map((chars) => chars.join(""));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 8 }), (strings) => {
        assert.deepEqual(sortGoStrings([...strings]), [...strings].sort(compareGoStrings));
      }),
      { numRuns: 2000 },
    );
  });
});
