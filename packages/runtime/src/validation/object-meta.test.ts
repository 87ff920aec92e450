import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { finalizerWarnings } from "./object-meta.js";

const BARE = "prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers";
const DOTTED =
  "prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers";

describe("finalizerWarnings", () => {
  it("warns of each bare name Kubernetes does not own, sorted, once", () => {
    assert.deepEqual(
      finalizerWarnings(["zeta", "example.com/ok", "kubernetes", "orphan", "foregroundDeletion", "alpha", "zeta"]),
      [`metadata.finalizers: "alpha": ${BARE}`, `metadata.finalizers: "zeta": ${BARE}`],
    );
  });

  it("asks a dotted name for a path", () => {
    assert.deepEqual(finalizerWarnings(["cleanup.example.com"]), [
      `metadata.finalizers: "cleanup.example.com": ${DOTTED}`,
    ]);
  });

  it("passes on a name that is not a qualified name, as apiextensions does", () => {
    assert.deepEqual(finalizerWarnings(["a/b/c"]), [
      `metadata.finalizers: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ]);
  });

  it("on an update, only of the names it adds", () => {
    assert.deepEqual(finalizerWarnings(["hold", "keep"], ["hold"]), [`metadata.finalizers: "keep": ${BARE}`]);
    assert.deepEqual(finalizerWarnings(["hold"], ["hold"]), []);
    assert.deepEqual(finalizerWarnings(undefined, ["hold"]), []);
  });
});
