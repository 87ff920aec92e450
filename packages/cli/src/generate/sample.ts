/**
 * A sample object of a kind version, built from its schema: every field filled with a value of
 * its type (defaults and enum values first), for generated round-trip tests.
 */
import type { JsonValue, TypeModel } from "@apiserver-kit/codegen";

export function sampleValue(type: TypeModel, depth = 0): JsonValue {
  if (type.default !== undefined) return type.default;
  if (type.enum && type.enum.length > 0) return type.enum[0] as JsonValue;
  if (depth > 6) return null;
  switch (type.type) {
    case "string":
      return type.format === "date-time" ? "2024-01-02T03:04:05Z" : "example";
    case "integer":
      return Math.max(type.minimum ?? 1, 1);
    case "number":
      return Math.max(type.minimum ?? 1.5, 1.5);
    case "boolean":
      return true;
    case "int-or-string":
      return 1;
    case "any":
      return { example: true };
    case "array":
      return type.items ? [sampleValue(type.items, depth + 1)] : [];
    case "map":
      return type.values ? { example: sampleValue(type.values, depth + 1) } : {};
    case "object": {
      const out: Record<string, JsonValue> = {};
      for (const field of type.properties ?? []) {
        if (field.type.wellKnown === "ObjectMeta") continue;
        out[field.name] = sampleValue(field.type, depth + 1);
      }
      return out;
    }
  }
}

/** `{ apiVersion, kind, metadata: { name }, ...every other field }` for one kind version. */
export function sampleObject(
  group: string,
  version: string,
  kind: string,
  schema: TypeModel,
): Record<string, JsonValue> {
  const body = sampleValue(schema) as Record<string, JsonValue>;
  const { apiVersion: _apiVersion, kind: _kind, metadata: _metadata, ...rest } = body;
  return { apiVersion: `${group}/${version}`, kind, metadata: { name: "round-trip" }, ...rest };
}
