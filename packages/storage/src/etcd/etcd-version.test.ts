import assert from "node:assert/strict";
import { it } from "node:test";
import { supportsProgressRequests } from "./etcd-version.js";

it("trusts watch progress requests from etcd 3.4.31 and 3.5.13 on", () => {
  const cases: [string, boolean][] = [
    ["3.4.23", false],
    ["3.4.30", false],
    ["3.4.31", true],
    ["3.4.35", true],
    ["3.5.0", false],
    ["3.5.12", false],
    ["3.5.13", true],
    ["3.6.0", true],
    ["v3.5.17", true],
    ["3.3.27", false],
    ["4.0.0", true],
    ["2.3.8", false],
    ["", false],
    ["garbage", false],
  ];
  for (const [version, expected] of cases) assert.equal(supportsProgressRequests(version), expected, version);
});
