import { join } from "node:path";
import { CHECKOUT } from "../paths.js";
import type { ApiPage } from "./generate.js";

export const API_REFERENCE_COMMAND = "node scripts/docs-api-reference.mjs";

/** The generated API pages: where each goes and what it covers. */
export const API_PAGES: ReadonlyArray<ApiPage & { out: string }> = [
  {
    out: join(CHECKOUT, "docs/reference/runtime-api.md"),
    packageDir: join(CHECKOUT, "packages/runtime"),
    title: "`@apiserver-kit/runtime` API",
    intro:
      "Everything `@apiserver-kit/runtime` exports: the server (`ApiServer`, `runServer`), the resource model a project's definitions follow, errors, authentication and authorization seams, admission, local mode, observability. The test kit (`@apiserver-kit/runtime/testing`) is not listed. Guides: [architecture](../architecture.md), [server flags](server-flags.md), [admission](../guides/admission.md), [custom subresources](../guides/custom-subresources.md).",
    command: API_REFERENCE_COMMAND,
  },
  {
    out: join(CHECKOUT, "docs/reference/controller-api.md"),
    packageDir: join(CHECKOUT, "packages/controller"),
    title: "`@apiserver-kit/controller` API",
    intro:
      "Everything `@apiserver-kit/controller` exports: clients, informers, the work queue, the reconcile loop, the manager, leader election and the helpers controllers use. The [controllers guide](../guides/controllers.md) shows them at work.",
    command: API_REFERENCE_COMMAND,
  },
];
