import { type ActionSubresource, type FieldError, fieldErrors, StatusError } from "@apiserver-kit/runtime";
import type { Fischer } from "../apis/wardle/v1alpha1/fischer.js";

/** The request body of `ban`. */
export interface BanRequest {
  /** The Flunder name to disallow. */
  flunder: string;
}

/**
 * POST `.../fischers/<name>/ban` with `{"flunder": "<name>"}`: adds one name to the Fischer's
 * disallowedFlunders (authorized as `create` on `fischers/ban`). The list is atomic, so two
 * clients that each read, append and write it would lose one name; the action appends on the
 * server under optimistic concurrency instead, and answers with the updated Fischer.
 */
export const subresource: ActionSubresource = {
  type: "action",
  name: "ban",
  description: "Adds a Flunder name to the Fischer's disallowedFlunders.",
  requestSchema: {
    type: "object",
    required: ["flunder"],
    properties: { flunder: { type: "string", description: "The Flunder name to disallow." } },
  },
  async handle(context, body) {
    const { flunder } = parseBanRequest(body, context.name);
    return context.update((object) => {
      const fischer = object as unknown as Fischer;
      const disallowed = fischer.disallowedFlunders ?? [];
      if (!disallowed.includes(flunder)) fischer.disallowedFlunders = [...disallowed, flunder];
    });
  },
};

/** A Kubernetes object name: a DNS-1123 subdomain. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks the body as a typed value: a 422 names the field, as for any object. */
export function parseBanRequest(body: unknown, fischer: string): BanRequest {
  const flunder = (body as Partial<BanRequest> | null)?.flunder;
  let problem: FieldError | undefined;
  if (typeof flunder !== "string" || flunder === "")
    problem = fieldErrors.required("flunder", "the Flunder name to disallow");
  else if (flunder.length > 253 || !OBJECT_NAME.test(flunder))
    problem = fieldErrors.invalid("flunder", flunder, "a Flunder name is a lower-case DNS-1123 subdomain");
  if (problem) throw StatusError.invalid({ group: "wardle.example.com", kind: "BanRequest" }, fischer, [problem]);
  return { flunder: flunder as string };
}
