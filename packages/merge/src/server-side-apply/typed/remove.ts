import { isJSONObject, type JSONValue, newObject } from "../../json/json.js";
import type { FieldSet } from "../fieldpath/field-set.js";
import { fieldElement, type PathElement } from "../fieldpath/path-element.js";
import { listItemElement } from "./list-items.js";
import { effectiveType, elementOf, fieldOf, fitsType, type TypeNode } from "./schema.js";

/**
 * A copy of `value` without the members of `remove` (structured-merge-diff's RemoveItems):
 * a member map key or list element goes with everything below it. A map or list left with
 * nothing becomes null, as in Kubernetes.
 */
export function removeItems(value: JSONValue, remove: FieldSet, type: TypeNode): JSONValue {
  return walk(value, remove, type, []);
}

function walk(value: JSONValue, remove: FieldSet, declared: TypeNode, path: PathElement[]): JSONValue {
  const type = effectiveType(declared, value);
  if (type.kind === "scalar" || type.kind === "deduced" || !fitsType(type, value) || type.atomic) return value;
  if (type.kind === "list") {
    if (!Array.isArray(value) || value.length === 0) return value;
    const element = elementOf(type);
    const out: JSONValue[] = [];
    value.forEach((item, index) => {
      const pe = listItemElement(type, item, index, path);
      if (remove.hasMember(pe)) return;
      const below = remove.withPrefix(pe);
      out.push(below.isEmpty() ? item : walk(item, below, element, [...path, pe]));
    });
    return out.length > 0 ? out : null;
  }
  if (!isJSONObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 0) return value;
  const out = newObject();
  let any = false;
  for (const key of keys) {
    const pe = fieldElement(key);
    if (remove.hasMember(pe)) continue;
    const below = remove.withPrefix(pe);
    const child = value[key] as JSONValue;
    out[key] = below.isEmpty() ? child : walk(child, below, fieldOf(type, key).type, [...path, pe]);
    any = true;
  }
  return any ? out : null;
}
