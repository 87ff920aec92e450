/** `scaffold add resource --kind <Kind>`: a new kind's types and controller, registered and generated. */
import { isKubeVersion } from "@apiserver-kit/codegen";
import { CliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";
import { checkListKinds, parseScope, planKind } from "../generate/kind-files.js";
import type { FileChange } from "../machinery/file-plan.js";
import { finish, generateStep, openProject, type ProjectCommandOptions } from "./project-context.js";

export interface AddResourceOptions extends ProjectCommandOptions {
  kind: string;
  /** Default: the project's first version. */
  version?: string;
  scope?: string;
  plural?: string;
  shortNames?: string[];
}

export function addResource(options: AddResourceOptions, reporter: Reporter): FileChange[] {
  const { plan, project } = openProject(options);
  if (project.resources.some((resource) => resource.kind === options.kind)) {
    throw new CliError(
      "KindExists",
      `${options.kind} already exists in ${project.group}`,
      `pick another name, or add a version of it with \`scaffold add version\``,
    );
  }
  checkListKinds([options.kind, ...project.resources.map((resource) => resource.kind)]);
  const versions = [...new Set(project.resources.flatMap((resource) => resource.versions))];
  const version = options.version ?? versions[0] ?? "v1alpha1";
  if (!isKubeVersion(version)) {
    throw new CliError(
      "InvalidArgument",
      `--version ${version} is not a Kubernetes version`,
      "use v1, v1beta1, v1alpha1...",
    );
  }
  planKind(plan, project, version, {
    kind: options.kind,
    scope: parseScope(options.scope),
    ...(options.plural ? { plural: options.plural } : {}),
    ...(options.shortNames ? { shortNames: options.shortNames } : {}),
  });
  generateStep(plan, project, reporter);
  const changes = finish(plan, reporter, options.dryRun);
  if (!options.dryRun) {
    reporter.info(
      `added ${options.kind} to ${project.group}/${version}: describe it in its type file, then \`scaffold generate\``,
    );
  }
  return changes;
}
