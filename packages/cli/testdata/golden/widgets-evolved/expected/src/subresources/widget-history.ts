import type { KubeObject, ReadSubresource } from "@apiserver-kit/runtime";
import type { Widget } from "../apis/widgets/v1alpha1/widget.js";

/**
 * GET `.../widgets/<name>/history`: a read of a Widget with its own query parameters
 * (authorized as `get` on `widgets/history`). This skeleton answers with the object's status.
 */
export const subresource: ReadSubresource<Widget & KubeObject> = {
  type: "read",
  name: "history",
  description: "history of a Widget.",
  handle(context) {
    return { kind: "WidgetHistory", apiVersion: "widgets.example.com/v1alpha1", status: context.object.status ?? {} };
  },
};
