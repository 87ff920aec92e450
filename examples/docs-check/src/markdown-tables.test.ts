import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tableCells, tableRows } from "./markdown-tables.js";

describe("reading reference tables", () => {
  it("splits cells on pipes outside code", () => {
    assert.deepEqual(tableCells("| `--a <x>` | uses `a|b` | `--a 1` |"), ["`--a <x>`", "uses `a|b`", "`--a 1`"]);
    assert.equal(tableCells("text"), undefined);
  });

  it("reads rows by header, with their section", () => {
    const rows = tableRows(
      [
        "## One",
        "",
        "| Flag | Meaning |",
        "| --- | --- |",
        "| `--x` | an x |",
        "",
        "## Two",
        "| Flag | Meaning |",
        "|---|---|",
        "| `--y` | |",
      ].join("\n"),
    );
    assert.deepEqual(rows, [
      { section: "One", cells: { Flag: "`--x`", Meaning: "an x" } },
      { section: "Two", cells: { Flag: "`--y`", Meaning: "" } },
    ]);
  });
});
