import { cloneIn, isJSONObject, type JSONObject, type JSONValue, newObject } from "../../json/json.js";
import { fieldElement, type PathElement, pathElementsEqual, serializePathElement } from "../fieldpath/path-element.js";
import { pairType } from "./compare.js";
import { indexListItems } from "./list-items.js";
import { elementOf, fieldOf, type ListType, type TypeNode } from "./schema.js";

/**
 * Merges an applied configuration into a live value (structured-merge-diff's Merge with
 * keep-right-hand-side leaves): granular maps merge key by key, associative lists element by
 * element, everything else (scalars, atomic lists and maps) is taken from the configuration.
 * Results are prototype-less working copies. Duplicate keys in the configuration are refused.
 */
export function merge(lhs: JSONValue | undefined, rhs: JSONValue | undefined, type: TypeNode): JSONValue | undefined {
  return walk(lhs, rhs, type, []);
}

function walk(
  lhs: JSONValue | undefined,
  rhs: JSONValue | undefined,
  declared: TypeNode,
  path: PathElement[],
): JSONValue | undefined {
  const type = pairType(declared, lhs, rhs);
  const keep = () => cloneIn((rhs !== undefined ? rhs : lhs) as JSONValue);
  if (type === undefined || type.kind === "scalar" || type.kind === "deduced" || type.atomic) return keep();
  if (type.kind === "list") {
    const left = Array.isArray(lhs) ? lhs : [];
    const right = Array.isArray(rhs) ? rhs : [];
    if (left.length === 0 && right.length === 0) return keep();
    const out = mergeList(type, left, right, path);
    return out.length > 0 ? out : undefined;
  }
  const left: JSONObject = isJSONObject(lhs) ? lhs : {};
  const right: JSONObject = isJSONObject(rhs) ? rhs : {};
  if (Object.keys(left).length === 0 && Object.keys(right).length === 0) return keep();
  const out = newObject();
  let any = false;
  for (const key of Object.keys(left)) {
    const child = Object.hasOwn(right, key) ? (right[key] as JSONValue) : undefined;
    const merged = walk(left[key] as JSONValue, child, fieldOf(type, key).type, [...path, fieldElement(key)]);
    if (merged !== undefined) {
      out[key] = merged;
      any = true;
    }
  }
  for (const key of Object.keys(right)) {
    if (Object.hasOwn(left, key)) continue;
    const merged = walk(undefined, right[key] as JSONValue, fieldOf(type, key).type, [...path, fieldElement(key)]);
    if (merged !== undefined) {
      out[key] = merged;
      any = true;
    }
  }
  return any ? out : undefined;
}

/**
 * Element order of a merged associative list, as structured-merge-diff orders it: the
 * configuration's order for the elements it names, with live-only elements kept where they
 * stood relative to the shared ones.
 */
function mergeList(type: ListType, lhs: JSONValue[], rhs: JSONValue[], path: PathElement[]): JSONValue[] {
  const r = indexListItems(type, rhs, path, true);
  const l = indexListItems(type, lhs, path, true);
  const element = elementOf(type);
  const out: JSONValue[] = [];
  const push = (pe: PathElement, left: JSONValue | undefined, right: JSONValue | undefined) => {
    const merged = walk(left, right, element, [...path, pe]);
    if (merged !== undefined) out.push(merged);
  };
  const inRight = (pe: PathElement) => r.byKey.has(serializePathElement(pe));
  const shared = r.order.filter((pe) => l.byKey.has(serializePathElement(pe)));
  let next = shared.shift();
  let li = 0;
  let ri = 0;
  while (li < l.order.length || ri < r.order.length) {
    const lpe = l.order[li];
    const rpe = r.order[ri];
    if (lpe !== undefined && rpe !== undefined) {
      if (pathElementsEqual(lpe, rpe)) {
        push(lpe, l.byKey.get(serializePathElement(lpe)), r.byKey.get(serializePathElement(rpe)));
        li++;
        ri++;
        next = shared.shift();
        continue;
      }
      if (inRight(lpe) && next !== undefined && !pathElementsEqual(next, lpe)) {
        // A shared element the configuration places later: it is emitted when the configuration reaches it.
        li++;
        continue;
      }
    }
    if (lpe !== undefined && !inRight(lpe)) {
      push(lpe, l.byKey.get(serializePathElement(lpe)), undefined);
      li++;
      continue;
    }
    if (rpe === undefined) {
      li++; // unreachable by the invariants above; guards against looping forever
      continue;
    }
    const key = serializePathElement(rpe);
    push(rpe, l.byKey.get(key), r.byKey.get(key));
    ri++;
    if (next !== undefined && pathElementsEqual(next, rpe)) next = shared.shift();
  }
  return out;
}
