/** Every `scaffold` command and flag, and every server flag, has a reference entry with a description and an example. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createProgram, memoryReporter } from "@apiserver-kit/cli";
import { SERVER_FLAG_GROUPS, type ServerFlagGroup } from "@apiserver-kit/runtime";
import { DOCS } from "./paths.js";
import { cliReferenceGaps, serverFlagReferenceGaps } from "./reference/completeness.js";

const read = (page: string) => readFileSync(join(DOCS, "reference", page), "utf8");
const report = (gaps: Array<{ flag: string; problem: string }>) =>
  gaps.map((gap) => `${gap.flag}: ${gap.problem}`).join("\n");

describe("the reference pages are complete", () => {
  it("documents every scaffold command and flag in docs/reference/cli.md", () => {
    const gaps = cliReferenceGaps(createProgram({ reporter: memoryReporter() }), read("cli.md"));
    assert.deepEqual(gaps, [], report(gaps));
  });

  it("documents every server flag in docs/reference/server-flags.md", () => {
    const gaps = serverFlagReferenceGaps(SERVER_FLAG_GROUPS, read("server-flags.md"));
    assert.deepEqual(gaps, [], report(gaps));
  });
});

describe("the completeness check itself", () => {
  const widgets: ServerFlagGroup = {
    title: "Widgets",
    flags: [
      { name: "widget-color", value: "color", description: "The color.", example: "--widget-color blue" },
      { name: "widget-size", value: "mm", description: "The size.", example: "--widget-size 3" },
      { name: "widget-shape", value: "shape", description: "The shape.", example: "--widget-shape round" },
    ],
  };

  it("names a server flag with no row, no description or no example", () => {
    const page = [
      "## Widgets",
      "| Flag | Default | Meaning | Example |",
      "| --- | --- | --- | --- |",
      "| `--widget-color <color>` | | the colour of new widgets | `--widget-color blue` |",
      "| `--widget-size <mm>` | | | `--widget-size 3` |",
    ].join("\n");
    assert.deepEqual(
      serverFlagReferenceGaps([widgets], page).map((gap) => gap.flag),
      ["Widgets --widget-size", "Widgets --widget-shape"],
    );
    const noExample = page.replace("`--widget-color blue`", "");
    assert.match(report(serverFlagReferenceGaps([widgets], noExample)), /--widget-color: no example/);
  });

  it("names a scaffold flag added to a command without a reference row", () => {
    const program = createProgram({ reporter: memoryReporter() });
    const generate = program.commands.find((command) => command.name() === "generate");
    generate?.option("--color <color>", "A flag nobody documented.");
    const gaps = cliReferenceGaps(program, read("cli.md"));
    assert.deepEqual(gaps, [{ flag: "scaffold generate --color", problem: "no row in the reference table" }]);
  });
});
