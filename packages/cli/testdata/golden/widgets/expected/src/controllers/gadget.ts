import {
  type ControllerSpec,
  isNotFound,
  type KubeObject,
  type Manager,
  setStatusCondition,
  updateStatus,
} from "@apiserver-kit/controller";
import type { Gadget } from "../apis/widgets/v1alpha1/gadget.js";
import { gadgetType } from "../generated/kinds.js";

/**
 * The Gadget controller: brings the world in line with each Gadget and reports it in the
 * status. This skeleton marks every Gadget Ready at its current generation; do the real work
 * before that, and throw to retry with backoff.
 */
export function gadgetController(manager: Manager): ControllerSpec {
  const gadgets = manager.client<Gadget & KubeObject>(gadgetType);
  return {
    name: "gadget",
    for: gadgetType,
    async reconcile(_context, request) {
      try {
        await updateStatus(gadgets, request, (gadget) => {
          const generation = gadget.metadata.generation ?? 0;
          gadget.status ??= {};
          const status = gadget.status;
          status.conditions ??= [];
          const changed = setStatusCondition(status.conditions, {
            type: "Ready",
            status: "True",
            reason: "Reconciled",
            message: `generation ${generation} reconciled`,
            observedGeneration: generation,
          });
          const replicas = gadget.spec.replicas;
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
