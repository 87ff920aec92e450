import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHub, toHub } from "./gizmo-v1beta1.js";

describe("Gizmo v1beta1 ⇄ v1alpha1 conversion", () => {
  it("round-trips a v1beta1 object through the storage version", () => {
    const object = {
      apiVersion: "widgets.example.com/v1beta1",
      kind: "Gizmo",
      metadata: {
        name: "round-trip",
      },
      spec: {
        replicas: 1,
        description: "example",
      },
      status: {
        replicas: 1,
        observedGeneration: 1,
        conditions: [
          {
            type: "example",
            status: "True",
            observedGeneration: 1,
            lastTransitionTime: "2024-01-02T03:04:05Z",
            reason: "example",
            message: "example",
          },
        ],
      },
    };
    assert.deepEqual(fromHub(toHub(structuredClone(object))), object);
  });

  it("round-trips a v1alpha1 object through v1beta1", () => {
    const object = {
      apiVersion: "widgets.example.com/v1alpha1",
      kind: "Gizmo",
      metadata: {
        name: "round-trip",
      },
      spec: {
        replicas: 1,
        description: "example",
      },
      status: {
        replicas: 1,
        observedGeneration: 1,
        conditions: [
          {
            type: "example",
            status: "True",
            observedGeneration: 1,
            lastTransitionTime: "2024-01-02T03:04:05Z",
            reason: "example",
            message: "example",
          },
        ],
      },
    };
    assert.deepEqual(toHub(fromHub(structuredClone(object))), object);
  });
});
