/** `scaffold generate [--check]`: re-creates src/generated (and the project file) from the types. */
import type { ApiModel } from "@apiserver-kit/codegen";
import { CliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";
import type { FileChange } from "../machinery/file-plan.js";
import { finish, generateStep, openProject, type ProjectCommandOptions } from "./project-context.js";

export interface GenerateOptions extends ProjectCommandOptions {
  /** Write nothing; fail when a generated file differs from what generate would write. */
  check?: boolean;
}

export interface GenerateCommandResult {
  model: ApiModel;
  changes: FileChange[];
}

export function generateCommand(options: GenerateOptions, reporter: Reporter): GenerateCommandResult {
  const { plan, project } = openProject({ ...options, dryRun: options.dryRun || options.check });
  const outcome = generateStep(plan, project, reporter);
  if (options.check) {
    const stale = plan.changes().filter((change) => change.owner === "generated" && change.kind !== "unchanged");
    if (stale.length > 0) {
      throw new CliError(
        "GeneratedFilesStale",
        `generated files are out of date with the types:\n${stale.map((change) => `  ${change.kind} ${change.path}`).join("\n")}`,
        "run `scaffold generate` and commit the result",
      );
    }
    reporter.info("generated files are up to date");
    return { model: outcome.model, changes: plan.changes() };
  }
  return { model: outcome.model, changes: finish(plan, reporter, options.dryRun) };
}
