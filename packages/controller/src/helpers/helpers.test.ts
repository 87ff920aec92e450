import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Condition, KubeObject } from "../objects/meta.js";
import {
  findStatusCondition,
  isStatusConditionFalse,
  isStatusConditionTrue,
  metaTime,
  removeStatusCondition,
  setStatusCondition,
} from "./conditions.js";
import { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer } from "./finalizers.js";
import {
  AlreadyOwnedError,
  getControllerOf,
  isControlledBy,
  OwnerReferenceError,
  ownerRequests,
  removeOwnerReference,
  setControllerReference,
  setOwnerReference,
} from "./owner-references.js";

describe("conditions", () => {
  const t0 = Date.UTC(2025, 0, 1, 12, 0, 0, 500);
  const t1 = t0 + 60_000;

  it("adds a condition with the time, and moves lastTransitionTime only when the status changes", () => {
    const conditions: Condition[] = [];
    assert.equal(
      setStatusCondition(
        conditions,
        { type: "Ready", status: "False", reason: "Pending", message: "", observedGeneration: 1 },
        t0,
      ),
      true,
    );
    assert.equal(conditions[0]?.lastTransitionTime, "2025-01-01T12:00:00Z", "seconds precision, as metav1.Time");
    assert.equal(
      setStatusCondition(
        conditions,
        { type: "Ready", status: "False", reason: "Pending", message: "", observedGeneration: 1 },
        t1,
      ),
      false,
      "same values: no change",
    );
    assert.equal(
      setStatusCondition(
        conditions,
        { type: "Ready", status: "False", reason: "Waiting", message: "m", observedGeneration: 2 },
        t1,
      ),
      true,
    );
    assert.equal(
      conditions[0]?.lastTransitionTime,
      metaTime(t0),
      "reason and generation changes keep the transition time",
    );
    assert.equal(conditions[0]?.observedGeneration, 2);
    setStatusCondition(
      conditions,
      { type: "Ready", status: "True", reason: "Done", message: "", observedGeneration: 2 },
      t1,
    );
    assert.equal(conditions[0]?.lastTransitionTime, metaTime(t1));
    assert.equal(isStatusConditionTrue(conditions, "Ready"), true);
    assert.equal(isStatusConditionFalse(conditions, "Ready"), false);
    assert.equal(isStatusConditionTrue(undefined, "Ready"), false);
    assert.equal(findStatusCondition(conditions, "Other"), undefined);
    assert.equal(removeStatusCondition(conditions, "Ready"), true);
    assert.equal(removeStatusCondition(conditions, "Ready"), false);
  });
});

describe("finalizers", () => {
  it("adds once, removes, and tells whether it changed anything", () => {
    const object: KubeObject = {};
    assert.equal(addFinalizer(object, "example.com/cleanup"), true);
    assert.equal(addFinalizer(object, "example.com/cleanup"), false);
    assert.equal(hasFinalizer(object, "example.com/cleanup"), true);
    assert.equal(removeFinalizer(object, "example.com/other"), false);
    assert.equal(removeFinalizer(object, "example.com/cleanup"), true);
    assert.deepEqual(object.metadata?.finalizers, []);
    assert.equal(isBeingDeleted(object), false);
    assert.equal(isBeingDeleted({ metadata: { deletionTimestamp: "2025-01-01T00:00:00Z" } }), true);
  });
});

describe("owner references", () => {
  const owner = (name: string, uid: string, namespace = "ns"): KubeObject => ({
    apiVersion: "wardle.example.com/v1alpha1",
    kind: "Flunder",
    metadata: { name, uid, namespace },
  });
  const ownerType = {
    group: "wardle.example.com",
    version: "v1beta1",
    kind: "Flunder",
    plural: "flunders",
    namespaced: true,
  };

  it("sets a controller reference, refuses a second controller, and maps back to the owner", () => {
    const part: KubeObject = { metadata: { name: "p", namespace: "ns" } };
    setControllerReference(owner("a", "uid-a"), part);
    setControllerReference(owner("a", "uid-a"), part);
    assert.equal(part.metadata?.ownerReferences?.length, 1, "idempotent");
    assert.deepEqual(getControllerOf(part), {
      apiVersion: "wardle.example.com/v1alpha1",
      kind: "Flunder",
      name: "a",
      uid: "uid-a",
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.equal(isControlledBy(part, owner("a", "uid-a")), true);
    assert.equal(isControlledBy(part, owner("a", "uid-other")), false);
    assert.throws(() => setControllerReference(owner("b", "uid-b"), part), AlreadyOwnedError);
    setOwnerReference(owner("b", "uid-b"), part);
    assert.deepEqual(
      ownerRequests(part, ownerType),
      [{ namespace: "ns", name: "a" }],
      "any version of the group and kind",
    );
    assert.deepEqual(
      ownerRequests(part, ownerType, false).map((r) => r.name),
      ["a", "b"],
    );
    assert.deepEqual(ownerRequests(part, { ...ownerType, group: "other.example.com" }), []);
    assert.equal(removeOwnerReference(owner("a", "uid-a"), part), true);
    assert.equal(getControllerOf(part), undefined);
  });

  it("keeps the controller flag when a plain reference is set again, and refuses cross-namespace owners", () => {
    const part: KubeObject = { metadata: { name: "p", namespace: "ns" } };
    setControllerReference(owner("a", "uid-a"), part);
    setOwnerReference(owner("a", "uid-a"), part);
    assert.equal(getControllerOf(part)?.name, "a");
    assert.throws(() => setOwnerReference(owner("c", "uid-c", "elsewhere"), part), OwnerReferenceError);
    assert.throws(() => setOwnerReference({ kind: "Flunder", metadata: { name: "x" } }, part), OwnerReferenceError);
  });

  it("maps cluster-scoped owners to a request without namespace", () => {
    const part: KubeObject = {
      metadata: {
        name: "p",
        namespace: "ns",
        ownerReferences: [
          { apiVersion: "wardle.example.com/v1alpha1", kind: "Fischer", name: "f", uid: "u", controller: true },
        ],
      },
    };
    const fischerType = {
      group: "wardle.example.com",
      version: "v1alpha1",
      kind: "Fischer",
      plural: "fischers",
      namespaced: false,
    };
    assert.deepEqual(ownerRequests(part, fischerType), [{ namespace: "", name: "f" }]);
  });
});
