import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHub, toHub } from "./flunder-v1alpha1.js";

const status = {
  observedGeneration: 1,
  referenceUID: "3f0e7a5c-0000-4000-8000-000000000001",
  conditions: [
    {
      type: "ReferenceResolved",
      status: "True",
      observedGeneration: 1,
      lastTransitionTime: "2024-01-02T03:04:05Z",
      reason: "Found",
      message: "fischer strict exists",
    },
  ],
};
const alpha = (spec: object) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name: "round-trip", namespace: "default" },
  spec,
  status,
});
const beta = (spec: object) => ({ ...alpha(spec), apiVersion: "wardle.example.com/v1beta1" });

describe("Flunder v1alpha1 ⇄ v1beta1 conversion", () => {
  it("splits reference by its type, and joins it back", () => {
    const cases: Array<[object, object]> = [
      [
        { reference: "trout", referenceType: "Fischer" },
        { fischerReference: "trout", referenceType: "Fischer" },
      ],
      [
        { reference: "other", referenceType: "Flunder" },
        { flunderReference: "other", referenceType: "Flunder" },
      ],
      [{}, {}],
    ];
    for (const [alphaSpec, betaSpec] of cases) {
      assert.deepEqual(toHub(structuredClone(alpha(alphaSpec))), beta(betaSpec));
      assert.deepEqual(fromHub(structuredClone(beta(betaSpec))), alpha(alphaSpec));
    }
  });

  it("applies v1alpha1's default: a reference without a type names a Flunder", () => {
    assert.deepEqual(
      toHub(alpha({ reference: "other" })),
      beta({ flunderReference: "other", referenceType: "Flunder" }),
    );
  });

  it("infers the type of a v1beta1 reference written without one", () => {
    assert.deepEqual(
      fromHub(beta({ fischerReference: "trout" })),
      alpha({ reference: "trout", referenceType: "Fischer" }),
    );
  });
});
