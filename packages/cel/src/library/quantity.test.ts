import assert from "node:assert/strict";
import { test } from "node:test";
import { fails, holds } from "../testing/evaluate.js";

test("quantity parsing and comparison", () => {
  holds('quantity("1Gi").isGreaterThan(quantity("1G"))');
  holds('quantity("500m").isLessThan(quantity("1"))');
  holds('quantity("1") == quantity("1000m")');
  holds('quantity("1.5Gi").compareTo(quantity("1536Mi")) == 0');
  holds('quantity("1e3").asInteger() == 1000');
  holds('isQuantity("100Mi") && !isQuantity("100MiB") && !isQuantity("") && !isQuantity(".")');
  assert.match(fails('quantity("1x").sign() == 1'), /quantities must match the regular expression/);
});

test("quantity arithmetic and conversions", () => {
  holds('quantity("500m").add(1) == quantity("1.5")');
  holds('quantity("1Gi").sub(quantity("512Mi")) == quantity("512Mi")');
  holds('quantity("-2").sign() == -1 && quantity("0").sign() == 0');
  holds('quantity("1.5").isInteger() == false && quantity("2k").isInteger()');
  holds('quantity("250m").asApproximateFloat() == 0.25');
  assert.match(fails('quantity("1.5").asInteger() == 1'), /cannot convert value to integer/);
  assert.match(fails('quantity("10E").asInteger() > 0'), /cannot convert value to integer/);
});
