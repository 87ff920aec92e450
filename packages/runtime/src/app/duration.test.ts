import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, parseDuration } from "./duration.js";

describe("Go durations", () => {
  it("parses the forms time.ParseDuration accepts", () => {
    assert.equal(parseDuration("5m0s"), 300_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("1.5s"), 1500);
    assert.equal(parseDuration("250ms"), 250);
    assert.equal(parseDuration("0"), 0);
    assert.equal(parseDuration("-2s"), -2000);
  });

  it("refuses what Go refuses", () => {
    for (const text of ["", "5", "5 m", "m", "1d", "s5", "5m0"]) assert.equal(parseDuration(text), undefined, text);
  });

  it("prints durations as Go does", () => {
    assert.equal(formatDuration(300_000), "5m0s");
    assert.equal(formatDuration(3_600_000), "1h0m0s");
    assert.equal(formatDuration(30_000), "30s");
    assert.equal(formatDuration(0), "0s");
    assert.equal(parseDuration(formatDuration(5_400_000)), 5_400_000);
  });
});
