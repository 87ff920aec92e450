/**
 * `scaffold add subresource --kind <Kind> <status|scale|name>`: status and scale are markers on the
 * kind (and the fields they need); any other name is a custom subresource with a handler skeleton
 * (an action by default; `--type read` or `--type stream` for the others), wired in by generate.
 */
import { CliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";
import { typeImport } from "../generate/generated-files.js";
import { ensureKindTag, ensureProperty, propertyType, taggedInterfaces } from "../machinery/ast-edits.js";
import type { FileChange, FilePlan } from "../machinery/file-plan.js";
import { APIS_DIR, identifiers, layout } from "../project/layout.js";
import { kebabCase } from "../project/names.js";
import { type ProjectFile, type ResourceRecord, renderProjectFile } from "../project/project-file.js";
import { render } from "../templates/render.js";
import { finish, generateStep, openProject, type ProjectCommandOptions, requireKind } from "./project-context.js";

export type CustomSubresourceType = "action" | "read" | "stream";

export interface AddSubresourceOptions extends ProjectCommandOptions {
  kind: string;
  /** `status`, `scale`, or a custom subresource's name (lower case, e.g. `approve`). */
  name: string;
  /** For custom subresources. Default action. */
  type?: CustomSubresourceType;
  /** Only this version's type file (status and scale); default every version. */
  version?: string;
}

const SCALE_MARKER = "scale specReplicasPath=.spec.replicas statusReplicasPath=.status.replicas";

export function addSubresource(options: AddSubresourceOptions, reporter: Reporter): FileChange[] {
  const { plan, project } = openProject(options);
  requireKind(project, options.kind);
  const resource = project.resources.find((r) => r.kind === options.kind) as ResourceRecord;
  const versions = options.version ? [options.version] : resource.versions;
  let updated = project;
  const builtIn = options.name === "status" || options.name === "scale";
  if (builtIn && options.type !== undefined) {
    throw new CliError(
      "InvalidArgument",
      `--type is for custom subresources, not ${options.name}`,
      `leave --type out: ${options.name} is a marker on the kind`,
    );
  }
  if (!builtIn && options.version !== undefined) {
    throw new CliError(
      "InvalidArgument",
      `--version is for status and scale, not ${options.name}`,
      "leave --version out: a custom subresource's handler serves every version of the kind",
    );
  }
  if (options.version !== undefined && !resource.versions.includes(options.version)) {
    throw new CliError(
      "VersionNotFound",
      `${options.kind} has no version ${options.version} (it has ${resource.versions.join(", ")})`,
      `name one of its versions, or add one with \`scaffold add version ${options.version}\``,
    );
  }
  if (builtIn) {
    for (const version of versions) {
      const path = layout.typeFile(project.groupFolder, version, options.kind);
      if (!plan.exists(path)) {
        throw new CliError(
          "EditFailed",
          `${path} is missing`,
          `add the marker by hand where ${options.kind} ${version} is declared`,
        );
      }
      if (options.name === "status") planStatus(plan, path, options.kind);
      else planScale(plan, path, options.kind);
    }
  } else {
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(options.name) || options.name.length > 63) {
      throw new CliError(
        "InvalidArgument",
        `${options.name} is not a subresource name`,
        "use a lower-case DNS label (letters, digits and dashes inside, at most 63), e.g. approve",
      );
    }
    const type = options.type ?? "action";
    if (!["action", "read", "stream"].includes(type)) {
      throw new CliError("InvalidArgument", `--type ${type} is not action, read or stream`, "pick one of them");
    }
    planCustom(plan, project, resource, options.name, type);
    updated = {
      ...project,
      resources: project.resources.map((r) =>
        r.kind === options.kind && !r.subresources.includes(options.name)
          ? { ...r, subresources: [...r.subresources, options.name] }
          : r,
      ),
    };
    plan.generated("PROJECT", renderProjectFile(updated));
  }
  generateStep(plan, updated, reporter);
  return finish(plan, reporter, options.dryRun);
}

function planStatus(plan: FilePlan, path: string, kind: string): void {
  plan.edit(path, (text) => {
    let next = ensureKindTag(path, text, kind, "subresource", "status");
    if (propertyType(path, next, kind, "status") === undefined) {
      next = ensureProperty(path, next, kind, {
        name: "status",
        type: "Record<string, unknown>",
        docs: `The observed state of the ${kind}, written through its status subresource.\n@preserveUnknownFields`,
      });
    }
    return next;
  });
}

function planScale(plan: FilePlan, path: string, kind: string): void {
  plan.edit(path, (text) => {
    let next = ensureKindTag(path, text, kind, "subresource", SCALE_MARKER);
    const int32 = { name: "int32", from: "@apiserver-kit/runtime" };
    for (const [field, docs] of [
      ["spec", "How many replicas are wanted (the scale subresource's spec.replicas)."],
      ["status", "How many replicas there are (the scale subresource's status.replicas)."],
    ] as const) {
      const type = propertyType(path, next, kind, field);
      if (type === undefined) {
        throw new CliError(
          "EditFailed",
          `${kind} in ${path} has no ${field} of an interface type for the scale subresource's replicas`,
          `declare \`${field}${field === "status" ? "?" : ""}: ${kind}${field === "spec" ? "Spec" : "Status"}\` with an interface, then run this again`,
        );
      }
      next = ensureProperty(path, next, type, { name: "replicas", type: "int32", docs, importType: int32 });
    }
    return next;
  });
}

function planCustom(
  plan: FilePlan,
  project: ProjectFile,
  resource: ResourceRecord,
  name: string,
  type: CustomSubresourceType,
) {
  const path = layout.subresourceFile(resource.kind, name);
  // The handler's body (an action) or options (a read or stream) are typed in src/apis.
  const suffix = type === "action" ? "Request" : "Options";
  const typeFile = layout.subresourceTypeFile(
    project.groupFolder,
    resource.storageVersion,
    resource.kind,
    name,
    suffix,
  );
  // Generate reads the type from src/apis; one written by hand (any file, same marker) is kept.
  const marker = type === "action" ? "actionRequest" : "subresourceOptions";
  const existing = findSubresourceType(plan, marker, resource.kind, name);
  const typePath = existing?.path ?? typeFile;
  const data = {
    kind: resource.kind,
    plural: resource.plural,
    name,
    group: project.group,
    version: resource.storageVersion,
    description: `${name} of a ${resource.kind}.`,
    annotation: `${project.group}/${kebabCase(name)}-requested-at`,
    reasonAnnotation: `${project.group}/${kebabCase(name)}-reason`,
    typeImport: typeImport("src/subresources", project.groupFolder, resource.storageVersion, resource.kind),
    subresourceKind: existing?.name ?? identifiers.subresourceTypeKind(resource.kind, name, suffix),
    subresourceTypeImport: `../${typePath.slice(4).replace(/\.ts$/, ".js")}`,
    handlerFile: path.slice("src/subresources/".length),
    // The user's own type: the skeleton does not read fields it may not have.
    customType: existing !== undefined,
  };
  // A read answers a kind of its own, declared in src/apis too (or already there).
  const response = type === "read" ? planReadResponse(plan, project, resource, name) : {};
  plan.user(path, render(`subresource/${type}.ts.hbs`, { ...data, ...response }));
  if (existing === undefined && !plan.exists(typeFile)) {
    plan.user(typeFile, render(`subresource/${type === "action" ? "action-request" : "options"}.ts.hbs`, data));
  }
}

/** A read's `@subresourceResponse` interface: the user's own if there is one, else written beside its options. */
function planReadResponse(
  plan: FilePlan,
  project: ProjectFile,
  resource: ResourceRecord,
  name: string,
): { responseKind: string; responseTypeImport: string; customResponse: boolean } {
  const file = layout.subresourceTypeFile(
    project.groupFolder,
    resource.storageVersion,
    resource.kind,
    name,
    "Response",
  );
  const existing = findSubresourceType(plan, "subresourceResponse", resource.kind, name);
  const data = {
    kind: resource.kind,
    plural: resource.plural,
    name,
    handlerFile: layout.subresourceFile(resource.kind, name).slice("src/subresources/".length),
    responseKind: existing?.name ?? identifiers.subresourceTypeKind(resource.kind, name, ""),
    responseTypeImport: `../${(existing?.path ?? file).slice(4).replace(/\.ts$/, ".js")}`,
    customResponse: existing !== undefined,
  };
  if (existing === undefined && !plan.exists(file)) plan.user(file, render("subresource/response.ts.hbs", data));
  return data;
}

/**
 * The interface under src/apis marked `@<marker> kind=<kind> <argument>=<name>`, if the user wrote
 * one already (the handler skeleton then imports it): its file and name.
 */
function findSubresourceType(
  plan: FilePlan,
  marker: string,
  kind: string,
  name: string,
): { path: string; name: string } | undefined {
  for (const path of plan.files(APIS_DIR)) {
    const text = plan.read(path) ?? "";
    if (!path.endsWith(".ts") || !text.includes(`@${marker}`)) continue;
    for (const found of taggedInterfaces(path, text, marker)) {
      const words = found.argument.split(/\s+/);
      const named = words.some((word) => word.endsWith(`=${name}`) && !word.startsWith("kind="));
      if (words.includes(`kind=${kind}`) && named) return { path, name: found.name };
    }
  }
  return undefined;
}
