import { FieldSet } from "../fieldpath/field-set.js";
import type { PathElement } from "../fieldpath/path-element.js";
import { elementOf, fieldTypeOf, type TypeNode } from "./schema.js";

/**
 * Ownership recorded under an older schema, brought in line with the current one
 * (structured-merge-diff's ReconcileFieldSetWithSchema): a map or list that became atomic is
 * owned as one field by every manager that owned anything inside it. The other direction is
 * left alone, as upstream leaves it: a field that became granular stays owned as a whole by
 * whoever owned it, and its new subfields go to whoever writes them. Fields the schema does not
 * describe (x-kubernetes-preserve-unknown-fields) are not reconciled. Undefined when nothing changes.
 */
export function reconcileFieldSetWithSchema(set: FieldSet, root: TypeNode): FieldSet | undefined {
  const atomic: PathElement[][] = [];
  visit(set, root, [], atomic);
  if (atomic.length === 0) return undefined;
  const replaced = FieldSet.of(...atomic);
  return set.recursiveDifference(replaced).union(replaced);
}

/**
 * `set` (not empty) holds what is owned below `path`; paths that must become one owned field
 * are collected in `atomic`. A field owned whole (a member with nothing below it) is not
 * visited: it is owned the way an atomic field is.
 */
function visit(set: FieldSet, type: TypeNode, path: PathElement[], atomic: PathElement[][]): void {
  if (type.kind === "scalar" || type.kind === "deduced") return;
  if (type.atomic) {
    // Granular before, atomic now: owning anything inside means owning the whole. The root is never atomic.
    if (path.length > 0) atomic.push(path);
    return;
  }
  if (type.kind === "map" && type.schema === undefined) return;
  const childType = (element: PathElement): TypeNode | undefined =>
    type.kind === "list" ? elementOf(type) : element.kind === "field" ? fieldTypeOf(type, element.name) : undefined;
  for (const { element, set: below } of set.children()) {
    const child = childType(element);
    if (child !== undefined) visit(below, child, [...path, element], atomic);
  }
}
