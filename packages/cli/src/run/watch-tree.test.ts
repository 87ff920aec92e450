import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { watchTree } from "./watch-tree.js";

describe("watchTree, the watch behind scaffold run --watch", () => {
  let root: string;
  let seen: string[];
  let watcher: { close(): void };
  before(() => {
    root = mkdtempSync(join(tmpdir(), "scaffold-watch-tree-"));
    mkdirSync(join(root, "apis/v1"), { recursive: true });
    writeFileSync(join(root, "apis/v1/widget.ts"), "export interface Widget {}\n");
    writeFileSync(join(root, "server.ts"), "\n");
    seen = [];
    watcher = watchTree(root, (path) => seen.push(path));
  });
  after(() => {
    watcher.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Resolves once `path` was reported after `mark`, or fails after two seconds. */
  const reported = async (path: string, mark: number) => {
    for (let waited = 0; waited < 2000; waited += 20) {
      if (seen.slice(mark).includes(path)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail(`${path} was not reported; saw ${JSON.stringify(seen.slice(mark))}`);
  };

  it("reports a file edited in place", async () => {
    const mark = seen.length;
    appendFileSync(join(root, "server.ts"), "// edited\n");
    await reported("server.ts", mark);
  });

  it("keeps reporting a file after it was replaced by a rename, as scaffold, sed -i and many editors write", async () => {
    const file = join(root, "apis/v1/widget.ts");
    let mark = seen.length;
    writeFileSync(join(root, "apis/v1/.widget.ts.1-1.scaffold-new"), "export interface Widget { a?: string }\n");
    renameSync(join(root, "apis/v1/.widget.ts.1-1.scaffold-new"), file);
    await reported("apis/v1/widget.ts", mark);
    // Node 20's recursive fs.watch on Linux reports nothing from here on: it watched the old file.
    mark = seen.length;
    appendFileSync(file, "// edited in place\n");
    await reported("apis/v1/widget.ts", mark);
    mark = seen.length;
    appendFileSync(join(root, "server.ts"), "// again\n");
    renameSync(join(root, "server.ts"), join(root, "server.old"));
    renameSync(join(root, "server.old"), join(root, "server.ts"));
    appendFileSync(join(root, "server.ts"), "// and again\n");
    await reported("server.ts", mark);
  });

  it("reports files in folders made after it started, and their later edits", async () => {
    let mark = seen.length;
    mkdirSync(join(root, "apis/v2/deep"), { recursive: true });
    writeFileSync(join(root, "apis/v2/deep/widget.ts"), "export interface Widget {}\n");
    await reported("apis/v2/deep/widget.ts", mark);
    mark = seen.length;
    appendFileSync(join(root, "apis/v2/deep/widget.ts"), "// edited\n");
    await reported("apis/v2/deep/widget.ts", mark);
    // A folder removed and made again is watched again.
    rmSync(join(root, "apis/v2"), { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    mark = seen.length;
    mkdirSync(join(root, "apis/v2"));
    writeFileSync(join(root, "apis/v2/gadget.ts"), "\n");
    await reported("apis/v2/gadget.ts", mark);
    mark = seen.length;
    appendFileSync(join(root, "apis/v2/gadget.ts"), "// edited\n");
    await reported("apis/v2/gadget.ts", mark);
  });
});
