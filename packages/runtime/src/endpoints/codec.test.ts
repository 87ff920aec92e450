import assert from "node:assert/strict";
import { test } from "node:test";
import { joinJSON } from "./codec.js";

test("joinJSON writes the same bytes as joining the strings", () => {
  const items = ['{"a":1}', '{"name":"zoë","emoji":"🎈"}', "{}"];
  const body = joinJSON('{"items":[', items, '],"kind":"List"}');
  assert.equal(body.toString("utf8"), `{"items":[${items.join(",")}],"kind":"List"}`);
  assert.equal(body.length, Buffer.byteLength(`{"items":[${items.join(",")}],"kind":"List"}`));
  assert.deepEqual(JSON.parse(body.toString("utf8")).items[1], { name: "zoë", emoji: "🎈" });
});

test("joinJSON with no items and with one", () => {
  assert.equal(joinJSON("[", [], "]").toString(), "[]");
  assert.equal(joinJSON("[", ["1"], "]").toString(), "[1]");
});
