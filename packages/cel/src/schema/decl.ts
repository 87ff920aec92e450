import { MAX_REQUEST_SIZE_BYTES } from "../cost/limits.js";
import { escapePropertyName } from "./escape.js";
import type { CelSchema } from "./schema.js";

/** The CEL kind a schema node is exposed as. */
export type DeclKind =
  | "object"
  | "map"
  | "list"
  | "string"
  | "bytes"
  | "int"
  | "double"
  | "bool"
  | "timestamp"
  | "duration"
  | "dyn";

export interface DeclField {
  /** The property name in JSON. */
  name: string;
  /** The CEL identifier (escaped name). */
  celName: string;
  type: DeclType;
  required: boolean;
}

/** A schema node's CEL type with the size bounds cost estimation needs (apiserver DeclType). */
export interface DeclType {
  kind: DeclKind;
  schema: CelSchema;
  /** object: visible fields by CEL name. */
  fields?: ReadonlyMap<string, DeclField>;
  /** list: item type; map: value type. */
  elem?: DeclType;
  /** Most items, entries or characters a value can have (from maxItems, maxProperties, maxLength or the request size). */
  maxElements: number;
  /** Smallest JSON serialization of a value, used to bound unbounded collections. */
  minSerializedSize: number;
}

// Serialized-size constants (apiserver pkg/cel/types.go).
const MIN_STRING_SIZE = 2;
const MIN_BOOL_SIZE = 4;
const MIN_NUMBER_SIZE = 1;
const MIN_DURATION_SIZE = 3;
const DATE_SIZE = 12;
const MIN_DATETIME_SIZE = 21;
const MAX_DURATION_SIZE = 32;
const MAX_DATETIME_SIZE = 32;

/**
 * The CEL type of a schema node, or undefined when Kubernetes does not expose it to rules.
 * Extension over Kubernetes: x-kubernetes-preserve-unknown-fields nodes without declared
 * properties are exposed as dyn instead of being hidden.
 */
export function schemaDeclType(schema: CelSchema, isResourceRoot: boolean): DeclType | undefined {
  if (schema["x-kubernetes-int-or-string"]) {
    const maxElements = schema.maxLength !== undefined ? Math.max(0, schema.maxLength) * 4 : MAX_REQUEST_SIZE_BYTES - 2;
    return { kind: "dyn", schema, maxElements, minSerializedSize: 1 };
  }
  if (isPreservedWithoutStructure(schema) && !isResourceRoot && !schema["x-kubernetes-embedded-resource"]) {
    const declared = schema.maxProperties ?? schema.maxItems ?? schema.maxLength;
    return { kind: "dyn", schema, maxElements: declared ?? MAX_REQUEST_SIZE_BYTES - 2, minSerializedSize: 1 };
  }
  const s = isResourceRoot ? withTypeAndObjectMeta(schema) : schema;
  switch (s.type) {
    case "array": {
      if (!s.items) return undefined;
      const elem = schemaDeclType(s.items, s.items["x-kubernetes-embedded-resource"] === true);
      if (!elem) return undefined;
      const maxElements =
        s.maxItems !== undefined
          ? Math.max(0, s.maxItems)
          : Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (elem.minSerializedSize + 1));
      return { kind: "list", schema: s, elem, maxElements, minSerializedSize: 2 };
    }
    case "object":
      return objectDeclType(s);
    case "string":
      return stringDeclType(s);
    case "boolean":
      return { kind: "bool", schema: s, maxElements: 0, minSerializedSize: MIN_BOOL_SIZE };
    case "number":
      return { kind: "double", schema: s, maxElements: 0, minSerializedSize: MIN_NUMBER_SIZE };
    case "integer":
      return { kind: "int", schema: s, maxElements: 0, minSerializedSize: MIN_NUMBER_SIZE };
    default:
      return undefined;
  }
}

function isPreservedWithoutStructure(s: CelSchema): boolean {
  return (
    s["x-kubernetes-preserve-unknown-fields"] === true &&
    (s.type === undefined || s.type === "object") &&
    Object.keys(s.properties ?? {}).length === 0 &&
    typeof s.additionalProperties !== "object"
  );
}

function objectDeclType(s: CelSchema): DeclType | undefined {
  if (typeof s.additionalProperties === "object") {
    const ap = s.additionalProperties;
    const elem = schemaDeclType(ap, ap["x-kubernetes-embedded-resource"] === true);
    if (!elem) return undefined;
    const maxElements =
      s.maxProperties !== undefined
        ? Math.max(0, s.maxProperties)
        : Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (elem.minSerializedSize + 6));
    return { kind: "map", schema: s, elem, maxElements, minSerializedSize: 2 };
  }
  const required = new Set(s.required ?? []);
  const fields = new Map<string, DeclField>();
  let minSerializedSize = 2;
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const type = schemaDeclType(prop, prop["x-kubernetes-embedded-resource"] === true);
    if (!type) continue;
    const celName = escapePropertyName(name);
    if (celName !== undefined) fields.set(celName, { name, celName, type, required: required.has(name) });
    if (required.has(name) && prop.default === undefined) minSerializedSize += name.length + type.minSerializedSize + 4;
  }
  return { kind: "object", schema: s, fields, maxElements: 0, minSerializedSize };
}

function stringDeclType(s: CelSchema): DeclType {
  switch (s.format) {
    case "byte":
      return {
        kind: "bytes",
        schema: s,
        maxElements: s.maxLength !== undefined ? Math.max(0, s.maxLength) : MAX_REQUEST_SIZE_BYTES - 2,
        minSerializedSize: MIN_STRING_SIZE,
      };
    case "duration":
      return { kind: "duration", schema: s, maxElements: MAX_DURATION_SIZE, minSerializedSize: MIN_DURATION_SIZE };
    case "date":
      return { kind: "timestamp", schema: s, maxElements: DATE_SIZE, minSerializedSize: DATE_SIZE };
    case "date-time":
      return { kind: "timestamp", schema: s, maxElements: MAX_DATETIME_SIZE, minSerializedSize: MIN_DATETIME_SIZE };
  }
  let maxElements = MAX_REQUEST_SIZE_BYTES - 2;
  if (s.maxLength !== undefined) maxElements = Math.max(0, s.maxLength) * 4;
  else if (s.enum && s.enum.length > 0)
    maxElements = Math.max(0, ...s.enum.map((e) => (typeof e === "string" ? e.length : 0)));
  return { kind: "string", schema: s, maxElements, minSerializedSize: MIN_STRING_SIZE };
}

const stringSchema: CelSchema = { type: "string" };

/**
 * apiVersion, kind, metadata.name and metadata.generateName are always visible at a resource root,
 * and only those metadata fields unless the schema spells metadata out (apiserver WithTypeAndObjectMeta).
 */
export function withTypeAndObjectMeta(s: CelSchema): CelSchema {
  const p = s.properties ?? {};
  const meta = p.metadata;
  if (
    p.kind?.type === "string" &&
    p.apiVersion?.type === "string" &&
    meta?.type === "object" &&
    meta.properties?.name?.type === "string" &&
    meta.properties?.generateName?.type === "string"
  ) {
    return s;
  }
  return {
    ...s,
    type: "object",
    properties: {
      ...p,
      kind: stringSchema,
      apiVersion: stringSchema,
      metadata: { type: "object", properties: { name: stringSchema, generateName: stringSchema } },
    },
  };
}
