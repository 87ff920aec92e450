import { StrategicMergePatchError } from "../errors/strategic-merge-patch-error.js";
import { hasKey, isJSONObject, type JSONKind, type JSONValue, jsonKind } from "../json/json.js";
import { DIRECTIVE_MARKER } from "./directives.js";

// Order of merged lists (design proposal "preserve order in strategic merge patch"):
// $setElementOrder > order in the patch list > order in the live list.

/** The one JSON kind of all elements of the given lists (apimachinery's sliceElementType). */
export function elementKind(lists: JSONValue[][], path: string): JSONKind | undefined {
  let kind: JSONKind | undefined;
  for (const list of lists) {
    for (const element of list) {
      const current = jsonKind(element);
      if (kind === undefined) {
        if (current === "array") throw StrategicMergePatchError.noListOfLists(path);
        kind = current;
      } else if (current !== kind) {
        throw StrategicMergePatchError.elementTypesNotIdentical(lists, path);
      }
    }
  }
  return kind;
}

/** What identifies an element: its merge key's value in a list of maps, itself otherwise. */
function identity(element: JSONValue, mergeKey: string, kind: JSONKind | undefined): unknown {
  if (kind !== "object") return element;
  // Go reads a missing key as nil, so a missing key and an explicit null look alike.
  return isJSONObject(element) && hasKey(element, mergeKey) ? element[mergeKey] : null;
}

/** First position of each identity in `list`. */
function positions(list: JSONValue[], mergeKey: string, kind: JSONKind | undefined): Map<unknown, number> {
  const index = new Map<unknown, number>();
  list.forEach((element, i) => {
    const id = identity(element, mergeKey, kind);
    if (!index.has(id)) index.set(id, i);
  });
  return index;
}

/** Every element must be a map holding the merge key. */
export function requireMergeKeys(mergeKey: string, lists: JSONValue[][], path: string): void {
  for (const list of lists) {
    for (const element of list) {
      if (!isJSONObject(element)) throw StrategicMergePatchError.badArgType({}, element, path);
      if (!hasKey(element, mergeKey)) throw StrategicMergePatchError.noMergeKey(element, mergeKey, path);
    }
  }
}

export function isDeleteDirective(element: JSONValue): boolean {
  return isJSONObject(element) && element[DIRECTIVE_MARKER] === "delete";
}

/** Stable sort of `toSort` by position in `order`; `$patch: delete` elements go last. */
function sortByOrder(
  toSort: JSONValue[],
  order: JSONValue[],
  mergeKey: string,
  kind: JSONKind | undefined,
  path: string,
): JSONValue[] {
  let kept = toSort;
  let deletions: JSONValue[] = [];
  if (kind === "object") {
    requireMergeKeys(mergeKey, [toSort, order], path);
    kept = toSort.filter((element) => !isDeleteDirective(element));
    deletions = toSort.filter(isDeleteDirective);
  }
  const index = positions(order, mergeKey, kind);
  const rank = (element: JSONValue) => index.get(identity(element, mergeKey, kind)) ?? Number.POSITIVE_INFINITY;
  const sorted = kept
    .map((element, i) => ({ element, i, rank: rank(element) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((entry) => entry.element);
  return sorted.concat(deletions);
}

/**
 * Interleaves server-only elements with the patch's elements: a server-only element goes
 * first only when both are in the live list and it stands before the patch element there.
 */
function interleave(
  serverOnly: JSONValue[],
  fromPatch: JSONValue[],
  liveIndex: Map<unknown, number>,
  mergeKey: string,
  kind: JSONKind | undefined,
): JSONValue[] {
  const merged: JSONValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (i >= serverOnly.length) merged.push(fromPatch[j++] as JSONValue);
    else if (j >= fromPatch.length) merged.push(serverOnly[i++] as JSONValue);
    else {
      const left = liveIndex.get(identity(serverOnly[i] as JSONValue, mergeKey, kind));
      const right = liveIndex.get(identity(fromPatch[j] as JSONValue, mergeKey, kind));
      if (left !== undefined && right !== undefined && left < right) merged.push(serverOnly[i++] as JSONValue);
      else merged.push(fromPatch[j++] as JSONValue);
    }
  }
  return merged;
}

/**
 * apimachinery's normalizeElementOrder: `fromPatch` sorted by `patchOrder`, `serverOnly` by
 * the live list `liveOrder`, then interleaved.
 */
export function normalizeElementOrder(
  fromPatch: JSONValue[],
  serverOnly: JSONValue[],
  patchOrder: JSONValue[],
  liveOrder: JSONValue[],
  mergeKey: string,
  kind: JSONKind | undefined,
  path: string,
): JSONValue[] {
  const patchSorted = sortByOrder(fromPatch, patchOrder, mergeKey, kind, path);
  const serverSorted = sortByOrder(serverOnly, liveOrder, mergeKey, kind, path);
  return interleave(serverSorted, patchSorted, positions(liveOrder, mergeKey, kind), mergeKey, kind);
}

/** Splits `list` into the elements present in `by` (by merge key, or by value) and the rest. */
export function partitionByPresence(
  list: JSONValue[],
  by: JSONValue[],
  mergeKey: string,
  path: string,
): { present: JSONValue[]; absent: JSONValue[] } {
  const present: JSONValue[] = [];
  const absent: JSONValue[] = [];
  if (mergeKey === "") {
    const members = new Set<unknown>(by);
    for (const element of list) (members.has(element) ? present : absent).push(element);
    return { present, absent };
  }
  const keys = new Set<unknown>();
  by.forEach((element, i) => {
    if (!isJSONObject(element)) throw StrategicMergePatchError.notAMap(i, path);
    if (hasKey(element, mergeKey)) keys.add(element[mergeKey]);
  });
  for (const element of list) {
    if (!isJSONObject(element)) throw StrategicMergePatchError.badArgType({}, element, path);
    if (!hasKey(element, mergeKey)) throw StrategicMergePatchError.noMergeKey(element, mergeKey, path);
    (keys.has(element[mergeKey]) ? present : absent).push(element);
  }
  return { present, absent };
}
