// `scaffold generate` derives the cancel action's requestSchema from this interface, so the server
// checks every body before the handler (src/subresources/build-cancel.ts) runs.

/**
 * BuildCancelRequest is the body of POST builds/<name>/cancel. An empty body (`{}`) cancels
 * without a reason.
 *
 * @actionRequest kind=Build action=cancel
 */
export interface BuildCancelRequest {
  /**
   * Why, for the Complete condition's message.
   * @maxLength 1024
   */
  reason?: string;
}
