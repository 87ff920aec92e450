import { setStatusCondition } from "@apiserver-kit/controller";
import type { Build, BuildPhase } from "../apis/ci/v1alpha1/build.js";

export const TERMINAL_PHASES: readonly BuildPhase[] = ["Succeeded", "Failed", "Cancelled"];
export const COMPLETE_CONDITION = "Complete";

export function hasEnded(build: Build): boolean {
  return TERMINAL_PHASES.includes(build.status?.phase ?? "Pending");
}

/** RFC 3339, whole seconds (metav1.Time). */
export const metaTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Ends a build in its status: the phase, completionTime, and the Complete condition with why.
 * Returns false, changing nothing, when it has already ended (the first ending wins).
 */
export function endBuild(build: Build, phase: BuildPhase, reason: string, message: string, now: number): boolean {
  if (hasEnded(build)) return false;
  build.status ??= {};
  const status = build.status;
  status.phase = phase;
  status.completionTime = metaTime(now);
  delete status.currentStep;
  status.conditions ??= [];
  setStatusCondition(status.conditions, { type: COMPLETE_CONDITION, status: "True", reason, message }, now);
  return true;
}
