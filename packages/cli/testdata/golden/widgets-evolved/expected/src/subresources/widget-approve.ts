import type { ActionSubresource, KubeObject } from "@apiserver-kit/runtime";
import type { Widget } from "../apis/widgets/v1alpha1/widget.js";
import type { WidgetApproveRequest } from "../apis/widgets/v1alpha1/widget-approve-request.js";

/**
 * POST `.../widgets/<name>/approve`: an action on a Widget (authorized as `create` on
 * `widgets/approve`). This skeleton records when it was last asked for (and why) in
 * annotations and answers with the updated Widget.
 *
 * `body` has been checked against WidgetApproveRequest (its @actionRequest interface in src/apis)
 * before `handle` runs, so its type can be trusted.
 */
export const subresource: ActionSubresource<Widget & KubeObject, WidgetApproveRequest> = {
  type: "action",
  name: "approve",
  description: "approve of a Widget.",
  async handle(context, body) {
    return context.update((widget) => {
      widget.metadata.annotations = {
        ...widget.metadata.annotations,
        "widgets.example.com/approve-requested-at": new Date().toISOString(),
        ...(body.reason === undefined ? {} : { "widgets.example.com/approve-reason": body.reason }),
      };
    });
  },
};
