import {
  type ControllerSpec,
  isNotFound,
  type KubeObject,
  type Manager,
  setStatusCondition,
  updateStatus,
} from "@apiserver-kit/controller";
import type { Gizmo } from "../apis/widgets/v1alpha1/gizmo.js";
import { gizmoType } from "../generated/kinds.js";

/**
 * The Gizmo controller: brings the world in line with each Gizmo and reports it in the
 * status. This skeleton marks every Gizmo Ready at its current generation; do the real work
 * before that, and throw to retry with backoff.
 */
export function gizmoController(manager: Manager): ControllerSpec {
  const gizmos = manager.client<Gizmo & KubeObject>(gizmoType);
  return {
    name: "gizmo",
    for: gizmoType,
    async reconcile(_context, request) {
      try {
        await updateStatus(gizmos, request, (gizmo) => {
          const generation = gizmo.metadata.generation ?? 0;
          gizmo.status ??= {};
          const status = gizmo.status;
          status.conditions ??= [];
          const changed = setStatusCondition(status.conditions, {
            type: "Ready",
            status: "True",
            reason: "Reconciled",
            message: `generation ${generation} reconciled`,
            observedGeneration: generation,
          });
          const replicas = gizmo.spec.replicas;
          if (status.observedGeneration === generation && status.replicas === replicas && !changed) return false;
          status.observedGeneration = generation;
          status.replicas = replicas;
          return true;
        });
      } catch (error) {
        // Deleted since it was queued: nothing left to do.
        if (isNotFound(error)) return;
        throw error;
      }
    },
  };
}
