/** `scaffold new-api <dir>`: a complete project, ready for `npm test` and `scaffold run`. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { isDNS1123Subdomain, isKubeVersion, pluralize as pluralizeKind } from "@apiserver-kit/codegen";
import { type Checkout, openCheckout } from "../checkout/checkout.js";
import { CliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";
import { checkListKinds, type KindSpec, parseScope, planKind, type Scope } from "../generate/kind-files.js";
import { installDependencies } from "../install/link.js";
import { describeChanges, type FileChange, FilePlan } from "../machinery/file-plan.js";
import { planManifests } from "../manifests/plan.js";
import { layout } from "../project/layout.js";
import { kebabCase, packageName } from "../project/names.js";
import { PROJECT_FILE, PROJECT_FILE_VERSION, type ProjectFile } from "../project/project-file.js";
import { render } from "../templates/render.js";
import { generateStep } from "./project-context.js";

export interface NewApiOptions {
  dir: string;
  group: string;
  /** Default v1alpha1. */
  version?: string;
  /** `Widget`, or `Widget:Cluster` for a kind of its own scope. */
  kinds?: string[];
  /** The scope of kinds without one of their own. Default Namespaced. */
  scope?: string;
  /** The checkout to link packages from; default the one this CLI runs from. */
  apiserverKit?: string;
  install?: boolean;
  dryRun?: boolean;
  force?: boolean;
}

export interface NewApiResult {
  root: string;
  project: ProjectFile;
  changes: FileChange[];
}

/** `widgets.example.com` → `Widget`: the first label, singular, capitalised. */
export function defaultKind(group: string): string {
  const label = (group.split(".")[0] ?? "thing").replace(/[^a-z0-9]/g, "");
  const singular = label.endsWith("ies") ? `${label.slice(0, -3)}y` : label.replace(/s$/, "");
  return singular.charAt(0).toUpperCase() + singular.slice(1) || "Thing";
}

export function parseKindArgument(text: string, defaultScope: Scope): KindSpec {
  const parts = text.split(":");
  if (parts.length > 2) {
    throw new CliError(
      "InvalidArgument",
      `--kind ${text} is not Kind or Kind:Scope`,
      "e.g. --kind Widget, or --kind Gadget:Cluster",
    );
  }
  const [kind = "", scope] = parts;
  try {
    return { kind, scope: parseScope(scope, defaultScope) };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(
      "InvalidArgument",
      `--kind ${text}: the scope ${scope} is neither Namespaced nor Cluster`,
      `write --kind ${kind}:Cluster, --kind ${kind}:Namespaced, or --kind ${kind} for the default scope`,
    );
  }
}

export function newApi(options: NewApiOptions, reporter: Reporter): NewApiResult {
  const root = resolve(options.dir);
  const version = options.version ?? "v1alpha1";
  if (!isDNS1123Subdomain(options.group) || !options.group.includes(".")) {
    throw new CliError(
      "InvalidArgument",
      `--group ${options.group} is not an API group name`,
      "use a lower-case DNS name you own, such as widgets.example.com",
    );
  }
  if (!isKubeVersion(version)) {
    throw new CliError(
      "InvalidArgument",
      `--version ${version} is not a Kubernetes version`,
      "use v1, v1beta1, v1alpha1, v2...",
    );
  }
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new CliError(
      "InvalidArgument",
      `${root} is a file, not a directory`,
      "name a new directory for the project (it is created), or an empty one",
    );
  }
  if (existsSync(join(root, PROJECT_FILE)) && !options.force) {
    throw new CliError(
      "ProjectExists",
      `${root} already holds a scaffold project`,
      "add to it with `scaffold add resource`, or pass --force to re-create its files",
    );
  }
  if (existsSync(root) && readdirSync(root).some((name) => name !== ".git") && !options.force) {
    throw new CliError(
      "ProjectExists",
      `${root} exists and is not empty`,
      "pick a new directory, or pass --force to write into it",
    );
  }
  const checkout: Checkout = openCheckout(options.apiserverKit);
  const scope = parseScope(options.scope);
  const kinds = (options.kinds && options.kinds.length > 0 ? options.kinds : [defaultKind(options.group)]).map((text) =>
    parseKindArgument(text, scope),
  );
  const duplicate = kinds.find((kind, index) => kinds.findIndex((other) => other.kind === kind.kind) !== index);
  if (duplicate)
    throw new CliError("InvalidArgument", `--kind ${duplicate.kind} is given twice`, "name each kind once");
  checkListKinds(kinds.map((spec) => spec.kind));

  const name = packageName(basename(root));
  const groupFolder = options.group.split(".")[0] ?? options.group;
  const project: ProjectFile = {
    version: PROJECT_FILE_VERSION,
    name,
    group: options.group,
    groupFolder,
    apiserverKit: checkout.root,
    resources: [],
  };
  const plan = new FilePlan(root, { dryRun: options.dryRun ?? false, force: options.force ?? false });
  const data = projectTemplateData(project, checkout, version, kinds);
  plan.user("package.json", render("project/package.json.hbs", data));
  plan.user("tsconfig.json", render("project/tsconfig.json.hbs", data));
  plan.user(".gitignore", render("project/gitignore.hbs", data));
  plan.user(".dockerignore", render("project/dockerignore.hbs", data));
  plan.user("README.md", render("project/README.md.hbs", data));
  plan.user("Dockerfile", render("project/Dockerfile.hbs", data));
  plan.user(layout.resources, render("project/resources.ts.hbs", data));
  plan.user(layout.server, render("project/server.ts.hbs", data));
  plan.user(layout.serverTest, render("project/server.test.ts.hbs", data));
  plan.user(layout.controllersIndex, render("project/controllers-index.ts.hbs", { kinds: [] }));
  plan.user(layout.groupDoc(groupFolder), render("resource/group-doc.ts.hbs", data));
  for (const kind of kinds) planKind(plan, project, version, kind);

  const outcome = generateStep(plan, project, reporter, "generating src/generated from the types");
  planManifests(plan, outcome.project, outcome.model, { image: `${name}:0.1.0`, namespace: name });
  const changes = plan.apply();
  for (const line of describeChanges(changes, options.dryRun ?? false)) reporter.info(line);
  if (options.dryRun) return { root, project: outcome.project, changes };
  if (options.install ?? true) installDependencies(root, checkout, reporter);
  else
    reporter.info("dependencies not installed (--no-install): run `scaffold install` in the project before building");
  const where = relative(process.cwd(), root) || ".";
  reporter.info("");
  reporter.info(
    `created ${outcome.project.name} (${options.group}/${version}: ${kinds.map((k) => k.kind).join(", ")}). Next:`,
  );
  reporter.info(`  cd ${where}`);
  reporter.info("  npm test             # compile, then run the tests in src/ (they start the server in-process)");
  reporter.info("  npx scaffold run     # serve on https://127.0.0.1:8443 with SQLite, controllers included");
  return { root, project: outcome.project, changes };
}

function projectTemplateData(project: ProjectFile, checkout: Checkout, version: string, kinds: KindSpec[]) {
  const tool = (name: string, fallback: string) => {
    const dir = checkout.toolDir(name);
    return dir ? checkout.versionOf(dir) : fallback;
  };
  const rootManifest = JSON.parse(readFileSync(join(checkout.root, "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  const kindData = kinds.map((spec) => {
    const plural = spec.plural ?? pluralizeKind(spec.kind);
    const namespaced = spec.scope === "Namespaced";
    const collectionPath = `/apis/${project.group}/${version}${namespaced ? "/namespaces/default" : ""}/${plural}`;
    return {
      kind: spec.kind,
      plural,
      namespaced,
      collectionPath,
      typeImport: `./apis/${project.groupFolder}/${version}/${kebabCase(spec.kind)}.js`,
    };
  });
  return {
    name: project.name,
    group: project.group,
    groupFolder: project.groupFolder,
    version,
    kinds: kindData,
    kindsByName: [...kindData].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)),
    firstKind: kinds[0]?.kind ?? "Widget",
    checkout: checkout.root,
    image: `${project.name}:0.1.0`,
    description: `A Kubernetes extension API server for ${project.group}, built with apiserver-kit`,
    runtimeDependency: `file:${checkout.packageDir("runtime")}`,
    controllerDependency: `file:${checkout.packageDir("controller")}`,
    storageDependency: `file:${checkout.packageDir("storage")}`,
    celDependency: `file:${checkout.packageDir("cel")}`,
    cliDependency: `file:${checkout.packageDir("cli")}`,
    typescriptVersion: rootManifest.devDependencies?.typescript ?? tool("typescript", "5.9.3"),
    typesNodeVersion: rootManifest.devDependencies?.["@types/node"] ?? `^${tool("@types/node", "20.19.0")}`,
    serverName: `${project.name}-server`,
    serverDescription: `Serves the ${project.group} API (${kinds.map((k) => k.kind).join(", ")}) with its controllers.`,
    controllerManagerName: `${project.name}-controller-manager`,
  };
}
