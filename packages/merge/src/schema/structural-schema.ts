/**
 * The part of an OpenAPI v3 structural schema (the runtime's JSONSchemaProps, a CRD's
 * openAPIV3Schema) that strategic merge patch reads. Any JSONSchemaProps is one of these,
 * so resource schemas are passed unchanged.
 */
export interface StrategicMergeSchema {
  type?: string;
  properties?: Record<string, StrategicMergeSchema>;
  additionalProperties?: StrategicMergeSchema | boolean;
  items?: StrategicMergeSchema;
  /** "merge", "replace", "retainKeys" or "merge,retainKeys" (Go tag `patchStrategy`). */
  "x-kubernetes-patch-strategy"?: string;
  /** The field that identifies an element of a merging list (Go tag `patchMergeKey`). */
  "x-kubernetes-patch-merge-key"?: string;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}
