import type { ActionSubresource } from "@apiserver-kit/runtime";
import type { Widget } from "../apis/widgets/v1alpha1/widget.js";

/**
 * POST `.../widgets/<name>/approve`: an action on a Widget (authorized as `create` on
 * `widgets/approve`). This skeleton records when it was last asked for in an annotation and
 * answers with the updated Widget; `body` is the request body, already parsed.
 */
export const subresource: ActionSubresource = {
  type: "action",
  name: "approve",
  description: "approve of a Widget.",
  async handle(context, body) {
    void body;
    return context.update((object) => {
      const widget = object as unknown as Widget;
      widget.metadata.annotations = {
        ...widget.metadata.annotations,
        "widgets.example.com/approve-requested-at": new Date().toISOString(),
      };
    });
  },
};
