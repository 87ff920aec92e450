import type { ActionSubresource } from "@apiserver-kit/runtime";
import type { Fischer } from "../apis/wardle/v1alpha1/fischer.js";

/** The request body of `ban`. */
export interface BanRequest {
  /** The Flunder name to disallow. */
  flunder: string;
}

/** A Kubernetes object name: a DNS-1123 subdomain. */
const OBJECT_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/**
 * POST `.../fischers/<name>/ban` with `{"flunder": "<name>"}`: adds one name to the Fischer's
 * disallowedFlunders (authorized as `create` on `fischers/ban`). The list is atomic, so two
 * clients that each read, append and write it would lose one name; the action appends on the
 * server under optimistic concurrency instead, and answers with the updated Fischer.
 *
 * The server checks the body against `requestSchema` before `handle` runs (a missing or
 * malformed name is a 422 naming `flunder`, an unknown field a warning), so the handler reads
 * it as a `BanRequest`.
 */
export const subresource: ActionSubresource = {
  type: "action",
  name: "ban",
  description: "Adds a Flunder name to the Fischer's disallowedFlunders.",
  requestKind: { group: "wardle.example.com", version: "v1alpha1", kind: "BanRequest" },
  requestSchema: {
    type: "object",
    required: ["flunder"],
    properties: {
      flunder: {
        type: "string",
        description: "The Flunder name to disallow.",
        minLength: 1,
        maxLength: 253,
        pattern: OBJECT_NAME,
      },
    },
  },
  async handle(context, body) {
    const { flunder } = body as BanRequest;
    return context.update((object) => {
      const fischer = object as unknown as Fischer;
      const disallowed = fischer.disallowedFlunders ?? [];
      if (!disallowed.includes(flunder)) fischer.disallowedFlunders = [...disallowed, flunder];
    });
  },
};
