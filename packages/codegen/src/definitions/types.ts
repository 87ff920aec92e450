/**
 * The data half of the runtime's resource model: the runtime's own types, without the hooks
 * (strategy functions, conversion) that the user writes by hand. The generated module carries
 * only this data.
 */
import type { ResourceDefinition, VersionDefinition } from "@apiserver-kit/runtime";

export type {
  JSONSchemaProps,
  PrinterColumn,
  ResourceNames,
  ScaleSubresource,
  SelectableField,
  Subresources,
  ValidationRule,
} from "@apiserver-kit/runtime";

/** VersionDefinition without `conversion` (functions the user writes). */
export type VersionDefinitionData = Omit<VersionDefinition, "conversion">;

/** ResourceDefinition without hooks; `strategy` carries only the data flag of the Strategy. */
export type ResourceDefinitionData = Omit<ResourceDefinition, "strategy" | "versions"> & {
  versions: VersionDefinitionData[];
  strategy?: { allowUnconditionalUpdate: boolean };
};
