import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldErrorMessage } from "../api/errors.js";
import type { ObjectMeta } from "../api/meta.js";
import { validateObjectMeta } from "./object-meta.js";

const owner = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  name,
  uid: `uid-${name}`,
  ...extra,
});
const messages = (meta: Partial<ObjectMeta>) =>
  validateObjectMeta({ name: "x", namespace: "default", ...meta } as ObjectMeta, { namespaced: true }).map(
    fieldErrorMessage,
  );

describe("ObjectMeta's finalizers and owner references, as apimachinery validates them", () => {
  it("accepts one controller among several owners", () => {
    assert.deepEqual(messages({ ownerReferences: [owner("a", { controller: true }), owner("b")] }), []);
  });

  it("refuses a second controller, naming both", () => {
    const [message, ...rest] = messages({
      ownerReferences: [owner("a", { controller: true }), owner("b", { controller: true })],
    });
    assert.equal(rest.length, 0);
    assert.match(
      message ?? "",
      /^metadata\.ownerReferences: Invalid value: .*: Only one reference can have Controller set to true\. Found "true" in references for Flunder\/a and Flunder\/b$/,
    );
  });

  it("refuses an Event as an owner and empty fields, on the list's path", () => {
    const [event] = messages({ ownerReferences: [{ apiVersion: "v1", kind: "Event", name: "e", uid: "u" }] });
    assert.match(
      event ?? "",
      /^metadata\.ownerReferences: Invalid value: .*: \/v1, Kind=Event is disallowed from being an owner$/,
    );
    assert.deepEqual(messages({ ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "" }] }), [
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ]);
    assert.deepEqual(messages({ ownerReferences: [{ apiVersion: "", kind: "", name: "p", uid: "u" }] }), [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
    ]);
  });

  it("refuses orphan and foregroundDeletion together", () => {
    assert.deepEqual(messages({ finalizers: ["orphan", "foregroundDeletion"] }), [
      'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
    ]);
  });
});
