/**
 * `scaffold add version <version> [--from <version>]`: copies the kinds of a version into a new
 * one (served beside it), keeps the storage version where it was and records it with
 * @storageVersion, and creates conversion stubs with their round-trip tests.
 */
import { posix } from "node:path";
import { compareKubeVersions, isKubeVersion } from "@apiserver-kit/codegen";
import { CliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";
import {
  ensureKindTag,
  interfacesTagged,
  kindsDeclaredIn,
  removeKindTag,
  replaceStringLiterals,
} from "../machinery/ast-edits.js";
import type { FileChange } from "../machinery/file-plan.js";
import { layout } from "../project/layout.js";
import { finish, generateStep, openProject, type ProjectCommandOptions, requireKind } from "./project-context.js";

export interface AddVersionOptions extends ProjectCommandOptions {
  version: string;
  /** The version copied; default the project's highest-priority version. */
  from?: string;
  /** Only these kinds; default every kind of --from. */
  kinds?: string[];
  /** Make the new version the storage version (only for kinds that have a single version so far). */
  storage?: boolean;
}

export function addVersion(options: AddVersionOptions, reporter: Reporter): FileChange[] {
  const { plan, project } = openProject(options);
  if (!isKubeVersion(options.version)) {
    throw new CliError(
      "InvalidArgument",
      `${options.version} is not a Kubernetes version`,
      "use v1, v1beta1, v2alpha1...",
    );
  }
  for (const kind of options.kinds ?? []) requireKind(project, kind);
  const versionsOf = (resources: typeof project.resources) =>
    [...new Set(resources.flatMap((resource) => resource.versions))].sort(compareKubeVersions);
  const versions = versionsOf(project.resources);
  // The default source is the newest version of the kinds copied: with --kind, theirs.
  const chosen = project.resources.filter((resource) => options.kinds?.includes(resource.kind) ?? true);
  const from = options.from ?? versionsOf(chosen)[0];
  if (from === undefined || !versions.includes(from)) {
    throw new CliError(
      "VersionNotFound",
      `--from ${from ?? "(none)"} is not a version of ${project.group} (it has ${versions.join(", ") || "none"})`,
      "name one of the project's versions",
    );
  }
  const lacking = chosen.filter((resource) => !resource.versions.includes(from));
  if (options.kinds !== undefined && lacking.length > 0) {
    throw new CliError(
      "VersionNotFound",
      lacking
        .map((resource) => `${resource.kind} has no version ${from} (it has ${resource.versions.join(", ")})`)
        .join("; "),
      "pass --from with a version every --kind has, or add each kind on its own",
    );
  }
  const selected = chosen.filter((resource) => resource.versions.includes(from));
  if (selected.length === 0)
    throw new CliError("KindNotFound", `no kind of ${project.group} has version ${from}`, "pass --from");
  for (const resource of selected) {
    if (resource.versions.includes(options.version)) {
      throw new CliError(
        "VersionExists",
        `${resource.kind} already has version ${options.version}`,
        "pick another version",
      );
    }
    if (options.storage && resource.versions.length > 1) {
      throw new CliError(
        "InvalidArgument",
        `${resource.kind} already has ${resource.versions.length} versions: --storage would leave their conversions pointing at the old storage version`,
        "add the version without --storage, then move @storageVersion and update src/conversion by hand",
      );
    }
  }
  const names = new Set(selected.map((resource) => resource.kind));
  const fromDir = layout.versionDir(project.groupFolder, from);
  const toDir = layout.versionDir(project.groupFolder, options.version);
  for (const path of plan.files(fromDir)) {
    if (!path.endsWith(".ts") || posix.dirname(path) !== fromDir) continue;
    const text = plan.read(path) ?? "";
    // A subresource's body, options or response belong to the subresource, not to a version: they stay.
    if (interfacesTagged(path, text, "actionRequest", "subresourceOptions", "subresourceResponse").length > 0) continue;
    const kinds = kindsDeclaredIn(path, text);
    // Files of kinds left out stay behind; files with shared types (no kind) come along.
    if (kinds.length > 0 && !kinds.some((kind) => names.has(kind))) continue;
    const target = `${toDir}/${posix.basename(path)}`;
    let copy = replaceStringLiterals(target, text, `${project.group}/${from}`, `${project.group}/${options.version}`);
    for (const kind of kinds) {
      copy = removeKindTag(target, copy, kind, "storageVersion");
      if (!names.has(kind)) copy = removeKindTag(target, copy, kind, "kind");
      else if (options.storage) copy = ensureKindTag(target, copy, kind, "storageVersion");
    }
    plan.user(target, copy);
  }
  for (const resource of selected) {
    if (options.storage) continue;
    // The storage version stays; with two versions it must be named.
    const storageFile = layout.typeFile(project.groupFolder, resource.storageVersion, resource.kind);
    if (plan.exists(storageFile)) {
      plan.edit(storageFile, (text) => ensureKindTag(storageFile, text, resource.kind, "storageVersion"));
    }
  }
  generateStep(plan, project, reporter);
  const changes = finish(plan, reporter, options.dryRun);
  if (!options.dryRun) {
    reporter.info(
      `${[...names].join(", ")} now served in ${options.version} too; conversion stubs are in src/conversion (edit them as the versions diverge)`,
    );
  }
  return changes;
}
