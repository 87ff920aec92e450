import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AcceptCache } from "./accept-cache.js";

describe("AcceptCache", () => {
  it("negotiates each header once, remembers misses too, and stays bounded", () => {
    const seen: Array<string | undefined> = [];
    const cache = new AcceptCache((accept) => {
      seen.push(accept);
      return accept?.includes("json") ? "json" : null;
    }, 2);
    assert.equal(cache.get("application/json"), "json");
    assert.equal(cache.get("application/json"), "json");
    assert.equal(cache.get("text/html"), null);
    assert.equal(cache.get("text/html"), null);
    assert.deepEqual(seen, ["application/json", "text/html"]);
    cache.get(undefined);
    cache.get("application/json");
    assert.deepEqual(
      seen,
      ["application/json", "text/html", undefined, "application/json"],
      "the oldest entry was evicted",
    );
  });
});
