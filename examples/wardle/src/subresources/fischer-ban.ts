import type { ActionSubresource, KubeObject } from "@apiserver-kit/runtime";
import type { Fischer } from "../apis/wardle/v1alpha1/fischer.js";
import type { BanRequest } from "../apis/wardle/v1alpha1/fischer-ban-request.js";

/**
 * POST `.../fischers/<name>/ban` with `{"flunder": "<name>"}`: adds one name to the Fischer's
 * disallowedFlunders (authorized as `create` on `fischers/ban`). The list is atomic, so two
 * clients that each read, append and write it would lose one name; the action appends on the
 * server under optimistic concurrency instead, and answers with the updated Fischer.
 *
 * The body's schema comes from BanRequest (its `@actionRequest` interface in src/apis): the
 * server checks it before `handle` runs (a missing or malformed name is a 422 naming
 * `flunder`, an unknown field a warning), so the handler can trust the type.
 */
export const subresource: ActionSubresource<Fischer & KubeObject, BanRequest> = {
  type: "action",
  name: "ban",
  description: "Adds a Flunder name to the Fischer's disallowedFlunders.",
  async handle(context, { flunder }) {
    return context.update((fischer) => {
      const disallowed = fischer.disallowedFlunders ?? [];
      if (!disallowed.includes(flunder)) fischer.disallowedFlunders = [...disallowed, flunder];
    });
  },
};
