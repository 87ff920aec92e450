import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMarkerArguments } from "./arguments.js";

function parsed(text: string) {
  const result = parseMarkerArguments(text);
  assert.ok(result.ok, result.ok ? "" : result.error);
  return { positional: result.value.positional, named: Object.fromEntries(result.value.named) };
}

describe("parseMarkerArguments", () => {
  it("reads bare words and key=value pairs", () => {
    assert.deepEqual(parsed("scale specReplicasPath=.spec.replicas statusReplicasPath=.status.replicas"), {
      positional: ["scale"],
      named: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
    });
  });

  it("reads double-, single- and backtick-quoted values", () => {
    assert.deepEqual(parsed(String.raw`rule="self.a == \"x\"" message='it\'s wrong' fieldPath=` + "`.spec.a`"), {
      positional: [],
      named: { rule: 'self.a == "x"', message: "it's wrong", fieldPath: ".spec.a" },
    });
    assert.deepEqual(parsed("rule=`self.a == \"x\" && self.b != 'y'`").named, {
      rule: `self.a == "x" && self.b != 'y'`,
    });
  });

  it("rejects unclosed quotes and repeated keys", () => {
    assert.deepEqual(parseMarkerArguments('rule="open'), { ok: false, error: 'a "-quoted value is not closed' });
    assert.deepEqual(parseMarkerArguments("a=1 a=2"), { ok: false, error: "a is given twice" });
  });

  it("reads empty input as nothing", () => {
    assert.deepEqual(parsed("   "), { positional: [], named: {} });
  });
});
