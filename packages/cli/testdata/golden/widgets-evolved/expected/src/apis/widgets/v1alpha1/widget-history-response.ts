// What the history subresource answers (src/subresources/widget-history.ts). `scaffold generate`
// publishes this interface as the answer's kind: OpenAPI has its schema and discovery names it.
// The server writes `apiVersion` and `kind` into an answer that leaves them out; the rest is the
// handler's, typed by this interface (the server does not check answers against it).

import type { Condition } from "@apiserver-kit/runtime";

/**
 * What GET `.../widgets/<name>/history` answers about a Widget. Say here what it tells:
 * this text is what OpenAPI and the API reference show.
 *
 * @subresourceResponse kind=Widget subresource=history
 */
export interface WidgetHistory {
  /** The Widget's status conditions. */
  conditions: Condition[];
}
