import { type ActionSubresource, StatusError } from "@apiserver-kit/runtime";
import type { Build } from "../apis/ci/v1alpha1/build.js";
import { endBuild } from "../runner/phases.js";

/**
 * POST `.../builds/<name>/cancel` with an optional `{"reason": "..."}`: ends a Build that has not
 * ended yet as Cancelled (authorized as `create` on `builds/cancel`); the runner sees the new
 * phase and stops it. Answers with the Build; a build that already ended answers 409.
 */
export const subresource: ActionSubresource = {
  type: "action",
  name: "cancel",
  description: "Cancels the build: its phase becomes Cancelled and the runner stops its steps.",
  requestSchema: {
    type: "object",
    properties: { reason: { type: "string", description: "Why, for the Complete condition's message." } },
  },
  async handle(context, body) {
    const reason = (body as { reason?: unknown } | null)?.reason;
    const message = `cancelled by ${context.user.name}${typeof reason === "string" && reason ? `: ${reason}` : ""}`;
    return context.update(
      (object) => {
        const build = object as unknown as Build;
        if (!endBuild(build, "Cancelled", "Cancelled", message, Date.now())) {
          throw StatusError.conflict(
            { group: "ci.example.com", resource: "builds" },
            context.name,
            `the build has already ended (${build.status?.phase})`,
          );
        }
      },
      { subresource: "status" },
    );
  },
};
