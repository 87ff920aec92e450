import assert from "node:assert/strict";
import { test } from "node:test";
import { fails, holds } from "../testing/evaluate.js";

test("isSorted", () => {
  holds("[1, 2, 3].isSorted()");
  holds("![3, 1].isSorted()");
  holds('["a", "b"].isSorted()');
  holds("[1.0, 1.5].isSorted()");
  holds("self.isSorted()", [1, 5, 9]);
});

test("sum of ints and doubles", () => {
  holds("[1, 2, 3].sum() == 6");
  holds("[1.5, 2.5].sum() == 4.0");
  holds("self.sum() == 0", []);
  assert.match(fails("[9223372036854775807, 1].sum() > 0"), /integer overflow/);
});

test("min and max", () => {
  holds("[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3");
  holds('["b", "a"].min() == "a"');
  assert.match(fails("self.min() == 0", []), /min called on empty list/);
  assert.match(fails("self.max() == 0", []), /max called on empty list/);
});

test("indexOf and lastIndexOf on lists", () => {
  holds("[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2");
  holds('["a"].indexOf("b") == -1');
  holds("self.indexOf(2) == 1", [1, 2]);
});
