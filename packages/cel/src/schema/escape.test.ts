import assert from "node:assert/strict";
import { test } from "node:test";
import { escapePropertyName } from "./escape.js";

test("plain names stay as they are", () => {
  assert.equal(escapePropertyName("replicas"), "replicas");
  assert.equal(escapePropertyName("_x1"), "_x1");
});

test("dashes, dots, slashes and double underscores are escaped", () => {
  assert.equal(escapePropertyName("my-field"), "my__dash__field");
  assert.equal(escapePropertyName("a.b/c"), "a__dot__b__slash__c");
  assert.equal(escapePropertyName("a__b"), "a__underscores__b");
});

test("CEL keywords are wrapped", () => {
  assert.equal(escapePropertyName("namespace"), "__namespace__");
  assert.equal(escapePropertyName("in"), "__in__");
});

test("names Kubernetes cannot expose", () => {
  assert.equal(escapePropertyName(""), undefined);
  assert.equal(escapePropertyName("1abc"), undefined);
  assert.equal(escapePropertyName("a b"), undefined);
  assert.equal(escapePropertyName("ä"), undefined);
});
