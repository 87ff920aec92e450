import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTutorial, TutorialFormatError } from "./markdown.js";

const page = (...lines: string[]) => lines.join("\n");
const fence = "```";

describe("reading the tutorial's steps from Markdown", () => {
  it("reads each mark with its block, in order", () => {
    const steps = parseTutorial(
      page(
        "# Title",
        "<!-- test: run -->",
        `${fence}sh`,
        "echo one",
        fence,
        'Some text. <!-- test: background, until "serving on" -->',
        '<!-- test: background, until "serving on" -->',
        `${fence}sh`,
        "npx scaffold run",
        fence,
        '<!-- test: fails, retry, expect "is invalid" -->',
        `${fence}sh`,
        "kubectl create -f bad.yaml",
        fence,
        "<!-- test: skip real cluster -->",
        `${fence}sh`,
        "kubectl apply -f deploy/",
        fence,
        '<!-- test: insert src/a.ts after "export interface A {" -->',
        `${fence}ts`,
        "  b?: string;",
        fence,
        '<!-- test: await "reloading" -->',
        "<!-- test: write w.yaml -->",
        `${fence}yaml`,
        "kind: Widget",
        fence,
        `${fence}ts`,
        "// an unmarked illustration is fine",
        fence,
      ),
      "t.md",
    );
    assert.deepEqual(
      steps.map((s) => [s.kind, s.where, s.code, s.text ?? s.reason ?? s.path, s.after ?? s.retry]),
      [
        ["run", "t.md:2", "echo one\n", undefined, undefined],
        ["background", "t.md:7", "npx scaffold run\n", "serving on", undefined],
        ["fails", "t.md:11", "kubectl create -f bad.yaml\n", "is invalid", true],
        ["skip", "t.md:15", "kubectl apply -f deploy/\n", "real cluster", undefined],
        ["insert", "t.md:19", "  b?: string;\n", "src/a.ts", "export interface A {"],
        ["await", "t.md:23", "", "reloading", undefined],
        ["write", "t.md:24", "kind: Widget\n", "w.yaml", undefined],
      ],
    );
  });

  it("refuses an sh block without a mark, naming where it is", () => {
    assert.throws(
      () => parseTutorial(page("text", `${fence}sh`, "rm -rf /", fence), "t.md"),
      (error: unknown) =>
        error instanceof TutorialFormatError && error.where === "t.md:2" && /without a mark/.test(error.message),
    );
  });

  it("refuses malformed marks", () => {
    const cases: Array<[string[], RegExp]> = [
      [["<!-- test: runn -->", `${fence}sh`, "x", fence], /unknown mark "runn"/],
      [["<!-- test: skip -->", `${fence}sh`, "x", fence], /says why/],
      [["<!-- test: background -->", `${fence}sh`, "x", fence], /until "\.\.\."/],
      [["<!-- test: run -->", `${fence}ts`, "x", fence], /only sh runs/],
      [["<!-- test: run -->", "", "text", `${fence}sh`, "x", fence], /right before its block/],
      [["<!-- test: run -->"], /no code block after it/],
      [["<!-- test: run -->", `${fence}sh`, "x"], /never ends/],
    ];
    for (const [lines, message] of cases) assert.throws(() => parseTutorial(page(...lines), "t.md"), message);
  });
});
