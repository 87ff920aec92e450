import { isJSONObject, type JSONValue } from "../../json/json.js";
import { FieldSet } from "../fieldpath/field-set.js";
import { fieldElement, type PathElement, serializePathElement } from "../fieldpath/path-element.js";
import { indexListItems } from "./list-items.js";
import { effectiveType, elementOf, fieldOf, fitsType, type TypeNode } from "./schema.js";

/**
 * The fields a value sets (structured-merge-diff's ToFieldSet): every leaf (a scalar, an atomic
 * list or map), every element of an associative list, and every map key the schema does not
 * declare; a declared field holding a map or list is not itself a member.
 * `unique` refuses duplicate list keys, as Kubernetes does for an applied configuration.
 */
export function toFieldSet(value: JSONValue, type: TypeNode, unique = false): FieldSet {
  const set = new FieldSet();
  walk(value, type, [], set, unique);
  return set;
}

function walk(value: JSONValue, declared: TypeNode, path: PathElement[], set: FieldSet, unique: boolean): void {
  const type = effectiveType(declared, value);
  if (type.kind === "scalar" || type.kind === "deduced" || !fitsType(type, value) || type.atomic) {
    set.insert(path);
    return;
  }
  if (type.kind === "list") {
    if (!Array.isArray(value)) return;
    const { order, byKey } = indexListItems(type, value, path, unique);
    const element = elementOf(type);
    for (const pe of order) {
      const itemPath = [...path, pe];
      walk(byKey.get(serializePathElement(pe)) as JSONValue, element, itemPath, set, unique);
      set.insert(itemPath);
    }
    return;
  }
  if (!isJSONObject(value)) return;
  for (const key of Object.keys(value)) {
    const field = fieldOf(type, key);
    const fieldPath = [...path, fieldElement(key)];
    walk(value[key] as JSONValue, field.type, fieldPath, set, unique);
    if (!field.declared) set.insert(fieldPath);
  }
}
