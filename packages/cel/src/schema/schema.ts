/**
 * The subset of an OpenAPI v3 structural schema (apiextensions JSONSchemaProps) that CEL validation
 * reads. Structurally compatible with the runtime's JSONSchemaProps, so the runtime passes its schema
 * unchanged.
 */
export interface CelSchema {
  type?: string;
  format?: string;
  nullable?: boolean;
  enum?: readonly unknown[];
  default?: unknown;
  properties?: Readonly<Record<string, CelSchema>>;
  additionalProperties?: CelSchema | boolean;
  required?: readonly string[];
  items?: CelSchema;
  maxItems?: number;
  maxProperties?: number;
  maxLength?: number;
  allOf?: readonly CelSchema[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: readonly string[];
  "x-kubernetes-map-type"?: string;
  "x-kubernetes-validations"?: readonly ValidationRule[];
}

/** The reasons a rule may report (apiextensions FieldValueErrorReason). */
export type ValidationRuleReason =
  | "FieldValueInvalid"
  | "FieldValueForbidden"
  | "FieldValueRequired"
  | "FieldValueDuplicate";

/** One entry of x-kubernetes-validations. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: ValidationRuleReason | string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}
