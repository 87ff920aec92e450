import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { cloneObject } from "./objects.js";

const viaJSON = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe("cloneObject", () => {
  it("copies any JSON value exactly as a JSON round trip does", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.deepStrictEqual(cloneObject(value), viaJSON(value));
      }),
      { seed: 1616, numRuns: 500 },
    );
  });

  it("follows JSON's rules for what JSON can't hold", () => {
    const when = new Date("2026-11-30T00:00:00Z");
    const odd = { a: undefined, b: () => 1, c: [undefined, Number.NaN, Infinity, () => 2], d: when, e: { f: -0 } };
    assert.deepStrictEqual(cloneObject(odd), viaJSON(odd));
    assert.deepStrictEqual(cloneObject(odd), {
      c: [null, null, null, null],
      d: "2026-11-30T00:00:00.000Z",
      e: { f: 0 },
    });
  });

  it("keeps a parsed __proto__ member a member, never the copy's prototype", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "spec": {"constructor": {"prototype": 1}}}') as object;
    const copy = cloneObject(parsed) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { polluted?: boolean }).polluted, undefined);
    assert.deepStrictEqual(Object.keys(copy), ["__proto__", "spec"]);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(copy, "__proto__")?.value, { polluted: true });
    assert.deepStrictEqual(viaJSON(copy), viaJSON(parsed));
  });

  it("shares nothing with the original, which may be frozen", () => {
    const original = Object.freeze({
      metadata: Object.freeze({ labels: Object.freeze({ a: "1" }) }),
      items: Object.freeze([Object.freeze({ x: 1 })]),
    });
    const copy = cloneObject(original) as unknown as {
      metadata: { labels: Record<string, string> };
      items: Array<{ x: number }>;
    };
    copy.metadata.labels.b = "2";
    (copy.items[0] as { x: number }).x = 2;
    assert.deepStrictEqual(original, { metadata: { labels: { a: "1" } }, items: [{ x: 1 }] });
  });
});
