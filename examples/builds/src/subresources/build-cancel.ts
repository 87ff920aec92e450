import { type ActionSubresource, type KubeObject, StatusError } from "@apiserver-kit/runtime";
import type { Build } from "../apis/ci/v1alpha1/build.js";
import type { BuildCancelRequest } from "../apis/ci/v1alpha1/build-cancel-request.js";
import { endBuild } from "../runner/phases.js";

/**
 * POST `.../builds/<name>/cancel` with an optional `{"reason": "..."}` (a BuildCancelRequest,
 * checked by the server before `handle` runs): ends a Build that has not ended yet as Cancelled
 * (authorized as `create` on `builds/cancel`); the runner sees the new phase and stops it.
 * Answers with the Build; a build that already ended answers 409.
 */
export const subresource: ActionSubresource<Build & KubeObject, BuildCancelRequest> = {
  type: "action",
  name: "cancel",
  description: "Cancels the build: its phase becomes Cancelled and the runner stops its steps.",
  async handle(context, { reason }) {
    const message = `cancelled by ${context.user.name}${reason ? `: ${reason}` : ""}`;
    return context.update(
      (build) => {
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
