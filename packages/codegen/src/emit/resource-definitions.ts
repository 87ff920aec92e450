import type { ResourceDefinitionData, ResourceNames, VersionDefinitionData } from "../definitions/types.js";
import type { ApiModel, GroupModel, KindModel, KindVersionModel } from "../model/api-model.js";
import { toJSONSchema } from "./schema.js";

/** Every kind of the model as the runtime's resource definition data, groups and kinds in model order. */
export function toResourceDefinitions(model: ApiModel): ResourceDefinitionData[] {
  return model.groups.flatMap((group) => group.kinds.map((kind) => toResourceDefinition(group, kind)));
}

export function toResourceDefinition(group: GroupModel, kind: KindModel): ResourceDefinitionData {
  const names: ResourceNames = {
    kind: kind.kind,
    plural: kind.plural,
    singular: kind.singular,
    listKind: kind.listKind,
  };
  if (kind.shortNames.length > 0) names.shortNames = [...kind.shortNames];
  if (kind.categories.length > 0) names.categories = [...kind.categories];
  const definition: ResourceDefinitionData = {
    group: group.name,
    names,
    scope: kind.scope,
    versions: kind.versions.map(toVersionDefinition),
  };
  if (kind.unconditionalUpdate) definition.strategy = { allowUnconditionalUpdate: true };
  return definition;
}

function toVersionDefinition(version: KindVersionModel): VersionDefinitionData {
  const out: VersionDefinitionData = {
    name: version.name,
    served: version.served,
    storage: version.storage,
    ...(version.deprecated ? { deprecated: true } : {}),
    ...(version.deprecationWarning === undefined ? {} : { deprecationWarning: version.deprecationWarning }),
    schema: toJSONSchema(version.schema),
  };
  const { status, scale } = version.subresources;
  if (status || scale) {
    out.subresources = {};
    if (status) out.subresources.status = {};
    if (scale) out.subresources.scale = { ...scale };
  }
  if (version.printerColumns.length > 0)
    out.additionalPrinterColumns = version.printerColumns.map((column) => ({ ...column }));
  if (version.selectableFields.length > 0) {
    out.selectableFields = version.selectableFields.map((jsonPath) => ({ jsonPath }));
  }
  return out;
}
