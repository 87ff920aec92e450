/** `scaffold docs`: API reference pages per group-version, from the types (every field's description). */
import { emitApiReference } from "@apiserver-kit/codegen";
import type { Reporter } from "../cli/reporter.js";
import { planGenerate } from "../generate/generated-files.js";
import type { FileChange } from "../machinery/file-plan.js";
import { layout } from "../project/layout.js";
import { finish, openProject, type ProjectCommandOptions } from "./project-context.js";

export interface DocsOptions extends ProjectCommandOptions {
  /** Relative to the project root. Default docs/api. */
  out?: string;
}

export function docsCommand(options: DocsOptions, reporter: Reporter): FileChange[] {
  const { plan, project } = openProject(options);
  const done = reporter.step("reading src/apis");
  const { model } = planGenerate(plan, project);
  done();
  for (const file of emitApiReference(model, { outDir: options.out ?? layout.docsDir })) {
    plan.generated(file.path, file.contents);
  }
  return finish(plan, reporter, options.dryRun);
}
