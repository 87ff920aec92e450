import type { ErrorCollector, SourceLocation } from "../errors/codegen-error.js";
import type { JsonValue, TypeModel } from "../model/api-model.js";

const SCALARS = new Set(["string", "integer", "number", "boolean", "int-or-string"]);

/**
 * Checks that need the finished tree: untyped values, list-type rules, defaults, and bounds that
 * contradict each other. Shared nodes are checked once.
 */
export function checkTree(root: TypeModel, errors: ErrorCollector, fallback: SourceLocation): void {
  const visited = new Set<TypeModel>();
  const visit = (node: TypeModel, at: SourceLocation): void => {
    if (visited.has(node)) return;
    visited.add(node);
    const where = node.source ?? at;
    checkNode(node, where, errors);
    for (const field of node.properties ?? []) visit(field.type, field.source ?? where);
    // Untyped map values are the map's own error (or fine, when the map preserves unknown fields).
    if (node.values && !(node.values.type === "any" && !node.values.preserveUnknownFields)) visit(node.values, where);
    if (node.items) visit(node.items, where);
  };
  visit(root, fallback);
}

function checkNode(node: TypeModel, at: SourceLocation, errors: ErrorCollector): void {
  if (node.type === "any" && !node.preserveUnknownFields) {
    errors.report(
      "UntypedField",
      `${node.typeName ?? "this value"} has no type (any/unknown)`,
      at,
      "give it a type, or add @preserveUnknownFields to keep arbitrary JSON (on the field, or on a type alias for array items)",
    );
  }
  if (
    node.type === "map" &&
    node.values?.type === "any" &&
    !node.values.preserveUnknownFields &&
    !node.preserveUnknownFields
  ) {
    errors.report(
      "UntypedField",
      "Record<string, unknown> has untyped values",
      at,
      "type the values, or add @preserveUnknownFields to the field",
    );
  }
  const bounds: Array<[keyof TypeModel, keyof TypeModel]> = [
    ["minimum", "maximum"],
    ["minLength", "maxLength"],
    ["minItems", "maxItems"],
    ["minProperties", "maxProperties"],
  ];
  for (const [low, high] of bounds) {
    const lowValue = node[low];
    const highValue = node[high];
    if (typeof lowValue === "number" && typeof highValue === "number" && lowValue > highValue) {
      errors.report("ConflictingMarkers", `@${low} ${lowValue} is greater than @${high} ${highValue}`, at);
    }
  }
  if (node.embeddedResource && node.type !== "object" && !node.preserveUnknownFields) {
    errors.report("InvalidMarker", "an @embeddedResource without fields needs @preserveUnknownFields", at);
  }
  if (node.type === "array") checkList(node, at, errors);
  if (node.default !== undefined) {
    const problem = checkValue(node, node.default, "");
    if (problem !== undefined)
      errors.report("InvalidDefault", `@default ${JSON.stringify(node.default)}: ${problem}`, at);
  }
}

function checkList(node: TypeModel, at: SourceLocation, errors: ErrorCollector): void {
  const items = node.items;
  if (items === undefined) return;
  const keys = node.listMapKeys ?? [];
  if (keys.length > 0 && node.listType !== "map") {
    errors.report("InvalidListType", "@listMapKey needs @listType map", at);
  }
  if (node.listType === "map") {
    if (keys.length === 0) errors.report("InvalidListType", "@listType map needs at least one @listMapKey", at);
    if (items.type !== "object") {
      errors.report("InvalidListType", `@listType map needs object items, not ${items.type}`, at);
    } else {
      for (const key of keys) {
        const field = items.properties?.find((property) => property.name === key);
        if (field === undefined) {
          errors.report("InvalidListType", `@listMapKey ${key}: the items have no field ${key}`, at);
        } else if (!SCALARS.has(field.type.type)) {
          errors.report("InvalidListType", `@listMapKey ${key}: a key must be a scalar, not ${field.type.type}`, at);
        } else if (!field.required && field.type.default === undefined) {
          errors.report(
            "InvalidListType",
            `@listMapKey ${key}: a key field must be required or have a @default`,
            at,
            `declare it as \`${key}: ...\` (without ?)`,
          );
        }
      }
    }
  }
  if (node.listType === "set" && !SCALARS.has(items.type) && items.mapType !== "atomic") {
    errors.report(
      "InvalidListType",
      `@listType set needs scalar items (or atomic ones), not ${items.type}`,
      at,
      "use @listType map with @listMapKey for lists of objects",
    );
  }
  if (node.patchMergeKey !== undefined) {
    const hasKey =
      items.type === "object" && items.properties?.some((property) => property.name === node.patchMergeKey);
    if (!hasKey)
      errors.report("InvalidMarker", `@patchMergeKey ${node.patchMergeKey}: the items have no such field`, at);
  }
}

/** Whether a (default) value fits a schema node; the reason when it does not. */
export function checkValue(node: TypeModel, value: JsonValue, path: string): string | undefined {
  const where = path === "" ? "" : ` at ${path}`;
  if (value === null) return node.nullable || node.type === "any" ? undefined : `null is not allowed${where}`;
  if (node.enum !== undefined && !node.enum.includes(value as string | number | boolean)) {
    return `${JSON.stringify(value)}${where} is not one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  const actual = Array.isArray(value) ? "array" : typeof value;
  switch (node.type) {
    case "any":
      return undefined;
    case "string":
      return typeof value === "string" ? undefined : `expected a string${where}, found ${actual}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `expected a boolean${where}, found ${actual}`;
    case "number":
      return typeof value === "number" ? undefined : `expected a number${where}, found ${actual}`;
    case "integer":
      return Number.isInteger(value) ? undefined : `expected an integer${where}, found ${JSON.stringify(value)}`;
    case "int-or-string":
      return Number.isInteger(value) || typeof value === "string"
        ? undefined
        : `expected an integer or a string${where}, found ${actual}`;
    case "array": {
      if (!Array.isArray(value)) return `expected an array${where}, found ${actual}`;
      for (const [index, item] of value.entries()) {
        const problem = node.items ? checkValue(node.items, item, `${path}[${index}]`) : undefined;
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case "map":
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return `expected an object${where}, found ${actual}`;
      for (const [key, item] of Object.entries(value)) {
        const fieldType =
          node.type === "map" ? node.values : node.properties?.find((property) => property.name === key)?.type;
        if (fieldType === undefined) {
          if (node.preserveUnknownFields) continue;
          return `${path}.${key} is not a field`;
        }
        const problem = checkValue(fieldType, item, `${path}.${key}`);
        if (problem !== undefined) return problem;
      }
      for (const field of node.type === "object" ? (node.properties ?? []) : []) {
        if (field.required && !(field.name in value) && field.type.default === undefined) {
          return `${path}.${field.name} is required`;
        }
      }
      return undefined;
    }
  }
}
