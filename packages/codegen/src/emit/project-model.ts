import type {
  ApiModel,
  FieldModel,
  KindModel,
  KindVersionModel,
  SubresourceTypeModel,
  TypeModel,
} from "../model/api-model.js";
import { JSON_STYLE, printLiteral } from "./literal-printer.js";
import { toValidationRule } from "./schema.js";

/** Bumped when the JSON layout changes incompatibly. */
export const PROJECT_MODEL_FORMAT = 1;

/**
 * The API model as JSON, for the CLI's project records and for tools: the same data with
 * keys in one fixed order and without line numbers (a moved comment must not change it);
 * each kind version keeps the file it is declared in.
 */
export function emitProjectModel(model: ApiModel): string {
  return `${printLiteral(projectModelJSON(model), JSON_STYLE)}\n`;
}

export function projectModelJSON(model: ApiModel): Record<string, unknown> {
  return {
    formatVersion: PROJECT_MODEL_FORMAT,
    groups: model.groups.map((group) => ({
      name: group.name,
      folder: group.folder,
      description: group.description,
      versions: [...group.versions],
      kinds: group.kinds.map(kindJSON),
    })),
  };
}

function kindJSON(kind: KindModel): Record<string, unknown> {
  return {
    kind: kind.kind,
    listKind: kind.listKind,
    plural: kind.plural,
    singular: kind.singular,
    scope: kind.scope,
    shortNames: [...kind.shortNames],
    categories: [...kind.categories],
    unconditionalUpdate: kind.unconditionalUpdate,
    versions: kind.versions.map(versionJSON),
    // Left out when empty, so that the records of kinds without them read as before.
    actionRequests: kind.actionRequests.length > 0 ? kind.actionRequests.map(subresourceTypeJSON) : undefined,
    subresourceOptions:
      kind.subresourceOptions.length > 0 ? kind.subresourceOptions.map(subresourceTypeJSON) : undefined,
    subresourceResponses:
      kind.subresourceResponses.length > 0 ? kind.subresourceResponses.map(subresourceTypeJSON) : undefined,
  };
}

function subresourceTypeJSON(type: SubresourceTypeModel): Record<string, unknown> {
  return {
    subresource: type.subresource,
    kind: type.kind,
    version: type.version,
    file: type.source.file,
    schema: typeJSON(type.schema),
  };
}

function versionJSON(version: KindVersionModel): Record<string, unknown> {
  return {
    name: version.name,
    file: version.source.file,
    served: version.served,
    storage: version.storage,
    deprecated: version.deprecated,
    deprecationWarning: version.deprecationWarning,
    subresources: {
      status: version.subresources.status,
      scale: version.subresources.scale && { ...version.subresources.scale },
    },
    printerColumns: version.printerColumns.map((column) => ({
      name: column.name,
      type: column.type,
      jsonPath: column.jsonPath,
      description: column.description,
      format: column.format,
      priority: column.priority,
    })),
    selectableFields: [...version.selectableFields],
    schema: typeJSON(version.schema),
  };
}

/** Every TypeModel key in one order; `source` left out. */
function typeJSON(type: TypeModel): Record<string, unknown> {
  return {
    type: type.type,
    typeName: type.typeName,
    wellKnown: type.wellKnown,
    description: type.description,
    format: type.format,
    enum: type.enum && [...type.enum],
    nullable: type.nullable,
    default: type.default,
    properties: type.properties?.map(fieldJSON),
    values: type.values && typeJSON(type.values),
    items: type.items && typeJSON(type.items),
    minimum: type.minimum,
    maximum: type.maximum,
    exclusiveMinimum: type.exclusiveMinimum,
    exclusiveMaximum: type.exclusiveMaximum,
    multipleOf: type.multipleOf,
    minLength: type.minLength,
    maxLength: type.maxLength,
    pattern: type.pattern,
    minItems: type.minItems,
    maxItems: type.maxItems,
    minProperties: type.minProperties,
    maxProperties: type.maxProperties,
    validations: type.validations?.map(toValidationRule),
    preserveUnknownFields: type.preserveUnknownFields,
    embeddedResource: type.embeddedResource,
    listType: type.listType,
    listMapKeys: type.listMapKeys && [...type.listMapKeys],
    mapType: type.mapType,
    patchStrategy: type.patchStrategy,
    patchMergeKey: type.patchMergeKey,
  };
}

function fieldJSON(field: FieldModel): Record<string, unknown> {
  return { name: field.name, required: field.required, description: field.description, type: typeJSON(field.type) };
}
