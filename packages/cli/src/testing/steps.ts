/** Test support: runs a list of scaffold commands (as golden cases write them) through the command functions. */
import { memoryReporter } from "../cli/reporter.js";
import { addResource } from "../commands/add-resource.js";
import { addSubresource } from "../commands/add-subresource.js";
import { addVersion } from "../commands/add-version.js";
import { docsCommand } from "../commands/docs.js";
import { manifestsCommand } from "../commands/manifests.js";
import { newApi } from "../commands/new-api.js";

export type Step = [string, Record<string, unknown>];

/** Runs a golden case's steps in a fresh directory; returns the project root. */
export function runSteps(steps: Step[], root: string): void {
  const reporter = memoryReporter();
  for (const [command, args] of steps) {
    const cwd = { cwd: root };
    switch (command) {
      case "new-api":
        newApi({ dir: root, install: false, ...(args as { group: string }) }, reporter);
        break;
      case "add resource":
        addResource({ ...cwd, ...(args as { kind: string }) }, reporter);
        break;
      case "add version":
        addVersion({ ...cwd, ...(args as { version: string }) }, reporter);
        break;
      case "add subresource":
        addSubresource({ ...cwd, ...(args as { kind: string; name: string }) }, reporter);
        break;
      case "manifests":
        manifestsCommand({ ...cwd, ...args }, reporter);
        break;
      case "docs":
        docsCommand({ ...cwd, ...args }, reporter);
        break;
      default:
        throw new Error(`unknown step ${command}`);
    }
  }
}
