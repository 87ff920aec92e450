import { sortGoStrings } from "../../json/go-format.js";
import { isJSONObject, type JSONObject, type JSONValue } from "../../json/json.js";
import { comparePathElements, fieldElement, type PathElement } from "../fieldpath/path-element.js";
import { pairType } from "../typed/compare.js";
import { indexListItems } from "../typed/list-items.js";
import { elementOf, fieldTypeOf, type ListType, type MapType, type TypeNode } from "../typed/schema.js";

/**
 * Reset fields as a tree of field names: `true` drops the field and everything below it
 * (a member of the reset set), a map descends further.
 */
export type ResetFields = Map<string, ResetFields | true>;

export function resetFieldsTree(paths: readonly (readonly string[])[] | undefined): ResetFields | undefined {
  if (paths === undefined || paths.length === 0) return undefined;
  const root: ResetFields = new Map();
  for (const path of paths) {
    let level = root;
    for (let i = 0; i < path.length; i++) {
      const name = path[i] as string;
      if (i === path.length - 1) {
        level.set(name, true);
        break;
      }
      const next = level.get(name);
      if (next === true) break;
      if (next === undefined) {
        const created: ResetFields = new Map();
        level.set(name, created);
        level = created;
      } else level = next;
    }
  }
  return root;
}

// Kubernetes' stripMeta: fields no manager owns (their children, if any, stay owned).
export const STRIPPED_AT_ROOT: ReadonlySet<string> = new Set(["apiVersion", "kind", "metadata"]);
export const STRIPPED_IN_METADATA: ReadonlySet<string> = new Set([
  "name",
  "namespace",
  "creationTimestamp",
  "selfLink",
  "uid",
  "clusterName",
  "generation",
  "managedFields",
  "resourceVersion",
]);

/**
 * The FieldsV1 a create records for its manager, from one walk of the new object: the
 * general update path compares the object with an empty one, so every field and list element
 * is added, then drops the reset fields (with what is below them) and the stripped metadata.
 * Equal, key for key and in the same order, to that path's result (a property test compares
 * them). Throws what the general path throws (an invalid list element); undefined when the
 * root is not a granular map or `kind` is not a scalar, cases left to the general path.
 */
export function createdFieldsV1(
  object: JSONObject,
  root: TypeNode,
  reset: ResetFields | undefined,
): JSONObject | undefined {
  if (root.kind !== "map" || root.atomic) return undefined;
  const kind = object.kind;
  if (typeof kind === "object" && kind !== null) return undefined;
  const out: JSONObject = {};
  map(out, object, root, [], reset, STRIPPED_AT_ROOT, true);
  return out;
}

/** Writes the entry of one map field into `out` (undefined: walk only, for the errors); true if it did. */
function field(
  out: JSONObject | undefined,
  name: string,
  value: JSONValue | undefined,
  map: MapType,
  path: PathElement[],
  reset: ResetFields | undefined,
  member: boolean,
  stripped: ReadonlySet<string> | undefined,
): boolean {
  path.push(fieldElement(name));
  const wrote = node(out, fieldKey(name), value, fieldTypeOf(map, name), path, reset, member, stripped);
  path.pop();
  return wrote;
}

// The FieldsV1 keys of field names met before: a key string seen before is already
// internalized, which makes setting it as a property about twice as cheap. Bounded.
const fieldKeys = new Map<string, string>();

function fieldKey(name: string): string {
  let key = fieldKeys.get(name);
  if (key === undefined) {
    if (fieldKeys.size >= 10_000) fieldKeys.clear();
    key = `f:${name}`;
    fieldKeys.set(name, key);
  }
  return key;
}

function node(
  out: JSONObject | undefined,
  key: string,
  value: JSONValue | undefined,
  declared: TypeNode,
  path: PathElement[],
  reset: ResetFields | undefined,
  member: boolean,
  stripped: ReadonlySet<string> | undefined,
): boolean {
  const type = pairType(declared, undefined, value);
  if (type !== undefined && !(type.kind === "scalar" || type.kind === "deduced" || type.atomic)) {
    const target: JSONObject | undefined = out === undefined ? undefined : member ? { ".": {} } : {};
    const any =
      type.kind === "list"
        ? list(target, Array.isArray(value) ? value : [], type, path)
        : map(target, isJSONObject(value) ? value : {}, type, path, reset, stripped);
    if (any && out !== undefined) {
      out[key] = target as JSONObject;
      return true;
    }
  }
  if (out === undefined || !member) return false;
  out[key] = {};
  return true;
}

function map(
  out: JSONObject | undefined,
  value: JSONObject,
  type: MapType,
  path: PathElement[],
  reset: ResetFields | undefined,
  stripped: ReadonlySet<string> | undefined,
  isRoot = false,
): boolean {
  let any = false;
  for (const name of sortGoStrings(Object.keys(value))) {
    // apiVersion and kind are in the empty object too: at most they change, and are stripped.
    if (isRoot && (name === "apiVersion" || name === "kind")) continue;
    const below = reset?.get(name);
    const wrote = field(
      below === true ? undefined : out,
      name,
      value[name],
      type,
      path,
      below === true ? undefined : below,
      stripped === undefined || !stripped.has(name),
      isRoot && name === "metadata" ? STRIPPED_IN_METADATA : undefined,
    );
    any ||= wrote;
  }
  return any;
}

function list(out: JSONObject | undefined, items: JSONValue[], type: ListType, path: PathElement[]): boolean {
  const { order, byKey } = indexListItems(type, items, path, false);
  const element = elementOf(type);
  // byKey holds the serialized elements in the order of `order`.
  const keys = byKey.keys();
  const keyed = order.map((pe) => ({ pe, key: keys.next().value as string }));
  keyed.sort((a, b) => comparePathElements(a.pe, b.pe));
  for (const { pe, key } of keyed) {
    path.push(pe);
    node(out, key, byKey.get(key), element, path, undefined, true, undefined);
    path.pop();
  }
  return keyed.length > 0;
}
