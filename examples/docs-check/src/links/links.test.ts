import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { anchorsOf, brokenLinks, headingAnchor, relativeLinks } from "./links.js";

describe("links in Markdown", () => {
  it("makes GitHub's heading anchors", () => {
    assert.equal(headingAnchor("`scaffold new-api <dir>`"), "scaffold-new-api-dir");
    assert.equal(headingAnchor("resourceVersions, restarts and replicas"), "resourceversions-restarts-and-replicas");
    assert.equal(headingAnchor("1. Create the project"), "1-create-the-project");
    assert.deepEqual([...anchorsOf("# A\n## A\n```\n# not a heading\n```\n### B c")], ["a", "a-1", "b-c"]);
  });

  it("finds relative links outside code, inline and by reference", () => {
    const page = [
      "See [the guide](../guides/a.md#top) and ![a picture](img.png).",
      "`[not](a-link.md)` and [outside](https://kubernetes.io) and [mail](mailto:x@y)",
      "```",
      "[also not](in-code.md)",
      "```",
      "[ref]: ./other.md",
    ].join("\n");
    assert.deepEqual(relativeLinks(page, "p.md"), [
      { where: "p.md:1", target: "../guides/a.md#top" },
      { where: "p.md:1", target: "img.png" },
      { where: "p.md:6", target: "./other.md" },
    ]);
  });

  it("reports missing files and headings", () => {
    const root = mkdtempSync(join(tmpdir(), "links-"));
    try {
      mkdirSync(join(root, "guides"));
      writeFileSync(join(root, "guides", "a.md"), "# Top\n## Part two\n");
      writeFileSync(
        join(root, "index.md"),
        "[ok](guides/a.md#part-two) [dir](guides/) [self](#here)\n# Here\n[gone](guides/b.md) [bad](guides/a.md#part-3)\n",
      );
      assert.deepEqual(
        brokenLinks(root, ["index.md"]).map((b) => [b.where, b.problem]),
        [
          ["index.md:3", "guides/b.md does not exist"],
          ["index.md:3", "guides/a.md has no heading #part-3"],
        ],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
