import { FieldSet } from "../fieldpath/field-set.js";
import type { PathElement } from "../fieldpath/path-element.js";
import { elementOf, fieldOf, type TypeNode } from "./schema.js";

/**
 * `set` plus every schema-declared field that has members below it (structured-merge-diff's
 * EnsureNamedFieldsAreMembers), so that pruning a manager's last applied fields also removes
 * the struct fields it emptied.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, type: TypeNode | undefined): FieldSet {
  const out = new FieldSet();
  for (const member of set.members()) out.insert([member]);
  for (const { element, set: below } of set.children()) {
    const childType = typeBelow(type, element);
    if (element.kind === "field" && type?.kind === "map" && fieldOf(type, element.name).declared) out.insert([element]);
    const expanded = ensureNamedFieldsAreMembers(below, childType);
    for (const path of expanded.paths()) out.insert([element, ...path]);
  }
  return out;
}

function typeBelow(type: TypeNode | undefined, element: PathElement): TypeNode | undefined {
  if (type === undefined) return undefined;
  if (element.kind === "field" && type.kind === "map") return fieldOf(type, element.name).type;
  if (element.kind === "key" && type.kind === "list") return elementOf(type);
  return undefined;
}
