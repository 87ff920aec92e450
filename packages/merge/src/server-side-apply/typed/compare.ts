import { isJSONObject, type JSONObject, type JSONValue, jsonEqual } from "../../json/json.js";
import { FieldSet } from "../fieldpath/field-set.js";
import { fieldElement, type PathElement, serializePathElement } from "../fieldpath/path-element.js";
import { indexListItems } from "./list-items.js";
import { effectiveType, elementOf, fieldOf, fitsType, type TypeNode } from "./schema.js";

/** What changed from one value to another (structured-merge-diff's Comparison); no path is in two sets. */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/**
 * Compares two values of a type: leaves that differ are modified; a map or list that appears
 * or disappears is itself added or removed, along with everything in it.
 */
export function compare(lhs: JSONValue, rhs: JSONValue, type: TypeNode): Comparison {
  const comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walk(lhs, rhs, type, [], comparison);
  return comparison;
}

export function isSame(comparison: Comparison): boolean {
  return comparison.added.isEmpty() && comparison.modified.isEmpty() && comparison.removed.isEmpty();
}

/** Removes `fields` and everything below them from every part of a comparison. */
export function excludeFields(comparison: Comparison, fields: FieldSet | undefined): Comparison {
  if (fields === undefined || fields.isEmpty()) return comparison;
  return {
    added: comparison.added.recursiveDifference(fields),
    modified: comparison.modified.recursiveDifference(fields),
    removed: comparison.removed.recursiveDifference(fields),
  };
}

/** The type both sides are walked with, or undefined when they cannot be (a leaf). */
export function pairType(
  declared: TypeNode,
  lhs: JSONValue | undefined,
  rhs: JSONValue | undefined,
): TypeNode | undefined {
  const left = lhs === undefined ? undefined : effectiveType(declared, lhs);
  const right = rhs === undefined ? undefined : effectiveType(declared, rhs);
  if (left !== undefined && right !== undefined && left !== right) return undefined;
  const type = (left ?? right) as TypeNode;
  if (lhs !== undefined && !fitsType(type, lhs)) return undefined;
  if (rhs !== undefined && !fitsType(type, rhs)) return undefined;
  return type;
}

function walk(
  lhs: JSONValue | undefined,
  rhs: JSONValue | undefined,
  declared: TypeNode,
  path: PathElement[],
  out: Comparison,
): void {
  const type = pairType(declared, lhs, rhs);
  if (type === undefined || type.kind === "scalar" || type.kind === "deduced" || type.atomic) {
    leaf(lhs, rhs, path, out);
    return;
  }
  if (type.kind === "list") {
    const left = Array.isArray(lhs) ? lhs : [];
    const right = Array.isArray(rhs) ? rhs : [];
    if (left.length === 0 && right.length === 0) {
      leaf(lhs, rhs, path, out);
      return;
    }
    const l = indexListItems(type, left, path, false);
    const r = indexListItems(type, right, path, false);
    const element = elementOf(type);
    for (const pe of r.order) {
      const key = serializePathElement(pe);
      walk(l.byKey.get(key), r.byKey.get(key), element, [...path, pe], out);
    }
    for (const pe of l.order) {
      const key = serializePathElement(pe);
      if (!r.byKey.has(key)) walk(l.byKey.get(key), undefined, element, [...path, pe], out);
    }
  } else {
    const left: JSONObject = isJSONObject(lhs) ? lhs : {};
    const right: JSONObject = isJSONObject(rhs) ? rhs : {};
    const leftKeys = Object.keys(left);
    const rightKeys = Object.keys(right);
    if (leftKeys.length === 0 && rightKeys.length === 0) {
      leaf(lhs, rhs, path, out);
      return;
    }
    for (const key of leftKeys) {
      const child = Object.hasOwn(right, key) ? (right[key] as JSONValue) : undefined;
      walk(left[key] as JSONValue, child, fieldOf(type, key).type, [...path, fieldElement(key)], out);
    }
    for (const key of rightKeys) {
      if (!Object.hasOwn(left, key))
        walk(undefined, right[key] as JSONValue, fieldOf(type, key).type, [...path, fieldElement(key)], out);
    }
  }
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
}

function leaf(lhs: JSONValue | undefined, rhs: JSONValue | undefined, path: PathElement[], out: Comparison): void {
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
  else if (!jsonEqual(lhs, rhs)) out.modified.insert(path);
}
