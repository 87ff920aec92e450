import type { int64 } from "@apiserver-kit/runtime";

// `scaffold generate` declares these fields as the log stream's query parameters, and the server
// converts them by type (as kube-apiserver converts pods/log's) before the handler
// (src/subresources/build-log.ts) runs.

/**
 * BuildLogOptions are the query parameters of GET builds/<name>/log, named as pods/log names
 * them.
 *
 * @subresourceOptions kind=Build subresource=log
 */
export interface BuildLogOptions {
  /** Keep streaming new lines until the build ends. */
  follow?: boolean;
  /** Only the last lines (0 or more). */
  tailLines?: int64;
}
