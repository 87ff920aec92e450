import { type KubeObject, type ReadSubresource, StatusError } from "@apiserver-kit/runtime";
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
    // The server converted the query by type; what a type can't say is checked here (as pods/log
    // refuses a negative tailLines): slice(0, -1) would quietly drop the last condition.
    if (options.limit !== undefined && options.limit < 0) {
      throw StatusError.invalid({ group: "widgets.example.com", kind: "WidgetHistoryOptions" }, context.name, [
        {
          type: "FieldValueInvalid",
          field: "limit",
          badValue: options.limit,
          detail: "must be greater than or equal to 0",
        },
      ]);
    }
    const conditions = (context.object.status?.conditions ?? []).slice(0, options.limit);
    return { conditions };
  },
};
