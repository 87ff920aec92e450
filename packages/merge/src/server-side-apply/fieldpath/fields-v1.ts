import { isJSONObject, type JSONObject, type JSONValue, setOwn } from "../../json/json.js";
import { ServerSideApplyError } from "../errors.js";
import { FieldSet } from "./field-set.js";
import { comparePathElements, deserializePathElement, type PathElement, serializePathElement } from "./path-element.js";

/**
 * FieldsV1, the JSON form of a field set in metadata.managedFields: each key a path element
 * (`f:`, `k:`, `v:`, `i:`), `{}` for a member with no children, and `".": {}` for a member
 * that also has children. Keys come in Kubernetes' order, so equal sets encode identically.
 */
export function fieldSetToFieldsV1(set: FieldSet): JSONObject {
  return emit(set, false);
}

function emit(set: FieldSet, includeSelf: boolean): JSONObject {
  const out: JSONObject = {};
  const children = set.children();
  const members = set.members();
  if (includeSelf && (members.length > 0 || children.length > 0)) out["."] = {};
  const entries: { element: PathElement; member: boolean; child: FieldSet | undefined }[] = [];
  let m = 0;
  let c = 0;
  while (m < members.length || c < children.length) {
    const member = members[m];
    const child = children[c];
    const order = member === undefined ? 1 : child === undefined ? -1 : comparePathElements(member, child.element);
    if (order < 0) {
      entries.push({ element: member as PathElement, member: true, child: undefined });
      m++;
    } else if (order > 0) {
      entries.push({ element: (child as { element: PathElement }).element, member: false, child: child?.set });
      c++;
    } else {
      entries.push({ element: member as PathElement, member: true, child: child?.set });
      m++;
      c++;
    }
  }
  for (const entry of entries) {
    setOwn(out, serializePathElement(entry.element), entry.child === undefined ? {} : emit(entry.child, entry.member));
  }
  return out;
}

/** Parses a FieldsV1 document; unknown path-element prefixes are skipped as Kubernetes skips them. */
export function fieldsV1ToFieldSet(fields: JSONValue): FieldSet {
  if (!isJSONObject(fields)) throw new ServerSideApplyError("InvalidManagedFields", "FieldsV1 must be a JSON object");
  const set = new FieldSet();
  read(fields, [], set);
  return set;
}

/** Reads the children of `node` into `set`; true when it had any (else the node is a member, as `{}`). */
function read(node: JSONObject, prefix: PathElement[], set: FieldSet): boolean {
  let any = false;
  for (const key of Object.keys(node)) {
    if (key === ".") continue;
    const element = deserializePathElement(key);
    if (element === undefined) continue;
    const value = node[key] as JSONValue;
    if (!isJSONObject(value)) {
      throw new ServerSideApplyError("InvalidManagedFields", `FieldsV1 value of ${key} must be an object`);
    }
    any = true;
    const path = [...prefix, element];
    const hasChildren = read(value, path, set);
    if (!hasChildren || Object.hasOwn(value, ".")) set.insert(path);
  }
  return any;
}
