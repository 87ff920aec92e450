// The query parameters of the history subresource (src/subresources/widget-history.ts). `scaffold
// generate` declares each field as a parameter, and the server converts it by type before the
// handler runs (a malformed integer is a 400). Fields are optional strings, int32/int64 or
// booleans; check their values in the handler.

import type { int32 } from "@apiserver-kit/runtime";

/**
 * The query parameters of a Widget's history subresource. Say here what they change: this text
 * is what the API reference shows.
 *
 * @subresourceOptions kind=Widget subresource=history
 */
export interface WidgetHistoryOptions {
  /** At most this many conditions. */
  limit?: int32;
}
