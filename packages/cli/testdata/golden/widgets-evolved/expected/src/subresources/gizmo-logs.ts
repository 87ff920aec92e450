import type { StreamSubresource } from "@apiserver-kit/runtime";
import type { Gizmo } from "../apis/widgets/v1alpha1/gizmo.js";

/**
 * GET `.../gizmos/<name>/logs`: streams text about a Gizmo until done or until the
 * client leaves (authorized as `get` on `gizmos/logs`; `kubectl get --raw` reads it).
 * This skeleton writes one line per status condition.
 */
export const subresource: StreamSubresource = {
  type: "stream",
  name: "logs",
  description: "logs of a Gizmo.",
  contentType: "text/plain",
  async handle(context, _options, write) {
    const gizmo = context.object as unknown as Gizmo;
    for (const condition of gizmo.status?.conditions ?? []) {
      if (context.signal.aborted) return;
      await write(`${condition.type}=${condition.status} ${condition.reason}: ${condition.message}\n`);
    }
  },
};
