import { test } from "node:test";
import { holds } from "../testing/evaluate.js";

test("sets.contains: every element of the second list is in the first", () => {
  holds("sets.contains([1, 2, 3], [3, 1])");
  holds("!sets.contains([1, 2], [4])");
  holds("sets.contains([1], [])");
});

test("sets.equivalent ignores order and duplicates", () => {
  holds("sets.equivalent([1, 2, 2], [2, 1])");
  holds("!sets.equivalent([1, 2], [1])");
});

test("sets.intersects", () => {
  holds('sets.intersects(["a", "b"], ["b", "c"])');
  holds('!sets.intersects(["a"], ["c"])');
  holds('sets.intersects(self, ["x"])', ["x", "y"]);
});
