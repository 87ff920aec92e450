import type { KubeObject } from "@apiserver-kit/runtime";
import type { Widget as WidgetV1alpha1 } from "../apis/widgets/v1alpha1/widget.js";
import type { Widget as WidgetV1beta1 } from "../apis/widgets/v1beta1/widget.js";

/*
 * Conversion between Widget v1beta1 and the storage version, v1alpha1. The server calls these with
 * private copies and sets apiVersion and kind itself. The two versions had the same fields when
 * v1beta1 was added, so every field is copied: when the types diverge, the compiler points here.
 */

/** v1beta1 → v1alpha1. */
export function toHub(object: KubeObject): KubeObject {
  const from = object as unknown as WidgetV1beta1;
  const to: WidgetV1alpha1 = { ...from, apiVersion: "widgets.example.com/v1alpha1" };
  return to as unknown as KubeObject;
}

/** v1alpha1 → v1beta1. */
export function fromHub(object: KubeObject): KubeObject {
  const from = object as unknown as WidgetV1alpha1;
  const to: WidgetV1beta1 = { ...from, apiVersion: "widgets.example.com/v1beta1" };
  return to as unknown as KubeObject;
}
