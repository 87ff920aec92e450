/**
 * Reads `api-model.json` (emitProjectModel's output) back into the API model, so that tools can
 * work from the generated record without parsing TypeScript. Locations are only the file of each
 * kind version (line 1): the JSON keeps no line numbers.
 */
import type {
  ApiModel,
  FieldModel,
  KindModel,
  KindVersionModel,
  SubresourceTypeModel,
  TypeModel,
} from "../model/api-model.js";
import { PROJECT_MODEL_FORMAT } from "./project-model.js";

export type ProjectModelErrorCode = "InvalidJSON" | "UnsupportedFormat" | "InvalidModel";

export class ProjectModelError extends Error {
  override readonly name = "ProjectModelError";
  constructor(
    readonly code: ProjectModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

export function readProjectModel(text: string): ApiModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ProjectModelError("InvalidJSON", `the API model is not JSON: ${(error as Error).message}`);
  }
  const root = object(json, "the API model");
  if (root.formatVersion !== PROJECT_MODEL_FORMAT) {
    throw new ProjectModelError(
      "UnsupportedFormat",
      `the API model has formatVersion ${String(root.formatVersion)}; this codegen reads ${PROJECT_MODEL_FORMAT}: run scaffold generate`,
    );
  }
  return {
    groups: array(root.groups, "groups").map((value) => {
      const group = object(value, "a group");
      const name = string(group.name, "group.name");
      return defined({
        name,
        folder: string(group.folder, `${name}.folder`),
        description: optionalString(group.description),
        versions: array(group.versions, `${name}.versions`).map((v) => string(v, `${name}.versions[]`)),
        kinds: array(group.kinds, `${name}.kinds`).map((kind) => readKind(object(kind, `a kind of ${name}`))),
      });
    }),
  };
}

function readKind(kind: Json): KindModel {
  const name = string(kind.kind, "kind.kind");
  return {
    kind: name,
    listKind: string(kind.listKind, `${name}.listKind`),
    plural: string(kind.plural, `${name}.plural`),
    singular: string(kind.singular, `${name}.singular`),
    scope: kind.scope === "Cluster" ? "Cluster" : "Namespaced",
    shortNames: strings(kind.shortNames),
    categories: strings(kind.categories),
    unconditionalUpdate: kind.unconditionalUpdate === true,
    versions: array(kind.versions, `${name}.versions`).map((v) => readVersion(object(v, `a version of ${name}`))),
    actionRequests: subresourceTypes(kind.actionRequests, `${name}.actionRequests`),
    subresourceOptions: subresourceTypes(kind.subresourceOptions, `${name}.subresourceOptions`),
    subresourceResponses: subresourceTypes(kind.subresourceResponses, `${name}.subresourceResponses`),
  };
}

function subresourceTypes(value: unknown, what: string): SubresourceTypeModel[] {
  return array(value ?? [], what).map((item) => {
    const type = object(item, `an entry of ${what}`);
    return {
      subresource: string(type.subresource, `${what}[].subresource`),
      kind: string(type.kind, `${what}[].kind`),
      version: string(type.version, `${what}[].version`),
      schema: readType(object(type.schema, `${what}[].schema`)),
      source: { file: string(type.file, `${what}[].file`), line: 1, column: 1 },
    };
  });
}

function readVersion(version: Json): KindVersionModel {
  const subresources = object(version.subresources ?? {}, "subresources");
  const scale = subresources.scale === undefined ? undefined : object(subresources.scale, "scale");
  return defined({
    name: string(version.name, "version.name"),
    served: version.served !== false,
    storage: version.storage === true,
    deprecated: version.deprecated === true,
    deprecationWarning: optionalString(version.deprecationWarning),
    schema: readType(object(version.schema, "schema")),
    subresources: defined({
      status: subresources.status === true,
      scale:
        scale &&
        defined({
          specReplicasPath: string(scale.specReplicasPath, "scale.specReplicasPath"),
          statusReplicasPath: string(scale.statusReplicasPath, "scale.statusReplicasPath"),
          labelSelectorPath: optionalString(scale.labelSelectorPath),
        }),
    }),
    printerColumns: array(version.printerColumns ?? [], "printerColumns").map(
      (column) =>
        defined({ ...object(column, "a printer column") }) as unknown as KindVersionModel["printerColumns"][0],
    ),
    selectableFields: strings(version.selectableFields),
    source: { file: string(version.file, "version.file"), line: 1, column: 1 },
  });
}

function readType(type: Json): TypeModel {
  const out = defined({ ...type }) as Json;
  if (Array.isArray(type.properties)) {
    out.properties = type.properties.map((field): FieldModel => {
      const f = object(field, "a field");
      return defined({
        name: string(f.name, "field.name"),
        required: f.required === true,
        description: optionalString(f.description),
        type: readType(object(f.type, "field.type")),
      });
    });
  }
  if (type.items !== undefined) out.items = readType(object(type.items, "items"));
  if (type.values !== undefined) out.values = readType(object(type.values, "values"));
  if (typeof out.type !== "string") throw new ProjectModelError("InvalidModel", "a schema node has no type");
  return out as unknown as TypeModel;
}

function object(value: unknown, what: string): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ProjectModelError("InvalidModel", `${what} is not an object`);
  }
  return value as Json;
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ProjectModelError("InvalidModel", `${what} is not a list`);
  return value;
}

function string(value: unknown, what: string): string {
  if (typeof value !== "string") throw new ProjectModelError("InvalidModel", `${what} is not a string`);
  return value;
}

const optionalString = (value: unknown) => (typeof value === "string" ? value : undefined);
const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v) => typeof v === "string") : []);

/** Drops keys whose value is undefined (the JSON writes them as absent; the model leaves them out). */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
