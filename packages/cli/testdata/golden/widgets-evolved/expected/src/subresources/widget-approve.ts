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
  // The request body: published in OpenAPI and checked before `handle` runs (unknown fields are
  // warned about, or refused under fieldValidation=Strict; a bad value is a 422 naming its field).
  // This skeleton takes none; declare the properties your action reads.
  requestSchema: { type: "object", properties: {} },
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
