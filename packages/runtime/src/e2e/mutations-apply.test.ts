/**
 * The mutation patches (issue 14, show 1) must keep applying: each one is how a reliability
 * test shows it can fail, and a patch that no longer applies (the code it breaks moved) proves
 * nothing. scripts/mutation-check.sh runs them (too slow for the suite); this checks, in the
 * suite, that every patch applies to the sources as they are and names its guarantee and test.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = new URL("../../../../", import.meta.url).pathname;
const dir = join(root, "tests", "mutations");
const patches = readdirSync(dir).filter((name) => name.endsWith(".patch"));

describe("tests/mutations", () => {
  it("holds patches", () => assert.ok(patches.length > 0, dir));
  for (const name of patches) {
    it(`${name} applies and names its guarantee and an existing test`, () => {
      const text = readFileSync(join(dir, name), "utf8");
      assert.match(text, /^Guarantee: \S/m);
      const tests = [...text.matchAll(/^Test: (.+)$/gm)].flatMap((m) => (m[1] ?? "").trim().split(/\s+/));
      assert.ok(tests.length > 0, "a Test: line");
      for (const test of tests) {
        assert.match(test, /\.test\.js$/);
        assert.ok(existsSync(join(root, test.replace("/dist/", "/src/").replace(/\.js$/, ".ts"))), test);
      }
      // git apply --check touches nothing; it fails when a hunk no longer matches the sources.
      execFileSync("git", ["apply", "--check", join(dir, name)], { cwd: root, stdio: "pipe" });
    });
  }
});
