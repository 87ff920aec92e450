import { type KubeObject, StatusError, type StreamSubresource } from "@apiserver-kit/runtime";
import type { Gizmo } from "../apis/widgets/v1alpha1/gizmo.js";
import type { GizmoLogsOptions } from "../apis/widgets/v1alpha1/gizmo-logs-options.js";

/**
 * GET `.../gizmos/<name>/logs`: streams text about a Gizmo until done or until the
 * client leaves (authorized as `get` on `gizmos/logs`; `kubectl get --raw` reads it;
 * `options` are GizmoLogsOptions, converted from the query by the server). This skeleton
 * writes one line per status condition.
 */
export const subresource: StreamSubresource<Gizmo & KubeObject, GizmoLogsOptions> = {
  type: "stream",
  name: "logs",
  description: "logs of a Gizmo.",
  contentType: "text/plain",
  async handle(context, options, write) {
    // The server converted the query by type; what a type can't say is checked here (as pods/log
    // refuses a negative tailLines): slice(0, -1) would quietly drop the last condition.
    if (options.limit !== undefined && options.limit < 0) {
      throw StatusError.invalid({ group: "widgets.example.com", kind: "GizmoLogsOptions" }, context.name, [
        {
          type: "FieldValueInvalid",
          field: "limit",
          badValue: options.limit,
          detail: "must be greater than or equal to 0",
        },
      ]);
    }
    for (const condition of (context.object.status?.conditions ?? []).slice(0, options.limit)) {
      if (context.signal.aborted) return;
      await write(`${condition.type}=${condition.status} ${condition.reason}: ${condition.message}\n`);
    }
  },
};
