import type { KubeObject, ReadSubresource } from "@apiserver-kit/runtime";
import type { Widget } from "../apis/widgets/v1alpha1/widget.js";
import type { WidgetHistoryOptions } from "../apis/widgets/v1alpha1/widget-history-options.js";

/**
 * GET `.../widgets/<name>/history`: a read of a Widget with its own query parameters
 * (authorized as `get` on `widgets/history`; `options` are WidgetHistoryOptions, converted
 * from the query by the server). This skeleton answers with the object's status conditions.
 */
export const subresource: ReadSubresource<Widget & KubeObject, WidgetHistoryOptions> = {
  type: "read",
  name: "history",
  description: "history of a Widget.",
  // What it answers is not a Widget: discovery and OpenAPI say so.
  responseKind: { group: "widgets.example.com", version: "v1alpha1", kind: "WidgetHistory" },
  handle(context, options) {
    const conditions = (context.object.status?.conditions ?? []).slice(0, options.limit);
    return { kind: "WidgetHistory", apiVersion: "widgets.example.com/v1alpha1", conditions };
  },
};
