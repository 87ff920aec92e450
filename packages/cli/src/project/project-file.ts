/**
 * The project file (`PROJECT`, as kubebuilder's): what scaffold created here — the group, each
 * kind with its versions, storage version and subresources, and the checkout the packages are
 * linked from — so that every command can be re-run safely.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { CliError } from "../cli/errors.js";

export const PROJECT_FILE = "PROJECT";
export const PROJECT_FILE_VERSION = 1;

export interface ResourceRecord {
  kind: string;
  plural: string;
  scope: "Namespaced" | "Cluster";
  /** Every version the kind is declared in, highest priority first. */
  versions: string[];
  storageVersion: string;
  /** `status`, `scale` and custom subresource names. */
  subresources: string[];
}

/** The choices of the last `scaffold manifests`, reused when it runs again without them. */
export interface DeployRecord {
  image: string;
  namespace: string;
  certManager: boolean;
  etcd: boolean;
}

export interface ProjectFile {
  version: number;
  /** The npm package name; servers and deploy objects are named after it. */
  name: string;
  group: string;
  /** The folder under `src/apis` holding the group's versions. */
  groupFolder: string;
  /** The apiserver-kit checkout whose packages are linked. */
  apiserverKit: string;
  resources: ResourceRecord[];
  deploy?: DeployRecord;
}

const HEADER =
  "# The scaffold project file: what `scaffold` created here. Every command reads it and keeps it up to date.\n";

export function renderProjectFile(project: ProjectFile): string {
  return `${HEADER}${stringify(project, { lineWidth: 0 })}`;
}

export function parseProjectFile(text: string, path: string): ProjectFile {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new CliError("NotAProject", `${path} is not valid YAML: ${(error as Error).message}`, "fix or restore it");
  }
  const project = data as Partial<ProjectFile> | null;
  if (
    !project ||
    project.version !== PROJECT_FILE_VERSION ||
    typeof project.group !== "string" ||
    typeof project.name !== "string" ||
    !Array.isArray(project.resources)
  ) {
    throw new CliError(
      "NotAProject",
      `${path} is not a scaffold project file of version ${PROJECT_FILE_VERSION}`,
      "restore it from version control",
    );
  }
  return {
    version: project.version,
    name: project.name,
    group: project.group,
    groupFolder: project.groupFolder ?? project.group,
    apiserverKit: project.apiserverKit ?? "",
    resources: project.resources.map((resource) => ({ ...resource, subresources: resource.subresources ?? [] })),
    ...(project.deploy ? { deploy: project.deploy } : {}),
  };
}

/** The project holding `from` (or one of its parents). */
export function findProjectRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, PROJECT_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new CliError(
        "NotAProject",
        `no ${PROJECT_FILE} file in ${resolve(from)} or any parent: this is not a scaffold project`,
        "run the command inside a project made by `scaffold new-api`, or create one",
      );
    }
    dir = parent;
  }
}

export function readProjectFile(root: string): ProjectFile {
  const path = join(root, PROJECT_FILE);
  return parseProjectFile(readFileSync(path, "utf8"), path);
}

/** Every version of the project, highest Kubernetes priority first. */
export function projectVersions(project: ProjectFile, compare: (a: string, b: string) => number): string[] {
  return [...new Set(project.resources.flatMap((resource) => resource.versions))].sort(compare);
}

export function findResource(project: ProjectFile, kind: string): ResourceRecord | undefined {
  return project.resources.find((resource) => resource.kind === kind);
}
