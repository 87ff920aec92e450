import { StrategicMergePatchError } from "../errors/strategic-merge-patch-error.js";
import { hasKey, isJSONObject, type JSONObject, type JSONValue, jsonEqual, jsonKind, newObject } from "../json/json.js";
import { type FieldPatchInfo, lookupField, lookupListField } from "../schema/patch-meta.js";
import type { StrategicMergeSchema } from "../schema/structural-schema.js";
import {
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
  DIRECTIVE_MARKER,
  RETAIN_KEYS_DIRECTIVE,
  SET_ELEMENT_ORDER_PREFIX,
} from "./directives.js";
import { elementKind, isDeleteDirective, normalizeElementOrder, partitionByPresence } from "./element-order.js";

// The merge half of apimachinery's strategicpatch (mergeMap and friends), on working copies
// made of prototype-less objects: functions here mutate their `original` and `patch` arguments.

export interface MergeOptions {
  /** Apply `$deleteFromPrimitiveList` and `$retainKeys` (server side) rather than carry them (merging two patches). */
  readonly mergeParallelList: boolean;
  /** Drop nulls that match nothing (server side) rather than keep them as deletions (merging two patches). */
  readonly ignoreUnmatchedNulls: boolean;
}

export function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** The field a `$deleteFromPrimitiveList/<field>` or `$setElementOrder/<field>` key names. */
export function directiveField(key: string, prefix: string, path: string): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === SET_ELEMENT_ORDER_PREFIX
      ? StrategicMergePatchError.badSetElementOrderFormat(path)
      : StrategicMergePatchError.badPrimitiveListFormat(path);
  }
  return key.slice(slash + 1);
}

/** Merges `patch` into `original` (or into an empty map) and returns the result. */
export function mergeMap(
  original: JSONObject | undefined,
  patch: JSONObject,
  schema: StrategicMergeSchema | undefined,
  options: MergeOptions,
  path: string,
): JSONObject {
  if (hasKey(patch, DIRECTIVE_MARKER)) return applyMapDirective(patch, path);
  const target = original ?? newObject();
  applyRetainKeys(target, patch, options, path);
  mergeOrderedLists(target, patch, schema, options, path);

  for (const patchKey of Object.keys(patch)) {
    const patchValue = patch[patchKey] as JSONValue;
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      if (!options.mergeParallelList) {
        target[patchKey] = patchValue;
        continue;
      }
      key = directiveField(patchKey, DELETE_FROM_PRIMITIVE_LIST_PREFIX, path);
      isDeleteList = true;
    }
    if (patchValue === null) {
      delete target[key];
      if (options.ignoreUnmatchedNulls) continue;
    }
    const current = hasKey(target, key) ? (target[key] as JSONValue) : undefined;
    if (current === undefined || jsonKind(current) !== jsonKind(patchValue)) {
      // A new field, or one whose type changes, takes the patch's value, without directives.
      if (!isDeleteList) setWithoutDirectives(target, key, patchValue, options);
      continue;
    }
    const fieldPath = childPath(path, key);
    if (isJSONObject(current)) {
      const field = lookupField(schema, key, fieldPath);
      target[key] =
        field.meta.strategy === "replace"
          ? patchValue
          : mergeMap(current, patchValue as JSONObject, field.schema, options, fieldPath);
    } else if (Array.isArray(current)) {
      const list = lookupListField(schema, key, fieldPath);
      target[key] = mergeListField(current, patchValue as JSONValue[], list, isDeleteList, options, fieldPath).merged;
    } else {
      target[key] = patchValue;
    }
  }
  return target;
}

/** `$patch` in a map: replace keeps only the patch's content, delete empties the map. */
function applyMapDirective(patch: JSONObject, path: string): JSONObject {
  const directive = patch[DIRECTIVE_MARKER];
  if (directive === "replace") {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === "delete") return newObject();
  throw StrategicMergePatchError.badPatchType(directive, patch, path);
}

function setWithoutDirectives(target: JSONObject, key: string, value: JSONValue, options: MergeOptions): void {
  if (options.ignoreUnmatchedNulls) discardNulls(value);
  const cleaned = withoutDirectives(value);
  if (cleaned === undefined) delete target[key];
  else target[key] = cleaned;
}

/** Removes null-valued keys at every depth (nulls inside lists stay). */
function discardNulls(value: JSONValue): void {
  if (Array.isArray(value)) {
    for (const element of value) discardNulls(element);
  } else if (isJSONObject(value)) {
    for (const key of Object.keys(value)) {
      const child = value[key] as JSONValue;
      if (child === null) delete value[key];
      else discardNulls(child);
    }
  }
}

/** A value with every map carrying `$patch` dropped; undefined when the value itself is such a map. */
export function withoutDirectives(value: JSONValue): JSONValue | undefined {
  if (Array.isArray(value)) {
    const kept: JSONValue[] = [];
    for (const element of value) {
      const cleaned = withoutDirectives(element);
      if (cleaned !== undefined) kept.push(cleaned);
    }
    return kept;
  }
  if (isJSONObject(value)) {
    if (hasKey(value, DIRECTIVE_MARKER)) return undefined;
    for (const key of Object.keys(value)) {
      const cleaned = withoutDirectives(value[key] as JSONValue);
      if (cleaned === undefined) delete value[key];
      else value[key] = cleaned;
    }
  }
  return value;
}

/** `$retainKeys`: clears every field of `original` the list does not name. */
function applyRetainKeys(original: JSONObject, patch: JSONObject, options: MergeOptions, path: string): void {
  if (!hasKey(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retained = patch[RETAIN_KEYS_DIRECTIVE] as JSONValue;
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!options.mergeParallelList) {
    // Merging two patches: both must agree on the directive, which is carried over.
    if (!hasKey(original, RETAIN_KEYS_DIRECTIVE)) original[RETAIN_KEYS_DIRECTIVE] = retained;
    else if (!jsonEqual(original[RETAIN_KEYS_DIRECTIVE] as JSONValue, retained)) {
      throw StrategicMergePatchError.badRetainKeysFormat(path);
    }
    return;
  }
  if (!Array.isArray(retained)) throw StrategicMergePatchError.badRetainKeysFormat(path);
  const keep = new Set<unknown>(retained);
  for (const key of Object.keys(patch)) {
    if (
      patch[key] === null ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) ||
      key.startsWith(SET_ELEMENT_ORDER_PREFIX)
    ) {
      continue;
    }
    if (!keep.has(key)) throw StrategicMergePatchError.badRetainKeysFormat(path);
  }
  for (const key of Object.keys(original)) {
    if (!keep.has(key)) delete original[key];
  }
}

/**
 * Every `$setElementOrder/<field>` of the patch: merges the field's list (if the patch has
 * one) and orders the result. Processed fields leave the patch.
 */
function mergeOrderedLists(
  original: JSONObject,
  patch: JSONObject,
  schema: StrategicMergeSchema | undefined,
  options: MergeOptions,
  path: string,
): void {
  for (const orderKey of Object.keys(patch)) {
    if (!orderKey.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const order = patch[orderKey] as JSONValue;
    if (!options.mergeParallelList) {
      if (!hasKey(original, orderKey)) original[orderKey] = order;
      else if (!jsonEqual(original[orderKey] as JSONValue, order)) {
        throw StrategicMergePatchError.badSetElementOrderFormat(path);
      }
    }
    delete patch[orderKey];
    if (!Array.isArray(order)) throw StrategicMergePatchError.badArgType([], order, path);
    const key = directiveField(orderKey, SET_ELEMENT_ORDER_PREFIX, path);
    const fieldPath = childPath(path, key);
    const originalList = listAt(original, key, fieldPath);
    const patchList = listAt(patch, key, fieldPath);
    const list = lookupListField(schema, key, fieldPath);
    const mergeKey = list.meta.mergeKey;
    checkOrderOfPatchList(patchList ?? [], order, mergeKey, fieldPath);

    let merged: JSONValue[];
    let live: JSONValue[];
    if (originalList !== undefined && patchList === undefined) {
      merged = originalList;
      live = originalList;
    } else if (originalList === undefined && patchList !== undefined) {
      merged = withoutDirectives(patchList) as JSONValue[];
      live = [];
    } else if (originalList !== undefined && patchList !== undefined) {
      ({ merged, live } = mergeListField(originalList, patchList, list, false, options, fieldPath));
    } else {
      continue;
    }
    const { present, absent } = partitionByPresence(merged, order, mergeKey, fieldPath);
    // Kubernetes errors here when both lists are empty; the result is simply empty.
    const kind = elementKind([originalList ?? [], patchList ?? []], fieldPath);
    original[key] = normalizeElementOrder(present, absent, order, live, mergeKey, kind, fieldPath);
    delete patch[key];
  }
}

function listAt(object: JSONObject, key: string, path: string): JSONValue[] | undefined {
  if (!hasKey(object, key)) return undefined;
  const value = object[key] as JSONValue;
  if (!Array.isArray(value)) throw StrategicMergePatchError.badArgType([], value, path);
  return value;
}

/** The patch list's elements must appear in `$setElementOrder` in the same relative order. */
function checkOrderOfPatchList(list: JSONValue[], order: JSONValue[], mergeKey: string, path: string): void {
  if (order.length === 0 || list.length === 0) return;
  let candidates = list;
  if (mergeKey !== "") {
    list.forEach((element) => {
      if (!isJSONObject(element)) throw StrategicMergePatchError.badArgType({}, element, path);
    });
    candidates = list.filter((element) => !isDeleteDirective(element));
  }
  let i = 0;
  let j = 0;
  while (i < candidates.length && j < order.length) {
    const element = candidates[i] as JSONValue;
    if (isJSONObject(element) && hasKey(element, DIRECTIVE_MARKER)) {
      i++;
      continue;
    }
    if (sameElement(element, order[j] as JSONValue, mergeKey, path)) i++;
    j++;
  }
  if (i < candidates.length && j >= order.length)
    throw StrategicMergePatchError.setElementOrderMismatch(list, order, path);
}

function sameElement(left: JSONValue, right: JSONValue, mergeKey: string, path: string): boolean {
  if (mergeKey === "") return left === right;
  if (!isJSONObject(left)) throw StrategicMergePatchError.badArgType({}, left, path);
  if (!isJSONObject(right)) throw StrategicMergePatchError.badArgType({}, right, path);
  if (!hasKey(left, mergeKey)) throw StrategicMergePatchError.noMergeKey(left, mergeKey, path);
  if (!hasKey(right, mergeKey)) throw StrategicMergePatchError.noMergeKey(right, mergeKey, path);
  return left[mergeKey] === right[mergeKey];
}

/**
 * A list field: merged when the strategy is merge (or for `$deleteFromPrimitiveList`),
 * replaced otherwise. `live` is the live list's order as Kubernetes sees it afterwards.
 */
export function mergeListField(
  original: JSONValue[],
  patch: JSONValue[],
  field: FieldPatchInfo,
  isDeleteList: boolean,
  options: MergeOptions,
  path: string,
): { merged: JSONValue[]; live: JSONValue[] } {
  if (field.meta.strategy !== "merge" && !isDeleteList) return { merged: patch, live: original };
  if (original.length === 0 && patch.length === 0) return { merged: original, live: original };
  const kind = elementKind([original, patch], path);
  if (kind !== "object") {
    if (options.mergeParallelList && isDeleteList) {
      const doomed = new Set<unknown>(patch);
      return { merged: original.filter((element) => !doomed.has(element)), live: original };
    }
    const union = uniqueScalars([...original, ...patch]);
    const { present, absent } = partitionByPresence(union, patch, "", path);
    return { merged: normalizeElementOrder(present, absent, patch, original, "", kind, path), live: original };
  }
  const mergeKey = field.meta.mergeKey;
  if (mergeKey === "") throw StrategicMergePatchError.noMergeKeyDeclared(path);
  return mergeListOfMaps(original, patch, field.schema, mergeKey, options, path);
}

function mergeListOfMaps(
  original: JSONValue[],
  patch: JSONValue[],
  itemSchema: StrategicMergeSchema | undefined,
  mergeKey: string,
  options: MergeOptions,
  path: string,
): { merged: JSONValue[]; live: JSONValue[] } {
  // Directive elements first: deletions by merge key, and `$patch: replace` for the whole list.
  let survivors = original as JSONObject[];
  let deleted = 0;
  let replace = false;
  const plain: JSONObject[] = [];
  for (const element of patch as JSONObject[]) {
    if (!hasKey(element, DIRECTIVE_MARKER)) {
      plain.push(element);
      continue;
    }
    const directive = element[DIRECTIVE_MARKER];
    if (directive === "delete") {
      if (!hasKey(element, mergeKey)) throw StrategicMergePatchError.noMergeKey(element, mergeKey, path);
      const before = survivors.length;
      survivors = survivors.filter((item) => !(hasKey(item, mergeKey) && item[mergeKey] === element[mergeKey]));
      deleted += before - survivors.length;
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      throw StrategicMergePatchError.mergeDirectiveInList(path);
    } else {
      throw StrategicMergePatchError.badPatchType(directive, element, path);
    }
  }
  const base = replace ? plain : survivors;
  const toMerge = replace ? [] : plain;

  const merged: JSONValue[] = [...base];
  const appended: JSONValue[] = [];
  for (const element of toMerge) {
    if (!hasKey(element, mergeKey)) throw StrategicMergePatchError.noMergeKey(element, mergeKey, path);
    const value = element[mergeKey];
    const at = merged.findIndex(
      (item) => hasKey(item as JSONObject, mergeKey) && (item as JSONObject)[mergeKey] === value,
    );
    if (at >= 0) {
      const elementPath = `${path}[${mergeKey}=${String(value)}]`;
      merged[at] = mergeMap(merged[at] as JSONObject, element, itemSchema, options, elementPath);
    } else {
      merged.push(element);
      appended.push(element);
    }
  }
  const { present, absent } = partitionByPresence(merged, toMerge, mergeKey, path);
  const ordered = normalizeElementOrder(present, absent, toMerge, base, mergeKey, "object", path);
  // Kubernetes deletes and appends in place in the live list's backing array, so a later
  // $setElementOrder pass sees the survivors followed by as many appended elements as were deleted.
  const live = replace ? survivors : [...survivors, ...appended.slice(0, deleted)];
  return { merged: ordered, live };
}

/** Duplicates removed, first occurrence kept. */
function uniqueScalars(list: JSONValue[]): JSONValue[] {
  return [...new Set(list)];
}
