import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { JSON_STYLE, printLiteral, TYPESCRIPT_STYLE } from "./literal-printer.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const biome = `${repoRoot}node_modules/.bin/biome`;

/** Formats text with the project's formatter, as `biome check --write` would. */
function biomeFormat(text: string, fileName: string): string {
  return execFileSync(biome, ["format", `--stdin-file-path=packages/codegen/src/${fileName}`], {
    cwd: repoRoot,
    input: text,
    encoding: "utf8",
  });
}

const sample = {
  group: "wardle.example.com",
  shortNames: ["fl", "flu"],
  empty: {},
  emptyList: [],
  numbers: Array.from({ length: 45 }, (_, index) => index * 3),
  quoted: { "x-kubernetes-list-type": "map", "1st": true, value: null },
  strings: {
    plain: "it's",
    doubles: 'self.a == "x" && self.b == "y"',
    both: `it's "q" "r"`,
    newline: "line one\nline two",
    backslash: "a\\d+",
  },
  long: ["a".repeat(40), "b".repeat(40), "c".repeat(40)],
  nested: [{ name: "v1", served: true, schema: { type: "object", properties: { a: { type: "string" } } } }],
  breaking: { description: "d".repeat(130), rule: "r".repeat(130), pattern: "p".repeat(108) },
  float: 0.5,
  big: 1e21,
  negative: -3,
};

describe("printLiteral", () => {
  it("prints data that evaluates back to the same value", () => {
    const text = printLiteral(sample, TYPESCRIPT_STYLE);
    const evaluated = new Function(`return (${text});`)() as unknown;
    assert.deepEqual(evaluated, sample);
    assert.deepEqual(JSON.parse(printLiteral(sample, JSON_STYLE)), sample);
  });

  it("lays out short arrays on one line and long ones one item per line", () => {
    const text = printLiteral({ shortNames: ["fl", "flu"], long: ["a".repeat(60), "b".repeat(60)] }, TYPESCRIPT_STYLE);
    assert.match(text, /shortNames: \["fl", "flu"\],/);
    assert.match(text, /long: \[\n {4}"a{60}",\n {4}"b{60}",\n {2}\],/);
  });

  it("moves a string too long for its line below its key, except after short keys", () => {
    const text = printLiteral({ description: "d".repeat(130), rule: "r".repeat(130) }, TYPESCRIPT_STYLE);
    assert.match(text, /\n {2}description:\n {4}"d{130}",\n/);
    assert.match(text, /\n {2}rule: "r{130}",\n/);
    assert.doesNotMatch(printLiteral({ description: "d".repeat(130) }, JSON_STYLE), /:\n/);
  });

  it("picks the quote that needs fewer escapes", () => {
    assert.equal(printLiteral('a "b"', TYPESCRIPT_STYLE), `'a "b"'`);
    assert.equal(printLiteral(`it's "b" "c"`, TYPESCRIPT_STYLE), `'it\\'s "b" "c"'`);
    assert.equal(printLiteral("it's", TYPESCRIPT_STYLE), `"it's"`);
    assert.equal(printLiteral('a "b"', JSON_STYLE), `"a \\"b\\""`);
  });

  it(
    "leaves nothing for the project's formatter to change",
    { skip: !existsSync(biome) && "biome is not installed" },
    () => {
      const ts = `export const sample = ${printLiteral(sample, TYPESCRIPT_STYLE, 0, "export const sample = ".length, ";")};\n`;
      assert.equal(biomeFormat(ts, "sample.ts"), ts);
      const json = `${printLiteral(sample, JSON_STYLE)}\n`;
      assert.equal(biomeFormat(json, "sample.json"), json);
    },
  );
});
