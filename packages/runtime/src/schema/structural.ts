/**
 * Structural-schema operations Kubernetes applies to custom resources before
 * validation: pruning of unknown fields (reporting them for fieldValidation) and
 * defaulting. Both walk the object and the schema together.
 */
import { sortGoStrings } from "@apiserver-kit/merge";
import type { JSONSchemaProps } from "../model/schema.js";

/** The fields of ObjectMeta a client may send; anything else in metadata is unknown. */
export const objectMetaFields: ReadonlySet<string> = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

type JSONObject = Record<string, unknown>;

function isObject(value: unknown): value is JSONObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Removes fields the schema does not know, in place, and returns their paths
 * (`spec.foo`, `spec.items[0].bar`) in the order kube-apiserver reports them for a custom
 * resource: the object's own metadata first, then the pruned fields sorted (its pruning sorts
 * them), then the metadata of embedded resources. `isRoot` marks a whole object whose
 * apiVersion, kind and metadata are always known (as for embedded resources). With `remove`
 * false the object is left as it is and only the paths are returned (a Strict write refuses
 * anyway, and its error shows the object as sent).
 */
export function prune(value: unknown, schema: JSONSchemaProps | undefined, isRoot = true, remove = true): string[] {
  const found: Found = { rootMetadata: [], fields: [], embeddedMetadata: [], remove };
  pruneValue(value, schema, "", isRoot, found);
  if (found.fields.length === 0 && found.embeddedMetadata.length === 0) return found.rootMetadata;
  sortGoStrings(found.fields);
  return [...found.rootMetadata, ...found.fields, ...found.embeddedMetadata];
}

interface Found {
  readonly rootMetadata: string[];
  readonly fields: string[];
  readonly embeddedMetadata: string[];
  readonly remove: boolean;
}

function pruneValue(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  path: string,
  isResource: boolean,
  found: Found,
): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    if (schema.items) {
      for (let i = 0; i < value.length; i++) {
        // Only objects and arrays hold fields to prune: no path is built for the rest.
        if (typeof value[i] !== "object" || value[i] === null) continue;
        pruneValue(
          value[i],
          schema.items,
          `${path}[${i}]`,
          schema.items["x-kubernetes-embedded-resource"] === true,
          found,
        );
      }
    }
    return;
  }
  if (!isObject(value)) return;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = isResource || schema["x-kubernetes-embedded-resource"] === true;
  const properties = schema.properties ?? {};
  const additional = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  for (const key of Object.keys(value)) {
    if (embedded && (key === "apiVersion" || key === "kind")) continue;
    if (embedded && key === "metadata") {
      pruneMetadata(value[key], child(path, key), path === "" ? found.rootMetadata : found.embeddedMetadata, found);
      continue;
    }
    const propertySchema = Object.hasOwn(properties, key) ? properties[key] : additional;
    if (propertySchema) {
      const field = value[key];
      if (typeof field !== "object" || field === null) continue;
      pruneValue(
        field,
        propertySchema,
        child(path, key),
        propertySchema["x-kubernetes-embedded-resource"] === true,
        found,
      );
    } else if (!preserve && schema.additionalProperties !== true) {
      found.fields.push(child(path, key));
      if (found.remove) delete value[key];
    }
  }
}

function pruneMetadata(metadata: unknown, path: string, into: string[], found: Found): void {
  if (!isObject(metadata)) return;
  for (const key of Object.keys(metadata)) {
    if (!objectMetaFields.has(key)) {
      into.push(child(path, key));
      if (found.remove) delete metadata[key];
    }
  }
}

/** Applies schema defaults in place, top-down (a defaulted object is defaulted inside too). */
export function applyDefaults(value: unknown, schema: JSONSchemaProps | undefined): void {
  walkDefaults(value, schema, true);
}

/**
 * Whether {@link applyDefaults} would change `value`: false for an object written since its
 * schema last gained a default, so that a read can skip copying it.
 */
export function needsDefaults(value: unknown, schema: JSONSchemaProps | undefined): boolean {
  return walkDefaults(value, schema, false);
}

/**
 * The one walk behind both: finds the fields whose default applies; `fill` sets them (and
 * goes on inside them), otherwise the walk stops at the first. Returns whether it found one.
 */
function walkDefaults(value: unknown, schema: JSONSchemaProps | undefined, fill: boolean): boolean {
  if (!schema || !hasDefaultBelow(schema)) return false;
  let found = false;
  if (Array.isArray(value)) {
    if (schema.items) {
      for (const item of value) {
        found = walkDefaults(item, schema.items, fill) || found;
        if (found && !fill) return true;
      }
    }
    return found;
  }
  if (!isObject(value)) return false;
  if (schema.properties) {
    for (const [key, propertySchema] of propertyEntries(schema.properties)) {
      const current = value[key];
      if (
        propertySchema.default !== undefined &&
        (current === undefined || (current === null && propertySchema.nullable !== true))
      ) {
        if (!fill) return true;
        value[key] = structuredClone(propertySchema.default);
        found = true;
      }
      if (value[key] !== undefined) {
        found = walkDefaults(value[key], propertySchema, fill) || found;
        if (found && !fill) return true;
      }
    }
  }
  if (typeof schema.additionalProperties === "object") {
    const additional = schema.additionalProperties;
    for (const key of Object.keys(value)) {
      if (schema.properties && Object.hasOwn(schema.properties, key)) continue;
      found = walkDefaults(value[key], additional, fill) || found;
      if (found && !fill) return true;
    }
  }
  return found;
}

const entriesOf = new WeakMap<Record<string, JSONSchemaProps>, [string, JSONSchemaProps][]>();

/** Object.entries of a schema's properties, made once per schema (walks run per request). */
function propertyEntries(properties: Record<string, JSONSchemaProps>): readonly [string, JSONSchemaProps][] {
  let entries = entriesOf.get(properties);
  if (entries === undefined) {
    entries = Object.entries(properties);
    entriesOf.set(properties, entries);
  }
  return entries;
}

const defaultBelow = new WeakMap<JSONSchemaProps, boolean>();

/** Whether a property anywhere inside `schema` has a default: a walk for defaults skips the rest. */
function hasDefaultBelow(schema: JSONSchemaProps): boolean {
  let found = defaultBelow.get(schema);
  if (found !== undefined) return found;
  defaultBelow.set(schema, true); // a schema that contains itself is walked, as before
  found = false;
  for (const property of Object.values(schema.properties ?? {})) {
    if (property.default !== undefined || hasDefaultBelow(property)) found = true;
  }
  if (schema.items && hasDefaultBelow(schema.items)) found = true;
  if (typeof schema.additionalProperties === "object" && hasDefaultBelow(schema.additionalProperties)) found = true;
  defaultBelow.set(schema, found);
  return found;
}

/** Drops `null` values of non-nullable fields without a default, in place (as Kubernetes does before defaulting). */
export function dropNulls(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) dropNulls(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  if (!schema.properties) return;
  for (const [key, propertySchema] of propertyEntries(schema.properties)) {
    if (value[key] === null && propertySchema.nullable !== true && propertySchema.default === undefined)
      delete value[key];
    else dropNulls(value[key], propertySchema);
  }
}
