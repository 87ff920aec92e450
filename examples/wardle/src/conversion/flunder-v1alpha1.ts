import type { KubeObject } from "@apiserver-kit/runtime";
import type {
  FlunderSpec as FlunderSpecV1alpha1,
  Flunder as FlunderV1alpha1,
} from "../apis/wardle/v1alpha1/flunder.js";
import type { FlunderSpec as FlunderSpecV1beta1, Flunder as FlunderV1beta1 } from "../apis/wardle/v1beta1/flunder.js";

/*
 * Conversion between Flunder v1alpha1 and the storage version, v1beta1, written by hand as in
 * k8s.io/sample-apiserver: v1alpha1 has one `reference` whose meaning `referenceType` gives;
 * v1beta1 has `flunderReference` and `fischerReference`. The server calls these with private
 * copies; status is the same type in both versions and passes through.
 */

/** v1alpha1 → v1beta1. */
export function toHub(object: KubeObject): KubeObject {
  const from = object as unknown as FlunderV1alpha1;
  const to: FlunderV1beta1 = { ...from, apiVersion: "wardle.example.com/v1beta1" };
  if (from.spec) to.spec = specToHub(from.spec);
  return to as unknown as KubeObject;
}

/** v1beta1 → v1alpha1. */
export function fromHub(object: KubeObject): KubeObject {
  const from = object as unknown as FlunderV1beta1;
  const to: FlunderV1alpha1 = { ...from, apiVersion: "wardle.example.com/v1alpha1" };
  if (from.spec) to.spec = specFromHub(from.spec);
  return to as unknown as KubeObject;
}

function specToHub(spec: FlunderSpecV1alpha1): FlunderSpecV1beta1 {
  // v1alpha1's default: a reference without a type names a Flunder.
  const referenceType = spec.referenceType ?? (spec.reference !== undefined ? "Flunder" : undefined);
  const hub: FlunderSpecV1beta1 = {};
  if (referenceType !== undefined) hub.referenceType = referenceType;
  if (spec.reference !== undefined) {
    if (referenceType === "Fischer") hub.fischerReference = spec.reference;
    else hub.flunderReference = spec.reference;
  }
  return hub;
}

function specFromHub(spec: FlunderSpecV1beta1): FlunderSpecV1alpha1 {
  const alpha: FlunderSpecV1alpha1 = {};
  // v1beta1 validation keeps at most one of the two set; the Flunder one wins as in the sample.
  const reference = spec.flunderReference ?? spec.fischerReference;
  if (reference !== undefined) alpha.reference = reference;
  const referenceType =
    spec.referenceType ??
    (spec.flunderReference !== undefined ? "Flunder" : spec.fischerReference !== undefined ? "Fischer" : undefined);
  if (referenceType !== undefined) alpha.referenceType = referenceType;
  return alpha;
}
