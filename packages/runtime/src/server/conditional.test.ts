import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { computeETag, etagMatches, etagValue } from "./conditional.js";

describe("ETags", () => {
  it("are the quoted upper-case hex SHA-512 of the bytes, as kube-openapi computes them", () => {
    const expected = createHash("sha512").update("{}").digest("hex").toUpperCase();
    assert.equal(computeETag("{}"), `"${expected}"`);
    assert.equal(computeETag(Buffer.from("{}")), `"${expected}"`);
    assert.equal(etagValue(computeETag("{}")), expected);
  });

  it("match If-None-Match exactly, in a list, weakly, or as *", () => {
    const etag = '"ABC"';
    assert.equal(etagMatches('"ABC"', etag), true);
    assert.equal(etagMatches('"X", "ABC"', etag), true);
    assert.equal(etagMatches('W/"ABC"', etag), true);
    assert.equal(etagMatches("*", etag), true);
    assert.equal(etagMatches(['"X"', '"ABC"'], etag), true);
    assert.equal(etagMatches('"ABCD"', etag), false);
    assert.equal(etagMatches("", etag), false);
    assert.equal(etagMatches(undefined, etag), false);
  });
});
