/**
 * Where things live in a generated project (docs/decisions/0007-generated-project-layout.md):
 * user-owned files are created once; everything under src/generated is re-created by
 * `scaffold generate` and never edited.
 */
import { camelCase, kebabCase, upperFirst } from "./names.js";

const kebabToCamel = (name: string) => name.replace(/-([a-z0-9])/g, (_all, next: string) => next.toUpperCase());

export const APIS_DIR = "src/apis";
export const GENERATED_DIR = "src/generated";

export const layout = {
  groupDoc: (groupFolder: string) => `${APIS_DIR}/${groupFolder}/doc.ts`,
  versionDir: (groupFolder: string, version: string) => `${APIS_DIR}/${groupFolder}/${version}`,
  typeFile: (groupFolder: string, version: string, kind: string) =>
    `${APIS_DIR}/${groupFolder}/${version}/${kebabCase(kind)}.ts`,
  controllerFile: (kind: string) => `src/controllers/${kebabCase(kind)}.ts`,
  controllersIndex: "src/controllers/index.ts",
  conversionFile: (kind: string, version: string) => `src/conversion/${kebabCase(kind)}-${version}.ts`,
  conversionTest: (kind: string, version: string) => `src/conversion/${kebabCase(kind)}-${version}.test.ts`,
  subresourceFile: (kind: string, name: string) => `src/subresources/${kebabCase(kind)}-${kebabCase(name)}.ts`,
  /**
   * A custom subresource's type beside the kind's: an action's body (`@actionRequest`,
   * `<kind>-<name>-request.ts`), a read or stream's options (`@subresourceOptions`, `-options.ts`)
   * or a read's answer (`@subresourceResponse`, `-response.ts`).
   */
  subresourceTypeFile: (
    groupFolder: string,
    version: string,
    kind: string,
    name: string,
    suffix: "Request" | "Options" | "Response",
  ) => `${APIS_DIR}/${groupFolder}/${version}/${kebabCase(kind)}-${kebabCase(name)}-${suffix.toLowerCase()}.ts`,
  resources: "src/resources.ts",
  server: "src/server.ts",
  serverTest: "src/server.test.ts",
  generated: {
    resources: `${GENERATED_DIR}/resources.ts`,
    apiModel: `${GENERATED_DIR}/api-model.json`,
    register: `${GENERATED_DIR}/register.ts`,
    kinds: `${GENERATED_DIR}/kinds.ts`,
  },
  deployDir: "deploy",
  docsDir: "docs/api",
} as const;

/** Identifiers generated code and templates share. */
export const identifiers = {
  controller: (kind: string) => `${camelCase(kind)}Controller`,
  resourceType: (kind: string) => `${camelCase(kind)}Type`,
  subresource: (kind: string, name: string) => `${camelCase(kind)}${upperFirst(camelCase(kebabToCamel(name)))}`,
  /** The interface of a subresource's type: `WidgetApproveRequest`, `WidgetLogsOptions`. */
  /** `WidgetApproveRequest`, `WidgetHistoryOptions`; a read's answer has no suffix (`WidgetHistory`). */
  subresourceTypeKind: (kind: string, name: string, suffix: "Request" | "Options" | "") =>
    `${upperFirst(kind)}${upperFirst(kebabToCamel(name))}${suffix}`,
  conversionModule: (kind: string, version: string) =>
    `${camelCase(kind)}${version.charAt(0).toUpperCase()}${version.slice(1)}`,
} as const;
