import type { JSONSchemaProps, ValidationRule } from "../definitions/types.js";
import type { TypeModel, ValidationRuleModel } from "../model/api-model.js";

/**
 * A schema node as a structural OpenAPI v3 schema: every node has a type (or is int-or-string
 * or preserves unknown fields), objects list their required fields, and the markers become
 * keywords and `x-kubernetes-*` extensions. Keys are written in one fixed order, so the same
 * model always gives the same text.
 */
export function toJSONSchema(type: TypeModel, description?: string): JSONSchemaProps {
  const schema: JSONSchemaProps = {};
  const text = description ?? type.description;
  if (text !== undefined) schema.description = text;
  switch (type.type) {
    case "map":
      schema.type = "object";
      break;
    case "int-or-string":
    case "any":
      // Structural schemas allow no type exactly here: int-or-string and preserved unknown JSON.
      if (type.embeddedResource) schema.type = "object";
      break;
    default:
      schema.type = type.type;
  }
  if (type.format !== undefined) schema.format = type.format;
  if (type.enum !== undefined) schema.enum = [...type.enum];
  if (type.default !== undefined) schema.default = type.default;
  if (type.nullable) schema.nullable = true;

  if (type.minimum !== undefined) schema.minimum = type.minimum;
  if (type.exclusiveMinimum) schema.exclusiveMinimum = true;
  if (type.maximum !== undefined) schema.maximum = type.maximum;
  if (type.exclusiveMaximum) schema.exclusiveMaximum = true;
  if (type.multipleOf !== undefined) schema.multipleOf = type.multipleOf;
  if (type.minLength !== undefined) schema.minLength = type.minLength;
  if (type.maxLength !== undefined) schema.maxLength = type.maxLength;
  if (type.pattern !== undefined) schema.pattern = type.pattern;
  if (type.minItems !== undefined) schema.minItems = type.minItems;
  if (type.maxItems !== undefined) schema.maxItems = type.maxItems;
  if (type.minProperties !== undefined) schema.minProperties = type.minProperties;
  if (type.maxProperties !== undefined) schema.maxProperties = type.maxProperties;

  if (type.type === "object") {
    const properties: Record<string, JSONSchemaProps> = {};
    const required: string[] = [];
    for (const field of type.properties ?? []) {
      properties[field.name] = toJSONSchema(field.type, field.description);
      if (field.required) required.push(field.name);
    }
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
  }
  if (type.type === "map" && type.values !== undefined) {
    // Record<string, unknown> with @preserveUnknownFields keeps any value: no schema for the values.
    if (!(type.preserveUnknownFields && type.values.type === "any"))
      schema.additionalProperties = toJSONSchema(type.values);
  }
  if (type.type === "array" && type.items !== undefined) schema.items = toJSONSchema(type.items);
  if (type.type === "int-or-string") schema.anyOf = [{ type: "integer" }, { type: "string" }];

  if (type.preserveUnknownFields || type.type === "any") schema["x-kubernetes-preserve-unknown-fields"] = true;
  if (type.embeddedResource) schema["x-kubernetes-embedded-resource"] = true;
  if (type.type === "int-or-string") schema["x-kubernetes-int-or-string"] = true;
  if (type.listType !== undefined) schema["x-kubernetes-list-type"] = type.listType;
  if (type.listMapKeys !== undefined) schema["x-kubernetes-list-map-keys"] = [...type.listMapKeys];
  if (type.mapType !== undefined) schema["x-kubernetes-map-type"] = type.mapType;
  if (type.patchStrategy !== undefined) schema["x-kubernetes-patch-strategy"] = type.patchStrategy;
  if (type.patchMergeKey !== undefined) schema["x-kubernetes-patch-merge-key"] = type.patchMergeKey;
  if (type.validations !== undefined && type.validations.length > 0) {
    schema["x-kubernetes-validations"] = type.validations.map(toValidationRule);
  }
  return schema;
}

/** A copy with keys in one fixed order. */
export function toValidationRule(rule: ValidationRuleModel): ValidationRule {
  const out: ValidationRule = { rule: rule.rule };
  if (rule.message !== undefined) out.message = rule.message;
  if (rule.messageExpression !== undefined) out.messageExpression = rule.messageExpression;
  if (rule.reason !== undefined) out.reason = rule.reason;
  if (rule.fieldPath !== undefined) out.fieldPath = rule.fieldPath;
  if (rule.optionalOldSelf !== undefined) out.optionalOldSelf = rule.optionalOldSelf;
  return out;
}
