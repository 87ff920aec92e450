import type { KubeObject, ReadSubresource } from "@apiserver-kit/runtime";
import type { Widget } from "../apis/widgets/v1alpha1/widget.js";
import type { WidgetHistoryOptions } from "../apis/widgets/v1alpha1/widget-history-options.js";
import type { WidgetHistory } from "../apis/widgets/v1alpha1/widget-history-response.js";

/**
 * GET `.../widgets/<name>/history`: a read of a Widget with its own query parameters
 * (authorized as `get` on `widgets/history`; `options` are WidgetHistoryOptions, converted
 * from the query by the server). It answers a WidgetHistory (its @subresourceResponse interface
 * in src/apis; the server adds apiVersion and kind). This skeleton answers with the object's
 * status conditions.
 */
export const subresource: ReadSubresource<Widget & KubeObject, WidgetHistoryOptions, WidgetHistory> = {
  type: "read",
  name: "history",
  description: "history of a Widget.",
  handle(context, options) {
    const conditions = (context.object.status?.conditions ?? []).slice(0, options.limit);
    return { conditions };
  },
};
