import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { describeChanges, FilePlan } from "./file-plan.js";

describe("FilePlan", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "file-plan-"));
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src/user.ts"), "hand-written\n");
    writeFileSync(join(root, "src/gen.ts"), "old\n");
    writeFileSync(join(root, "src/same.ts"), "same\n");
    writeFileSync(join(root, "stale.yaml"), "stale\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const plan = (options = {}) => {
    const p = new FilePlan(root, options);
    p.user("src/user.ts", "rendered\n");
    p.user("src/new.ts", "new\n");
    p.generated("src/gen.ts", "new generated\n");
    p.generated("src/same.ts", "same\n");
    p.remove("stale.yaml");
    p.remove("never-existed.yaml");
    return p;
  };

  it("creates, updates, keeps user files, deletes stale generated files", () => {
    const changes = plan().apply();
    assert.deepEqual(
      changes.map((c) => [c.path, c.kind, c.owner]),
      [
        ["never-existed.yaml", "unchanged", "generated"],
        ["src/gen.ts", "update", "generated"],
        ["src/new.ts", "create", "user"],
        ["src/same.ts", "unchanged", "generated"],
        ["src/user.ts", "kept", "user"],
        ["stale.yaml", "delete", "generated"],
      ].filter(([path]) => path !== "never-existed.yaml"),
    );
    assert.equal(readFileSync(join(root, "src/user.ts"), "utf8"), "hand-written\n");
    assert.equal(readFileSync(join(root, "src/gen.ts"), "utf8"), "new generated\n");
    assert.equal(readFileSync(join(root, "src/new.ts"), "utf8"), "new\n");
    assert.equal(existsSync(join(root, "stale.yaml")), false);
  });

  it("overwrites user files only with --force", () => {
    const changes = plan({ force: true }).apply();
    assert.equal(changes.find((c) => c.path === "src/user.ts")?.kind, "overwrite");
    assert.equal(readFileSync(join(root, "src/user.ts"), "utf8"), "rendered\n");
  });

  it("writes nothing on a dry run but reports the same changes", () => {
    const dry = plan({ dryRun: true }).apply();
    assert.deepEqual(dry, plan().changes());
    assert.equal(readFileSync(join(root, "src/gen.ts"), "utf8"), "old\n");
    assert.equal(existsSync(join(root, "src/new.ts")), false);
    assert.deepEqual(describeChanges(dry, true), [
      "would change (dry run, nothing written):",
      "  update    src/gen.ts (generated)",
      "  create    src/new.ts",
      "  keep      src/user.ts",
      "  delete    stale.yaml (generated)",
    ]);
  });

  it("edits see files planned in the same run, and a failing edit writes nothing", () => {
    const p = new FilePlan(root);
    p.user("src/list.ts", "a\n");
    p.edit("src/list.ts", (text) => `${text}b\n`);
    assert.equal(p.read("src/list.ts"), "a\nb\n");
    p.generated("src/other.ts", "x\n");
    assert.throws(() => p.edit("src/missing.ts", (text) => text), /src\/missing.ts is missing/);
    assert.equal(existsSync(join(root, "src/list.ts")), false, "nothing written before apply");
    p.apply();
    assert.equal(readFileSync(join(root, "src/list.ts"), "utf8"), "a\nb\n");
  });

  it("lists files on disk and planned, without removed ones, and keeps modes", () => {
    const p = plan();
    p.generated("src/key.pem", "secret\n", 0o600);
    assert.deepEqual(p.files("src"), ["src/gen.ts", "src/key.pem", "src/new.ts", "src/same.ts", "src/user.ts"]);
    p.apply();
    assert.equal(statSync(join(root, "src/key.pem")).mode & 0o777, 0o600);
  });
});
