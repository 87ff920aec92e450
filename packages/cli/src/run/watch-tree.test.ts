import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { watchTree } from "./watch-tree.js";

describe("watchTree (what scaffold run --watch watches src/ with)", () => {
  let root: string;
  let seen: string[];
  let tree: { close(): void };
  const waitFor = async (path: string) => {
    const deadline = Date.now() + 5000;
    while (!seen.includes(path)) {
      if (Date.now() > deadline) assert.fail(`no change reported for ${path}; saw ${JSON.stringify(seen)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    seen = [];
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), "watch-tree-"));
    mkdirSync(join(root, "apis/v1"), { recursive: true });
    writeFileSync(join(root, "apis/v1/kind.ts"), "a\n");
    seen = [];
    tree = watchTree(root, (path) => seen.push(path));
  });
  after(() => {
    tree?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("reports a file written in place, in a nested directory", async () => {
    appendFileSync(join(root, "apis/v1/kind.ts"), "b\n");
    await waitFor("apis/v1/kind.ts");
  });

  it("keeps reporting a file after it was replaced by a rename (an editor's atomic save, scaffold's own writes)", async () => {
    const file = join(root, "apis/v1/kind.ts");
    writeFileSync(join(root, "apis/v1/.kind.ts.1.scaffold-new"), "c\n");
    renameSync(join(root, "apis/v1/.kind.ts.1.scaffold-new"), file);
    await waitFor("apis/v1/kind.ts");
    // Node 20's recursive watch on Linux follows the replaced inode and goes silent here.
    appendFileSync(file, "d\n");
    await waitFor("apis/v1/kind.ts");
    appendFileSync(file, "e\n");
    await waitFor("apis/v1/kind.ts");
  });

  it("watches a directory made after it started, reporting the files already in it", async () => {
    mkdirSync(join(root, "apis/v2"));
    writeFileSync(join(root, "apis/v2/kind.ts"), "a\n");
    await waitFor("apis/v2/kind.ts");
    appendFileSync(join(root, "apis/v2/kind.ts"), "b\n");
    await waitFor("apis/v2/kind.ts");
  });

  it("reports a removed directory and goes on watching the rest", async () => {
    rmSync(join(root, "apis/v2"), { recursive: true });
    await waitFor("apis/v2");
    appendFileSync(join(root, "apis/v1/kind.ts"), "f\n");
    await waitFor("apis/v1/kind.ts");
  });
});
