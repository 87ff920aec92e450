import { StrategicMergePatchError } from "../errors/strategic-merge-patch-error.js";
import type { StrategicMergeSchema } from "./structural-schema.js";

/** How one field is patched (apimachinery's PatchMeta after extractRetainKeysPatchStrategy). */
export interface PatchMeta {
  /** "merge", "replace", or "" (maps merge, lists are replaced). Unknown names behave like "". */
  readonly strategy: string;
  /** The field's maps (or a merging list's elements) honour and get `$retainKeys`. */
  readonly retainKeys: boolean;
  /** The merge key of a merging list of maps, "" for lists of primitives. */
  readonly mergeKey: string;
}

const noPatchMeta: PatchMeta = { strategy: "", retainKeys: false, mergeKey: "" };

/** A field's schema and patch metadata; `schema` undefined means schemaless (unknown or preserved fields). */
export interface FieldPatchInfo {
  readonly schema: StrategicMergeSchema | undefined;
  readonly meta: PatchMeta;
}

const schemaless: FieldPatchInfo = { schema: undefined, meta: noPatchMeta };
const metaCache = new WeakMap<StrategicMergeSchema, PatchMeta>();

/**
 * The schema of `key` inside an object schema: a declared property, else the
 * additionalProperties schema of a map; else undefined, and the field merges as plain JSON.
 */
export function lookupField(parent: StrategicMergeSchema | undefined, key: string, path: string): FieldPatchInfo {
  const schema = fieldSchema(parent, key);
  return schema === undefined ? schemaless : { schema, meta: patchMetaOf(schema, path) };
}

/** Like lookupField for a list-valued field: `schema` is the schema of its items. */
export function lookupListField(parent: StrategicMergeSchema | undefined, key: string, path: string): FieldPatchInfo {
  const schema = fieldSchema(parent, key);
  return schema === undefined ? schemaless : { schema: schema.items, meta: patchMetaOf(schema, path) };
}

function fieldSchema(parent: StrategicMergeSchema | undefined, key: string): StrategicMergeSchema | undefined {
  if (parent === undefined) return undefined;
  const properties = parent.properties;
  if (properties !== undefined && Object.hasOwn(properties, key)) return properties[key];
  const additional = parent.additionalProperties;
  return typeof additional === "object" ? additional : undefined;
}

/**
 * Patch metadata of a field's schema. An explicit x-kubernetes-patch-strategy is read as
 * Kubernetes reads it; without one it is derived from the server-side-apply topology
 * markers (see derivedStrategy).
 */
export function patchMetaOf(schema: StrategicMergeSchema, path = ""): PatchMeta {
  const cached = metaCache.get(schema);
  if (cached !== undefined) return cached;
  const explicit = schema["x-kubernetes-patch-strategy"];
  const derived = derivedStrategy(schema);
  let meta: PatchMeta;
  if (explicit === undefined) {
    meta =
      derived === undefined
        ? noPatchMeta
        : { strategy: derived.strategy, retainKeys: false, mergeKey: derived.mergeKey };
  } else {
    const { retainKeys, strategy } = splitStrategies(explicit.split(","), path);
    const mergeKey = schema["x-kubernetes-patch-merge-key"] ?? (strategy === "merge" ? (derived?.mergeKey ?? "") : "");
    meta = { strategy, retainKeys, mergeKey };
  }
  metaCache.set(schema, meta);
  return meta;
}

/** apimachinery's extractRetainKeysPatchStrategy: at most one strategy besides retainKeys. */
function splitStrategies(strategies: string[], path: string): { retainKeys: boolean; strategy: string } {
  const [first = "", second] = strategies;
  if (strategies.length === 1)
    return first === "retainKeys" ? { retainKeys: true, strategy: "" } : { retainKeys: false, strategy: first };
  if (strategies.length === 2 && first === "retainKeys") return { retainKeys: true, strategy: second ?? "" };
  if (strategies.length === 2 && second === "retainKeys") return { retainKeys: true, strategy: first };
  throw StrategicMergePatchError.invalidPatchStrategy(strategies, path);
}

/**
 * The strategy the topology markers imply when no x-kubernetes-patch-strategy is given:
 * list-type map with exactly one key merges by that key, list-type set of scalars merges
 * as a set, map-type atomic replaces. Everything else keeps Kubernetes' default.
 */
function derivedStrategy(schema: StrategicMergeSchema): { strategy: string; mergeKey: string } | undefined {
  const listType = schema["x-kubernetes-list-type"];
  if (listType === "map") {
    const keys = schema["x-kubernetes-list-map-keys"];
    return keys?.length === 1 ? { strategy: "merge", mergeKey: keys[0] as string } : undefined;
  }
  if (listType === "set") {
    const itemType = schema.items?.type;
    return itemType === "object" || itemType === "array" ? undefined : { strategy: "merge", mergeKey: "" };
  }
  if (schema["x-kubernetes-map-type"] === "atomic" && schema.type === "object")
    return { strategy: "replace", mergeKey: "" };
  return undefined;
}

/**
 * A copy of `schema` where every field whose strategy is derived from the topology
 * markers also carries it as x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key.
 * Publish this in OpenAPI: kubectl reads only those two extensions, and must compute its
 * patches with the same strategies the server applies them with.
 */
export function withStrategicMergeExtensions<T extends StrategicMergeSchema>(schema: T): T {
  return annotate(schema, new Map()) as T;
}

function annotate(
  schema: StrategicMergeSchema,
  seen: Map<StrategicMergeSchema, StrategicMergeSchema>,
): StrategicMergeSchema {
  const done = seen.get(schema);
  if (done !== undefined) return done;
  const copy: StrategicMergeSchema = { ...schema };
  seen.set(schema, copy);
  if (schema["x-kubernetes-patch-strategy"] === undefined) {
    const derived = derivedStrategy(schema);
    if (derived !== undefined) {
      copy["x-kubernetes-patch-strategy"] = derived.strategy;
      if (derived.mergeKey !== "") copy["x-kubernetes-patch-merge-key"] = derived.mergeKey;
    }
  } else if (schema["x-kubernetes-patch-merge-key"] === undefined) {
    const mergeKey = patchMetaOf(schema).mergeKey;
    if (mergeKey !== "") copy["x-kubernetes-patch-merge-key"] = mergeKey;
  }
  if (schema.properties !== undefined) {
    const properties: Record<string, StrategicMergeSchema> = {};
    for (const [key, value] of Object.entries(schema.properties)) {
      Object.defineProperty(properties, key, {
        value: annotate(value, seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    copy.properties = properties;
  }
  if (schema.items !== undefined) copy.items = annotate(schema.items, seen);
  if (typeof schema.additionalProperties === "object")
    copy.additionalProperties = annotate(schema.additionalProperties, seen);
  return copy;
}
