import type { StrategicMergeSchema } from "../../schema/structural-schema.js";
import { objectMetaSchema } from "./object-meta.js";

/**
 * The part of a structural schema (the runtime's JSONSchemaProps) that server-side apply reads:
 * list and map topology, key defaults, and which nodes are scalars.
 */
export interface ServerSideApplySchema extends StrategicMergeSchema {
  properties?: Record<string, ServerSideApplySchema>;
  additionalProperties?: ServerSideApplySchema | boolean;
  items?: ServerSideApplySchema;
  default?: unknown;
  "x-kubernetes-int-or-string"?: boolean;
}

/**
 * How a value is merged and owned (structured-merge-diff's schema atoms): a scalar is a leaf;
 * an atomic list or map is one leaf; a granular map owns each field; an associative list owns
 * each element (by its keys, or by its value for a set). "deduced" is the type of values the
 * schema does not describe (x-kubernetes-preserve-unknown-fields): maps granular, lists atomic.
 */
export type TypeNode = ScalarType | DeducedType | ListType | MapType;
export interface ScalarType {
  readonly kind: "scalar";
}
export interface DeducedType {
  readonly kind: "deduced";
}
export interface ListType {
  readonly kind: "list";
  readonly atomic: boolean;
  /** The list-map keys; empty for a set (and for an atomic list). */
  readonly keys: readonly string[];
  readonly items: ServerSideApplySchema | undefined;
}
export interface MapType {
  readonly kind: "map";
  readonly atomic: boolean;
  /** undefined for a map of unknown fields (every field deduced). */
  readonly schema: ServerSideApplySchema | undefined;
}

export const SCALAR: ScalarType = { kind: "scalar" };
export const DEDUCED: DeducedType = { kind: "deduced" };
const DEDUCED_MAP: MapType = { kind: "map", atomic: false, schema: undefined };
const DEDUCED_LIST: ListType = { kind: "list", atomic: true, keys: [], items: undefined };

const typeCache = new WeakMap<ServerSideApplySchema, TypeNode>();

/** The type a schema node describes; no schema means deduced. */
export function typeOf(schema: ServerSideApplySchema | undefined): TypeNode {
  if (schema === undefined) return DEDUCED;
  const cached = typeCache.get(schema);
  if (cached !== undefined) return cached;
  const type = computeType(schema);
  typeCache.set(schema, type);
  return type;
}

function computeType(schema: ServerSideApplySchema): TypeNode {
  if (schema["x-kubernetes-int-or-string"] === true) return SCALAR;
  const isMap =
    schema.type === "object" ||
    (schema.type === undefined && (schema.properties !== undefined || schema.additionalProperties !== undefined));
  if (isMap) return { kind: "map", atomic: schema["x-kubernetes-map-type"] === "atomic", schema };
  if (schema.type === "array" || (schema.type === undefined && schema.items !== undefined)) {
    const { atomic, keys } = listTopology(schema);
    return { kind: "list", atomic, keys, items: schema.items };
  }
  if (schema.type === undefined) return DEDUCED;
  return SCALAR;
}

/**
 * kube-openapi's reading of list topology: x-kubernetes-list-type first; without it a
 * `merge` patch strategy makes an associative list keyed by the patch merge key (a set
 * without one); anything else is atomic.
 */
function listTopology(schema: ServerSideApplySchema): { atomic: boolean; keys: string[] } {
  const listType = schema["x-kubernetes-list-type"];
  if (listType === "atomic") return { atomic: true, keys: [] };
  if (listType === "set") return { atomic: false, keys: [] };
  if (listType === "map") return { atomic: false, keys: [...(schema["x-kubernetes-list-map-keys"] ?? [])] };
  const strategies = (schema["x-kubernetes-patch-strategy"] ?? "").split(",");
  if (strategies.includes("merge")) {
    const key = schema["x-kubernetes-patch-merge-key"];
    return { atomic: false, keys: key === undefined ? [] : [key] };
  }
  return { atomic: true, keys: [] };
}

/** The type to walk a value with: a deduced type becomes the type of the value's JSON kind. */
export function effectiveType(type: TypeNode, value: unknown): TypeNode {
  if (type.kind !== "deduced") return type;
  if (Array.isArray(value)) return DEDUCED_LIST;
  if (typeof value === "object" && value !== null) return DEDUCED_MAP;
  return SCALAR;
}

/** Whether a value has the shape of its type; null stands for an empty list or map, as in Kubernetes. */
export function fitsType(type: TypeNode, value: unknown): boolean {
  switch (type.kind) {
    case "map":
      return value === null || (typeof value === "object" && !Array.isArray(value));
    case "list":
      return value === null || Array.isArray(value);
    case "scalar":
      return value === null || typeof value !== "object";
    default:
      return true;
  }
}

/** The type of a field of a map, and whether the schema declares it (a "named" field). */
export function fieldOf(map: MapType, name: string): { type: TypeNode; declared: boolean } {
  const properties = map.schema?.properties;
  return { type: fieldTypeOf(map, name), declared: properties !== undefined && Object.hasOwn(properties, name) };
}

/** The type of a field of a map (fieldOf without the object). */
export function fieldTypeOf(map: MapType, name: string): TypeNode {
  const schema = map.schema;
  if (schema === undefined) return DEDUCED;
  if (schema.properties !== undefined && Object.hasOwn(schema.properties, name)) return typeOf(schema.properties[name]);
  const additional = schema.additionalProperties;
  return typeof additional === "object" ? typeOf(additional) : DEDUCED;
}

export function elementOf(list: ListType): TypeNode {
  return typeOf(list.items);
}

/** The default of a list-map key field, if the element schema declares one. */
export function keyDefault(list: ListType, key: string): unknown {
  const properties = list.items?.properties;
  if (properties === undefined || !Object.hasOwn(properties, key)) return undefined;
  return properties[key]?.default;
}

const rootCache = new WeakMap<ServerSideApplySchema, TypeNode>();
const schemalessRoot: TypeNode = typeOf({ type: "object", properties: { metadata: objectMetaSchema } });

/**
 * The type of a whole object of a kind. `metadata` is ObjectMeta (labels and annotations
 * granular, ownerReferences keyed by uid, finalizers a set) unless the schema spells it out.
 */
export function rootTypeOf(schema: ServerSideApplySchema | undefined): TypeNode {
  if (schema === undefined) return schemalessRoot;
  const cached = rootCache.get(schema);
  if (cached !== undefined) return cached;
  const metadata = schema.properties?.metadata;
  const described = metadata?.properties !== undefined && Object.keys(metadata.properties).length > 0;
  const root = described
    ? typeOf(schema)
    : typeOf({
        ...schema,
        type: "object",
        properties: { ...schema.properties, metadata: objectMetaSchema },
      });
  rootCache.set(schema, root);
  return root;
}
