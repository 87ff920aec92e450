import type { InterfaceDeclaration } from "ts-morph";
import type { SourceLocation } from "../errors/codegen-error.js";
import type { JsDoc } from "../jsdoc/jsdoc.js";
import { findMarker } from "../markers/catalog.js";
import { type KindMarkers, parseKindMarkers } from "../markers/kind-markers.js";
import type { FieldModel, KindVersionModel, TypeModel } from "../model/api-model.js";
import { resolveJSONPath } from "../model/json-path.js";
import { isKindName } from "../model/names.js";
import type { ApiSourceFile } from "./source-index.js";
import { checkTree } from "./tree-checks.js";
import type { TypeResolver } from "./type-resolver.js";

/** One version's declaration of a kind, before versions are combined. */
export interface KindDraft {
  kind: string;
  version: string;
  markers: KindMarkers;
  model: KindVersionModel;
}

const API_VERSION_DESCRIPTION =
  "APIVersion defines the versioned schema of this representation of an object. Servers convert recognized schemas to the latest internal value and may reject unrecognized values.";
const KIND_DESCRIPTION =
  "Kind is a string value representing the REST resource this object represents. Servers may infer it from the endpoint the client submits requests to. Cannot be updated. In CamelCase.";
/** Kubernetes allows at most this many selectable fields per version (apiextensions validation). */
const MAX_SELECTABLE_FIELDS = 8;

/**
 * Reads one `@kind` interface: its kind-level markers, its schema (apiVersion, kind and metadata
 * checked and normalised), and the paths its markers name, resolved against that schema.
 */
export function parseKind(
  declaration: InterfaceDeclaration,
  doc: JsDoc,
  file: ApiSourceFile,
  group: string,
  version: string,
  resolver: TypeResolver,
): KindDraft | undefined {
  const errors = resolver.errors;
  const kind = declaration.getName();
  const source = resolver.at(declaration.getNameNode());
  if (!isKindName(kind)) {
    errors.report(
      "InvalidKind",
      `${kind} is not a kind name`,
      source,
      "kinds are CamelCase: an upper-case letter, then letters and digits",
    );
    return undefined;
  }
  if (!declaration.isExported()) {
    errors.report("InvalidKind", `${kind} is marked @kind but not exported`, source, `write export interface ${kind}`);
  }
  if (declaration.getTypeParameters().length > 0) {
    errors.report("GenericType", `${kind} is generic; a kind needs one concrete shape`, source);
    return undefined;
  }
  const locate = (tag: { line: number; column: number }): SourceLocation => ({
    file: file.path,
    line: tag.line,
    column: tag.column,
  });
  const kindTags = doc.tags.filter((tag) => findMarker(tag.name)?.target === "kind");
  const schemaTags = doc.tags.filter((tag) => findMarker(tag.name)?.target !== "kind");
  const markers = parseKindMarkers(kindTags, locate, errors);

  let root = resolver.interfaceObject(declaration);
  if (doc.description !== undefined) root = { ...root, description: doc.description };
  root = resolver.applyMarkers(root, schemaTags, "kind", file);
  root = { ...root, properties: normaliseTypeMeta(root.properties ?? [], kind, group, version, source, resolver) };

  checkTree(root, errors, source);
  checkSubresources(root, markers, errors, kind);
  const printerColumns = markers.printerColumns.map(({ value, at }) => {
    const found = resolveJSONPath(root, value.jsonPath);
    if (found.kind === "missing") errors.report("InvalidJSONPath", `@printColumn ${value.name}: ${found.reason}`, at);
    return value;
  });
  if (markers.selectableFields.length > MAX_SELECTABLE_FIELDS) {
    const extra = markers.selectableFields[MAX_SELECTABLE_FIELDS];
    if (extra)
      errors.report("InvalidMarker", `at most ${MAX_SELECTABLE_FIELDS} @selectableField markers are allowed`, extra.at);
  }
  const selectableFields = markers.selectableFields.map(({ value, at }) => {
    const problem = selectableFieldProblem(root, value);
    if (problem !== undefined) errors.report("InvalidJSONPath", `@selectableField ${value}: ${problem}`, at);
    return value;
  });

  const model: KindVersionModel = {
    name: version,
    served: !markers.unserved,
    storage: false,
    deprecated: markers.deprecated !== undefined,
    schema: root,
    subresources: { status: markers.status !== undefined },
    printerColumns,
    selectableFields,
    source,
  };
  if (markers.deprecated?.warning !== undefined) model.deprecationWarning = markers.deprecated.warning;
  if (markers.scale) model.subresources.scale = markers.scale.value;
  return { kind, version, markers, model };
}

/** apiVersion and kind become plain strings and metadata `{type: object}`: the server checks those itself. */
function normaliseTypeMeta(
  properties: FieldModel[],
  kind: string,
  group: string,
  version: string,
  source: SourceLocation,
  resolver: TypeResolver,
): FieldModel[] {
  const errors = resolver.errors;
  const find = (name: string) => properties.find((property) => property.name === name);
  const expected: Record<string, string> = { apiVersion: `${group}/${version}`, kind };
  for (const name of ["apiVersion", "kind"] as const) {
    const field = find(name);
    if (field === undefined) {
      errors.report("InvalidKind", `${kind} has no ${name} field`, source, `add ${name}: string`);
      continue;
    }
    const type = field.type;
    const literalOk = type.enum === undefined || (type.enum.length === 1 && type.enum[0] === expected[name]);
    if (type.type !== "string" || !literalOk) {
      errors.report(
        "InvalidKind",
        `${kind}.${name} must be string or "${expected[name]}"`,
        field.source ?? source,
        `write ${name}: string`,
      );
    }
  }
  const metadata = find("metadata");
  if (metadata === undefined) {
    errors.report(
      "InvalidKind",
      `${kind} has no metadata field`,
      source,
      "add metadata: ObjectMeta (from @apiserver-kit/runtime)",
    );
  } else if (metadata.type.wellKnown !== "ObjectMeta") {
    errors.report(
      "InvalidKind",
      `${kind}.metadata must be ObjectMeta from @apiserver-kit/runtime`,
      metadata.source ?? source,
      'import type { ObjectMeta } from "@apiserver-kit/runtime"',
    );
  }
  return properties.map((field) => {
    const standard = standardField(field);
    if (standard === undefined) return field;
    const out: FieldModel = { name: field.name, required: false, type: standard };
    if (field.description !== undefined) out.description = field.description;
    if (field.source !== undefined) out.source = field.source;
    return out;
  });
}

function standardField(field: FieldModel): TypeModel | undefined {
  switch (field.name) {
    case "apiVersion":
      return { type: "string", description: API_VERSION_DESCRIPTION };
    case "kind":
      return { type: "string", description: KIND_DESCRIPTION };
    case "metadata":
      return { type: "object" };
  }
  return undefined;
}

function checkSubresources(root: TypeModel, markers: KindMarkers, errors: TypeResolver["errors"], kind: string): void {
  if (markers.status) {
    const status = root.properties?.find((property) => property.name === "status");
    if (status === undefined) {
      errors.report(
        "InvalidSubresource",
        `@subresource status, but ${kind} has no status field`,
        markers.status,
        "add status?: ...",
      );
    } else if (status.type.type !== "object" && status.type.type !== "map" && status.type.type !== "any") {
      errors.report(
        "InvalidSubresource",
        `${kind}.status must be an object for the status subresource`,
        markers.status,
      );
    }
  }
  const scale = markers.scale;
  if (scale === undefined) return;
  const paths: Array<[string, string | undefined, string[], string]> = [
    ["specReplicasPath", scale.value.specReplicasPath, [".spec."], "integer"],
    ["statusReplicasPath", scale.value.statusReplicasPath, [".status."], "integer"],
    ["labelSelectorPath", scale.value.labelSelectorPath, [".spec.", ".status."], "string"],
  ];
  for (const [key, path, prefixes, wanted] of paths) {
    if (path === undefined) continue;
    if (!prefixes.some((prefix) => path.startsWith(prefix))) {
      errors.report(
        "InvalidJSONPath",
        `@subresource scale ${key} must be under ${prefixes.join(" or ")} (found ${path})`,
        scale.at,
      );
      continue;
    }
    const found = resolveJSONPath(root, path);
    if (found.kind === "complex") {
      errors.report(
        "InvalidJSONPath",
        `@subresource scale ${key}: only simple paths are allowed (found ${path})`,
        scale.at,
      );
    } else if (found.kind === "missing") {
      errors.report("InvalidJSONPath", `@subresource scale ${key}: ${found.reason}`, scale.at);
    } else if (found.type.type !== wanted) {
      errors.report(
        "InvalidJSONPath",
        `@subresource scale ${key}: ${path} must be ${wanted}, not ${found.type.type}`,
        scale.at,
      );
    }
  }
}

function selectableFieldProblem(root: TypeModel, path: string): string | undefined {
  if (path.startsWith(".metadata"))
    return "metadata fields are always selectable (metadata.name, metadata.namespace) and can't be added";
  const found = resolveJSONPath(root, path);
  if (found.kind === "complex") return "only simple paths without brackets are allowed";
  if (found.kind === "missing") return found.reason;
  const type = found.type.type;
  if (type !== "string" && type !== "integer" && type !== "boolean")
    return `must name a string, integer or boolean field, not ${type}`;
  return undefined;
}
