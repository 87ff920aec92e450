import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { lowerBound, SortedKeys } from "./sorted-keys.js";

type Op = { readonly kind: "insert" | "delete" | "rank" | "from"; readonly key: string };

describe("SortedKeys", () => {
  it("answers rank and from exactly as one sorted array does, through inserts, deletes and chunk splits", () => {
    const key = fc.string({ unit: fc.constantFrom("a", "b", "c", "/", "\u0000"), maxLength: 4 });
    const op = fc.record({ kind: fc.constantFrom("insert", "insert", "delete", "rank", "from"), key });
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: 30 }),
        fc.array(op, { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (initial, ops: Op[], maxChunk) => {
          const model = [...initial].sort();
          const keys = new SortedKeys(model, maxChunk);
          for (const { kind, key } of ops) {
            const at = lowerBound(model, key);
            const present = model[at] === key;
            if (kind === "insert" && !present) {
              model.splice(at, 0, key);
              keys.insert(key);
            } else if (kind === "delete") {
              if (present) model.splice(at, 1);
              keys.delete(key);
            } else if (kind === "rank") {
              assert.equal(keys.rank(key), at);
            } else if (kind === "from") {
              assert.deepEqual([...keys.from(key)], model.slice(at));
            }
            assert.equal(keys.size, model.length);
          }
          assert.deepEqual([...keys.from("")], model);
        },
      ),
      { numRuns: 500 },
    );
  });
});
