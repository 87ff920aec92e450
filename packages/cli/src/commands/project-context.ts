/** What every command inside a project starts from: its root, its project file and a file plan. */
import { CliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";
import { type GenerateOutcome, planGenerate } from "../generate/generated-files.js";
import { describeChanges, type FileChange, FilePlan } from "../machinery/file-plan.js";
import { findProjectRoot, type ProjectFile, readProjectFile } from "../project/project-file.js";

export interface ProjectCommandOptions {
  /** Where the command runs; the project is found from here upwards. Default the process's cwd. */
  cwd?: string;
  dryRun?: boolean;
  force?: boolean;
}

export interface OpenProject {
  root: string;
  project: ProjectFile;
  plan: FilePlan;
}

export function openProject(options: ProjectCommandOptions): OpenProject {
  const root = findProjectRoot(options.cwd ?? process.cwd());
  const project = readProjectFile(root);
  const plan = new FilePlan(root, { dryRun: options.dryRun ?? false, force: options.force ?? false });
  return { root, project, plan };
}

/** Writes the plan (unless dry run) and reports each file. */
export function finish(plan: FilePlan, reporter: Reporter, dryRun: boolean | undefined): FileChange[] {
  const changes = plan.apply();
  for (const line of describeChanges(changes, dryRun ?? false)) reporter.info(line);
  return changes;
}

export function requireKind(project: ProjectFile, kind: string): void {
  if (!project.resources.some((resource) => resource.kind === kind)) {
    throw new CliError(
      "KindNotFound",
      `${project.group} has no kind ${kind} (it has ${project.resources.map((r) => r.kind).join(", ") || "none"})`,
      `add it with \`scaffold add resource --kind ${kind}\``,
    );
  }
}

/** `scaffold generate` inside another command's plan, as a reported step. */
export function generateStep(
  plan: FilePlan,
  project: ProjectFile,
  reporter: Reporter,
  title = "generating from src/apis",
): GenerateOutcome {
  const done = reporter.step(title);
  const outcome = planGenerate(plan, project);
  done();
  for (const notice of outcome.notices) reporter.warn(notice);
  return outcome;
}
