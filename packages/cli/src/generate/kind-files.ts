/** The user-owned files of one kind: its type file, its controller, and its place in the controller list. */
import { isKindName, pluralize } from "@apiserver-kit/codegen";
import { CliError } from "../cli/errors.js";
import { addArrayElement } from "../machinery/ast-edits.js";
import type { FilePlan } from "../machinery/file-plan.js";
import { identifiers, layout } from "../project/layout.js";
import { kebabCase } from "../project/names.js";
import type { ProjectFile } from "../project/project-file.js";
import { render } from "../templates/render.js";
import { typeImport } from "./generated-files.js";

export type Scope = "Namespaced" | "Cluster";

export interface KindSpec {
  kind: string;
  scope: Scope;
  plural?: string;
  shortNames?: string[];
}

export function checkKindName(kind: string): void {
  if (!isKindName(kind)) {
    throw new CliError(
      "InvalidArgument",
      `"${kind}" is not a kind name`,
      "kinds are UpperCamelCase names such as Widget or DatabaseBackup",
    );
  }
}

/** A kind named like another's list (`WidgetList` beside `Widget`): kube-apiserver refuses it. */
export function checkListKinds(kinds: readonly string[]): void {
  for (const kind of kinds) {
    const listed = kinds.find((other) => `${other}List` === kind);
    if (listed !== undefined) {
      throw new CliError(
        "InvalidArgument",
        `--kind ${kind} is the list kind of ${listed}`,
        `pick another name: a list of ${listed} objects is a ${kind}`,
      );
    }
  }
}

export function parseScope(text: string | undefined, fallback: Scope = "Namespaced"): Scope {
  if (text === undefined) return fallback;
  const lower = text.toLowerCase();
  if (lower === "namespaced") return "Namespaced";
  if (lower === "cluster") return "Cluster";
  throw new CliError(
    "InvalidArgument",
    `--scope ${text} is neither Namespaced nor Cluster`,
    "use --scope Namespaced or --scope Cluster",
  );
}

/** Plans the type file of `spec` in `version`, its controller, and its entry in the controller list. */
export function planKind(plan: FilePlan, project: ProjectFile, version: string, spec: KindSpec): void {
  checkKindName(spec.kind);
  const plural = spec.plural ?? pluralize(spec.kind);
  if (!/^[a-z][a-z0-9]*$/.test(plural)) {
    throw new CliError(
      "InvalidArgument",
      `--plural ${plural} is not a lower-case resource name`,
      "e.g. --plural widgets",
    );
  }
  for (const shortName of spec.shortNames ?? []) {
    if (!/^[a-z][a-z0-9]*$/.test(shortName)) {
      throw new CliError(
        "InvalidArgument",
        `short name ${shortName} is not lower-case letters and digits`,
        "e.g. --short-names wd,wdg",
      );
    }
  }
  const typeFile = layout.typeFile(project.groupFolder, version, spec.kind);
  plan.user(
    typeFile,
    render("resource/kind.ts.hbs", {
      kind: spec.kind,
      group: project.group,
      scope: spec.scope,
      namespaced: spec.scope === "Namespaced",
      plural,
      pluralMarker: plural !== pluralize(spec.kind),
      shortNames: spec.shortNames ?? [],
    }),
  );
  plan.user(
    layout.controllerFile(spec.kind),
    render("controller/controller.ts.hbs", {
      kind: spec.kind,
      plural,
      controllerName: kebabCase(spec.kind),
      typeImport: typeImport("src/controllers", project.groupFolder, version, spec.kind),
    }),
  );
  plan.edit(layout.controllersIndex, (text) =>
    addArrayElement(layout.controllersIndex, text, {
      arrayName: "controllers",
      element: identifiers.controller(spec.kind),
      importFrom: `./${kebabCase(spec.kind)}.js`,
    }),
  );
}
