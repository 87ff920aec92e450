// The request body of the approve action (src/subresources/widget-approve.ts). `scaffold generate`
// turns this interface into the action's requestSchema: the server checks every body against it
// before the handler runs (a bad value is a 422 naming its field; an unknown field is warned
// about, or refused under fieldValidation=Strict). Add the fields the action reads.

/**
 * The body of a Widget's approve action. Say here what the action does with it: this text is
 * the description OpenAPI and the API reference show.
 *
 * @actionRequest kind=Widget action=approve
 */
export interface WidgetApproveRequest {
  /**
   * Why the action was asked for; kept in the widgets.example.com/approve-reason annotation.
   * @maxLength 256
   */
  reason?: string;
}
