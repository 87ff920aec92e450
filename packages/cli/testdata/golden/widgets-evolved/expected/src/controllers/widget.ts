import {
  type ControllerSpec,
  isNotFound,
  type KubeObject,
  type Manager,
  setStatusCondition,
  updateStatus,
} from "@apiserver-kit/controller";
import type { Widget } from "../apis/widgets/v1alpha1/widget.js";
import { widgetType } from "../generated/kinds.js";

/**
 * The Widget controller: brings the world in line with each Widget and reports it in the
 * status. This skeleton marks every Widget Ready at its current generation; do the real work
 * before that, and throw to retry with backoff.
 */
export function widgetController(manager: Manager): ControllerSpec {
  const widgets = manager.client<Widget & KubeObject>(widgetType);
  return {
    name: "widget",
    for: widgetType,
    async reconcile(_context, request) {
      try {
        await updateStatus(widgets, request, (widget) => {
          const generation = widget.metadata.generation ?? 0;
          widget.status ??= {};
          const status = widget.status;
          status.conditions ??= [];
          const changed = setStatusCondition(status.conditions, {
            type: "Ready",
            status: "True",
            reason: "Reconciled",
            message: `generation ${generation} reconciled`,
            observedGeneration: generation,
          });
          const replicas = widget.spec.replicas;
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
