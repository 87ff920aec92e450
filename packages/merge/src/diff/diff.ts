import {
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
  DIRECTIVE_MARKER,
  RETAIN_KEYS_DIRECTIVE,
  SET_ELEMENT_ORDER_PREFIX,
} from "../apply/directives.js";
import { elementKind, normalizeElementOrder, requireMergeKeys } from "../apply/element-order.js";
import { childPath } from "../apply/merge.js";
import { StrategicMergePatchError } from "../errors/strategic-merge-patch-error.js";
import { compareGoStrings, goValue } from "../json/go-format.js";
import {
  hasKey,
  isJSONObject,
  type JSONKind,
  type JSONObject,
  type JSONValue,
  jsonEqual,
  jsonKind,
  newObject,
} from "../json/json.js";
import { lookupField, lookupListField } from "../schema/patch-meta.js";
import type { StrategicMergeSchema } from "../schema/structural-schema.js";

// The diff half of apimachinery's strategicpatch (diffMaps and friends), as kubectl runs it.

export interface DiffOptions {
  /** Emit `$setElementOrder/<field>` for merging lists. */
  readonly setElementOrder?: boolean;
  /** Leave out additions and changes (the deletions half of a three-way patch). */
  readonly ignoreChangesAndAdditions?: boolean;
  /** Leave out deletions (the changes half of a three-way patch). */
  readonly ignoreDeletions?: boolean;
  /** Emit `$retainKeys` for this map (its field has the retainKeys strategy). */
  readonly buildRetainKeys?: boolean;
}

/** The patch that turns `original` into `modified`, per `options`. */
export function diffMaps(
  original: JSONObject,
  modified: JSONObject,
  schema: StrategicMergeSchema | undefined,
  options: DiffOptions,
  path: string,
): JSONObject {
  const patch = newObject();
  const retained: string[] = [];
  for (const key of Object.keys(modified)) {
    const modifiedValue = modified[key] as JSONValue;
    if (options.buildRetainKeys && modifiedValue !== null) retained.push(key);
    if (!hasKey(original, key)) {
      if (!options.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    const originalValue = original[key] as JSONValue;
    if (key === DIRECTIVE_MARKER) {
      if (typeof originalValue !== "string" || typeof modifiedValue !== "string") {
        throw StrategicMergePatchError.invalidDirectiveValue(path);
      }
      if (originalValue !== modifiedValue) patch[key] = modifiedValue;
      continue;
    }
    if (jsonKind(originalValue) !== jsonKind(modifiedValue)) {
      if (!options.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    const fieldPath = childPath(path, key);
    if (isJSONObject(originalValue)) {
      diffMapField(key, originalValue, modifiedValue as JSONObject, patch, schema, options, fieldPath);
    } else if (Array.isArray(originalValue)) {
      diffListField(key, originalValue, modifiedValue as JSONValue[], patch, schema, options, fieldPath);
    } else if (!options.ignoreChangesAndAdditions && originalValue !== modifiedValue) {
      patch[key] = modifiedValue;
    }
  }
  if (!options.ignoreDeletions) {
    for (const key of Object.keys(original)) {
      if (!hasKey(modified, key)) patch[key] = null;
    }
  }
  if (retained.length > 0 && (Object.keys(patch).length > 0 || hasFieldToClear(original, modified))) {
    patch[RETAIN_KEYS_DIRECTIVE] = sortScalars(retained);
  }
  return patch;
}

function hasFieldToClear(original: JSONObject, modified: JSONObject): boolean {
  return Object.keys(original).some((key) => original[key] !== null && !hasKey(modified, key));
}

function diffMapField(
  key: string,
  original: JSONObject,
  modified: JSONObject,
  patch: JSONObject,
  schema: StrategicMergeSchema | undefined,
  options: DiffOptions,
  path: string,
): void {
  const field = lookupField(schema, key, path);
  if (field.meta.strategy === "replace") {
    // Kubernetes sends a replaced map whether or not it changed.
    if (!options.ignoreChangesAndAdditions) patch[key] = modified;
    return;
  }
  const nested = diffMaps(
    original,
    modified,
    field.schema,
    { ...options, buildRetainKeys: field.meta.retainKeys },
    path,
  );
  if (Object.keys(nested).length > 0) patch[key] = nested;
}

function diffListField(
  key: string,
  original: JSONValue[],
  modified: JSONValue[],
  patch: JSONObject,
  schema: StrategicMergeSchema | undefined,
  options: DiffOptions,
  path: string,
): void {
  const field = lookupListField(schema, key, path);
  if (field.meta.strategy !== "merge") {
    if (!options.ignoreChangesAndAdditions && !jsonEqual(original, modified)) patch[key] = modified;
    return;
  }
  const listOptions = { ...options, buildRetainKeys: field.meta.retainKeys };
  const { changes, deletions, order } = diffLists(
    original,
    modified,
    field.schema,
    field.meta.mergeKey,
    listOptions,
    path,
  );
  if (changes.length > 0) patch[key] = changes;
  if (deletions.length > 0) patch[`${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/${key}`] = deletions;
  if (order.length > 0) patch[`${SET_ELEMENT_ORDER_PREFIX}/${key}`] = order;
}

interface ListDiff {
  /** The patch list: changed and added elements, then `$patch: delete` elements. */
  changes: JSONValue[];
  /** Primitives removed (the `$deleteFromPrimitiveList` list). */
  deletions: JSONValue[];
  /** The `$setElementOrder` list. */
  order: JSONValue[];
}

function diffLists(
  original: JSONValue[],
  modified: JSONValue[],
  itemSchema: StrategicMergeSchema | undefined,
  mergeKey: string,
  options: DiffOptions,
  path: string,
): ListDiff {
  if (original.length === 0) {
    const changes = modified.length === 0 || options.ignoreChangesAndAdditions ? [] : modified;
    return { changes, deletions: [], order: [] };
  }
  const kind = elementKind([original, modified], path);
  if (kind === "object") {
    const { changes, deletions } = diffListsOfMaps(original, modified, itemSchema, mergeKey, options, path);
    const patchList = sortLike(changes, modified, mergeKey, kind, path).concat(deletions);
    const orderChanged = !sameOrder(original, modified, mergeKey, path);
    const wanted =
      options.setElementOrder &&
      ((!options.ignoreChangesAndAdditions && (patchList.length > 0 || orderChanged)) ||
        (!options.ignoreDeletions && patchList.length > 0));
    const order = wanted ? modified.map((element) => keyOnly(element as JSONObject, mergeKey)) : [];
    return { changes: patchList, deletions: [], order };
  }
  const { additions, deletions } = diffListsOfScalars(original, modified, options);
  const wanted =
    options.setElementOrder &&
    ((!options.ignoreDeletions && deletions.length > 0) ||
      (!options.ignoreChangesAndAdditions && !jsonEqual(original, modified)));
  return { changes: sortLike(additions, modified, "", kind, path), deletions, order: wanted ? modified : [] };
}

function keyOnly(element: JSONObject, mergeKey: string): JSONObject {
  const entry = newObject();
  entry[mergeKey] = element[mergeKey] as JSONValue;
  return entry;
}

/** `list` in the order its elements have in `order` (delete directives last). */
function sortLike(
  list: JSONValue[],
  order: JSONValue[],
  mergeKey: string,
  kind: JSONKind | undefined,
  path: string,
): JSONValue[] {
  return normalizeElementOrder(list, [], order, [], mergeKey, kind, path);
}

function sameOrder(original: JSONValue[], modified: JSONValue[], mergeKey: string, path: string): boolean {
  if (original.length !== modified.length) return false;
  requireMergeKeys(mergeKey, [original, modified], path);
  return original.every((element, i) => (element as JSONObject)[mergeKey] === (modified[i] as JSONObject)[mergeKey]);
}

/** How Go's `%v` prints an element's identity; diffs walk lists sorted by it. */
function sortKey(value: JSONValue | undefined): string {
  return goValue(value);
}

/** Scalars in the order of their Go `%v` text, as Kubernetes sorts them before diffing. */
export function sortScalars<T extends JSONValue>(list: T[]): T[] {
  return list
    .map((value) => ({ value, key: sortKey(value) }))
    .sort((a, b) => compareGoStrings(a.key, b.key))
    .map((entry) => entry.value);
}

function diffListsOfScalars(
  original: JSONValue[],
  modified: JSONValue[],
  options: DiffOptions,
): { additions: JSONValue[]; deletions: JSONValue[] } {
  const before = sortScalars(original);
  const after = sortScalars(modified);
  const additions: JSONValue[] = [];
  const deletions: JSONValue[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const cmp =
      i >= before.length ? 1 : j >= after.length ? -1 : compareGoStrings(sortKey(before[i]), sortKey(after[j]));
    if (cmp === 0) {
      i++;
      j++;
    } else if (cmp > 0) {
      if (!options.ignoreChangesAndAdditions) additions.push(after[j] as JSONValue);
      j++;
    } else {
      if (!options.ignoreDeletions) deletions.push(before[i] as JSONValue);
      i++;
    }
  }
  return { additions, deletions: [...new Set(deletions)] };
}

function diffListsOfMaps(
  original: JSONValue[],
  modified: JSONValue[],
  itemSchema: StrategicMergeSchema | undefined,
  mergeKey: string,
  options: DiffOptions,
  path: string,
): { changes: JSONValue[]; deletions: JSONValue[] } {
  const before = sortByMergeKey(original, mergeKey, path);
  const after = sortByMergeKey(modified, mergeKey, path);
  const changes: JSONValue[] = [];
  const deletions: JSONValue[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const left = before[i];
    const right = after[j];
    const cmp = left === undefined ? 1 : right === undefined ? -1 : compareGoStrings(left.key, right.key);
    if (cmp === 0 && left !== undefined && right !== undefined) {
      const elementPath = `${path}[${mergeKey}=${left.key}]`;
      const nested = diffMaps(left.element, right.element, itemSchema, options, elementPath);
      if (Object.keys(nested).length > 0) {
        nested[mergeKey] = right.value;
        changes.push(nested);
      }
      i++;
      j++;
    } else if (cmp > 0 && right !== undefined) {
      if (!options.ignoreChangesAndAdditions) changes.push(right.element);
      j++;
    } else if (left !== undefined) {
      if (!options.ignoreDeletions) {
        const directive = newObject();
        directive[mergeKey] = left.value;
        directive[DIRECTIVE_MARKER] = "delete";
        deletions.push(directive);
      }
      i++;
    }
  }
  return { changes, deletions };
}

interface KeyedElement {
  element: JSONObject;
  value: JSONValue;
  key: string;
}

function sortByMergeKey(list: JSONValue[], mergeKey: string, path: string): KeyedElement[] {
  elementKind([list], path);
  const keyed = list.map((element) => {
    if (!isJSONObject(element)) throw StrategicMergePatchError.badArgType({}, element, path);
    if (!hasKey(element, mergeKey)) throw StrategicMergePatchError.noMergeKey(element, mergeKey, path);
    const value = element[mergeKey] as JSONValue;
    return { element, value, key: sortKey(value) };
  });
  return keyed
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => compareGoStrings(a.entry.key, b.entry.key) || a.i - b.i)
    .map(({ entry }) => entry);
}
