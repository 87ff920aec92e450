import assert from "node:assert/strict";
import { test } from "node:test";
import { fails, holds } from "../testing/evaluate.js";

test("charAt counts code points", () => {
  holds('"héllo".charAt(1) == "é"');
  holds('"😀a".charAt(1) == "a"');
  holds('"abc".charAt(3) == ""');
  assert.match(fails('"abc".charAt(4) == ""'), /index out of range: 4/);
});

test("indexOf and lastIndexOf", () => {
  holds('"hello mellow".indexOf("ello") == 1');
  holds('"hello mellow".indexOf("ello", 2) == 7');
  holds('"hello mellow".indexOf("jello") == -1');
  holds('"😀abc".indexOf("b") == 2');
  holds('"hello mellow".lastIndexOf("ello") == 7');
  holds('"hello mellow".lastIndexOf("ello", 6) == 1');
  holds('"abc".indexOf("") == 0');
  assert.match(fails('"abc".indexOf("a", 4) == 0'), /index out of range: 4/);
});

test("lowerAscii and upperAscii change ASCII letters only", () => {
  holds('"TacoCÀt".lowerAscii() == "tacocÀt"');
  holds('"tacoCàt".upperAscii() == "TACOCàT"');
});

test("replace, with and without a limit", () => {
  holds('"hello hello".replace("he", "we") == "wello wello"');
  holds('"hello hello".replace("he", "we", 1) == "wello hello"');
  holds('"hello".replace("", "_") == "_h_e_l_l_o_"');
  holds('"hello".replace("l", "L", 0) == "hello"');
});

test("split and join", () => {
  holds('"a,b,c".split(",") == ["a", "b", "c"]');
  holds('"a,b,c".split(",", 2) == ["a", "b,c"]');
  holds('["a", "b"].join() == "ab"');
  holds('["a", "b"].join("-") == "a-b"');
});

test("substring counts code points and checks its range", () => {
  holds('"tacocat".substring(4) == "cat"');
  holds('"tacocat".substring(0, 4) == "taco"');
  holds('"😀taco".substring(1, 3) == "ta"');
  assert.match(fails('"abc".substring(2, 1) == ""'), /invalid substring range\. start: 2, end: 1/);
  assert.match(fails('"abc".substring(4) == ""'), /index out of range: 4/);
});

test("trim removes Go's Unicode white space", () => {
  holds('"  \\ttrim\\n ".trim() == "trim"');
});

test("format, reverse and strings.quote", () => {
  holds('"%s has %d items".format([dyn("list"), dyn(3)]) == "list has 3 items"');
  holds('"%.2f".format([3.14159]) == "3.14"');
  holds('"%x".format([255]) == "ff"');
  holds('"%d%%".format([50]) == "50%"');
  holds('"gums".reverse() == "smug"');
  holds('strings.quote("first\\nsecond") == "\\"first\\\\nsecond\\""');
  assert.match(fails('"%d".format(["x"]) == ""'), /decimal clause can only be used on integers/);
});

test("the usual string built-ins", () => {
  holds('"kube".startsWith("ku") && "kube".endsWith("be") && "kube".contains("ub")');
  holds("size(self) == 2", "😀a");
});
