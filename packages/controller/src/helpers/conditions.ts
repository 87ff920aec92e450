/**
 * metav1.Condition helpers (k8s.io/apimachinery pkg/api/meta/conditions.go): set a
 * condition, changing lastTransitionTime only when its status changes.
 */
import type { Condition } from "../objects/meta.js";

/** A condition to set; lastTransitionTime defaults to `now` when the status changes. */
export type ConditionInput = Omit<Condition, "lastTransitionTime"> & { lastTransitionTime?: string };

/** RFC 3339 with seconds precision, as metav1.Time serialises. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Sets `input` in `conditions` (mutating it); returns whether anything changed.
 * `now` is milliseconds since the epoch (pass the clock's time).
 */
export function setStatusCondition(conditions: Condition[], input: ConditionInput, now: number = Date.now()): boolean {
  const existing = conditions.find((c) => c.type === input.type);
  if (!existing) {
    conditions.push({ ...input, lastTransitionTime: input.lastTransitionTime ?? metaTime(now) });
    return true;
  }
  let changed = false;
  if (existing.status !== input.status) {
    existing.status = input.status;
    existing.lastTransitionTime = input.lastTransitionTime ?? metaTime(now);
    changed = true;
  }
  if (existing.reason !== input.reason) {
    existing.reason = input.reason;
    changed = true;
  }
  if (existing.message !== input.message) {
    existing.message = input.message;
    changed = true;
  }
  if (existing.observedGeneration !== input.observedGeneration) {
    if (input.observedGeneration === undefined) delete existing.observedGeneration;
    else existing.observedGeneration = input.observedGeneration;
    changed = true;
  }
  return changed;
}

export function findStatusCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Removes the condition of `type`; returns whether there was one. */
export function removeStatusCondition(conditions: Condition[], type: string): boolean {
  const at = conditions.findIndex((c) => c.type === type);
  if (at < 0) return false;
  conditions.splice(at, 1);
  return true;
}

export function isStatusConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findStatusCondition(conditions, type)?.status === "True";
}

export function isStatusConditionFalse(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findStatusCondition(conditions, type)?.status === "False";
}
