/** `scaffold docs`: API reference pages per group-version, from the types (every field's description). */
import { emitApiReference } from "@apiserver-kit/codegen";
import type { Reporter } from "../cli/reporter.js";
import type { FileChange } from "../machinery/file-plan.js";
import { layout } from "../project/layout.js";
import { finish, generateStep, openProject, type ProjectCommandOptions } from "./project-context.js";

export interface DocsOptions extends ProjectCommandOptions {
  /** Relative to the project root. Default docs/api. */
  out?: string;
}

export function docsCommand(options: DocsOptions, reporter: Reporter): FileChange[] {
  const { plan, project } = openProject(options);
  const { model } = generateStep(plan, project, reporter, "reading src/apis");
  for (const file of emitApiReference(model, { outDir: options.out ?? layout.docsDir })) {
    plan.generated(file.path, file.contents);
  }
  return finish(plan, reporter, options.dryRun);
}
