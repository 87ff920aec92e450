/** Every relative link of docs/, the examples' READMEs and the root README resolves, headings included. */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { brokenLinks } from "./links/links.js";
import { CHECKOUT, DOCS } from "./paths.js";

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "dist" ? [] : markdownUnder(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

describe("links", () => {
  it("resolve, in docs/, the examples' READMEs and README.md", () => {
    const examples = join(CHECKOUT, "examples");
    const files = [
      ...markdownUnder(DOCS),
      ...readdirSync(examples)
        .map((name) => join(examples, name, "README.md"))
        .filter((path) => existsSync(path)),
      join(CHECKOUT, "README.md"),
    ].map((path) => relative(CHECKOUT, path));
    assert.ok(files.length > 20, `${files.length} pages`);
    const broken = brokenLinks(CHECKOUT, files);
    assert.deepEqual(broken, [], broken.map((b) => `${b.where}: ${b.target}: ${b.problem}`).join("\n"));
  });
});
