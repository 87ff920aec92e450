// `scaffold generate` derives the ban action's requestSchema from this interface, so the server
// checks every body before the handler (src/subresources/fischer-ban.ts) runs.

/**
 * BanRequest is the body of POST fischers/<name>/ban: a Flunder name to add to the Fischer's
 * disallowedFlunders.
 *
 * @actionRequest kind=Fischer action=ban
 */
export interface BanRequest {
  /**
   * The Flunder name to disallow.
   * @minLength 1
   * @maxLength 253
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
   */
  flunder: string;
}
