import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SourceError } from "./errors.js";
import { ResourceKeys } from "./keys.js";

const keys = new ResourceKeys("/registry/example.com/widgets/");

describe("ResourceKeys", () => {
  it("keys objects as the runtime does, namespaced or cluster-scoped", () => {
    assert.equal(keys.keyOf({ metadata: { name: "a", namespace: "ns" } }, ""), "/registry/example.com/widgets/ns/a");
    assert.equal(keys.keyOf({ metadata: { name: "a" } }, ""), "/registry/example.com/widgets/a");
  });

  it("refuses objects whose name or namespace cannot be a key segment", () => {
    for (const metadata of [{}, { name: "" }, { name: "a/b" }, { name: ".." }, { name: "a", namespace: "x/y" }]) {
      assert.throws(
        () => keys.keyOf({ metadata }, "/registry/example.com/widgets/"),
        (error) => error instanceof SourceError && error.reason === "InvalidObject",
        JSON.stringify(metadata),
      );
    }
  });

  it("turns keys and prefixes back into refs and scopes", () => {
    assert.deepEqual(keys.refOf("/registry/example.com/widgets/ns/a"), { namespace: "ns", name: "a" });
    assert.deepEqual(keys.refOf("/registry/example.com/widgets/a"), { name: "a" });
    assert.deepEqual(keys.scopeOf("/registry/example.com/widgets/"), {});
    assert.deepEqual(keys.scopeOf("/registry/example.com/widgets/ns/"), { namespace: "ns" });
    assert.equal(keys.parentOf("/registry/example.com/widgets/ns/a"), "/registry/example.com/widgets/ns/");
    assert.deepEqual(keys.covering("/registry/example.com/widgets/a"), ["/registry/example.com/widgets/"]);
    assert.deepEqual(keys.covering("/registry/example.com/widgets/ns/a"), [
      "/registry/example.com/widgets/",
      "/registry/example.com/widgets/ns/",
    ]);
  });

  it("throws RangeError for keys outside the kind or of the wrong shape", () => {
    for (const key of [
      "/registry/example.com/gadgets/a",
      "/registry/example.com/widgets/a/b/c",
      "/registry/example.com/widgets/",
    ]) {
      assert.throws(() => keys.refOf(key), RangeError, key);
    }
    assert.throws(() => keys.scopeOf("/registry/example.com/widgets/ns"), RangeError);
    assert.throws(() => new ResourceKeys("registry/x/"), RangeError);
  });
});
