import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { CliError } from "../cli/errors.js";
import { describeChanges, FilePlan } from "./file-plan.js";

/** Every directory and file under `root` with its text and mode: what a failed run must leave as it was. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const mode = (statSync(path).mode & 0o777).toString(8);
      if (entry.isDirectory()) {
        out.push(`${prefix}${entry.name}/ ${mode}`);
        walk(path, `${prefix}${entry.name}/`);
      } else out.push(`${prefix}${entry.name} ${mode} ${JSON.stringify(readFileSync(path, "utf8"))}`);
    }
  };
  walk(root, "");
  return out.sort();
}

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

  it("changes nothing when a write fails midway: files written before it are put back, new folders removed", () => {
    chmodSync(join(root, "src/gen.ts"), 0o640);
    writeFileSync(join(root, "zz-file"), "a file, not a folder\n");
    const before = snapshot(root);
    const p = plan();
    p.generated("deep/new/a.ts", "a\n");
    p.generated("zz-file/b.ts", "b\n");
    assert.throws(
      () => p.apply(),
      (error: unknown) =>
        error instanceof CliError &&
        error.code === "WriteFailed" &&
        /zz-file is a file/.test(error.message) &&
        /no file was changed/.test(error.message),
    );
    assert.deepEqual(snapshot(root), before);
  });

  it("puts back files already replaced when a later one can't take their place", () => {
    const p = plan();
    p.generated("deep/new/a.ts", "a\n");
    p.generated("zz-dir", "a file where a folder is\n");
    // A folder appears after the plan was made: the last rename fails, after the others were done.
    mkdirSync(join(root, "zz-dir"));
    writeFileSync(join(root, "zz-dir/inside"), "kept\n");
    const before = snapshot(root);
    assert.throws(
      () => p.apply(),
      (error: unknown) =>
        error instanceof CliError &&
        error.code === "WriteFailed" &&
        error.message.startsWith(`cannot write ${join(root, "zz-dir")}: it is a directory (EISDIR)`) &&
        /no file was changed/.test(error.message) &&
        error.fix !== undefined,
    );
    assert.deepEqual(snapshot(root), before);
  });

  it("names a folder found where a file is planned", () => {
    rmSync(join(root, "src/gen.ts"));
    mkdirSync(join(root, "src/gen.ts"));
    assert.throws(
      () => new FilePlan(root).generated("src/gen.ts", "x\n"),
      (error: unknown) =>
        error instanceof CliError &&
        error.message === `cannot read ${join(root, "src/gen.ts")}: it is a directory (EISDIR)`,
    );
  });

  it("replaces files whole, keeping an existing file's mode, and leaves no temporary file behind", () => {
    chmodSync(join(root, "src/gen.ts"), 0o640);
    const p = plan();
    p.generated("deep/new/a.ts", "a\n");
    p.apply();
    assert.equal(statSync(join(root, "src/gen.ts")).mode & 0o777, 0o640);
    assert.equal(readFileSync(join(root, "deep/new/a.ts"), "utf8"), "a\n");
    assert.deepEqual(readdirSync(join(root, "src")).sort(), ["gen.ts", "new.ts", "same.ts", "user.ts"]);
    assert.deepEqual(readdirSync(root).sort(), ["deep", "src"]);
  });
});
