import assert from "node:assert/strict";
import { test } from "node:test";
import { selfTimes } from "./cpu-profile.mjs";

test("self time adds up each function's samples and sorts by it", () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 } },
      { id: 2, callFrame: { functionName: "jsonOf", url: "file:///w/packages/runtime/dist/x.js", lineNumber: 9 } },
      { id: 3, callFrame: { functionName: "", url: "node:internal/tls", lineNumber: 0 } },
    ],
    samples: [2, 3, 2, 1],
    timeDeltas: [1000, 500, 1000, 500],
  };
  const rows = selfTimes(profile);
  assert.deepEqual(
    rows.map((r) => [r.name, r.ms]),
    [
      ["jsonOf packages/runtime/dist/x.js:10", 2],
      ["(anonymous) node:internal/tls:1", 0.5],
      ["(root)", 0.5],
    ],
  );
  assert.equal(rows[0].share, 2 / 3);
});
