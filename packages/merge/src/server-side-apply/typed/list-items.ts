import { isJSONObject, type JSONValue } from "../../json/json.js";
import { ServerSideApplyError } from "../errors.js";
import {
  indexElement,
  type KeyField,
  keyElement,
  type Path,
  type PathElement,
  pathString,
  serializePathElement,
  valueElement,
} from "../fieldpath/path-element.js";
import { keyDefault, type ListType } from "./schema.js";

/**
 * The identity of a list element: its key values in a list-map, its value in a set, its index
 * in an atomic list. Throws with Kubernetes' messages for elements that have none.
 */
export function listItemElement(list: ListType, item: JSONValue, index: number, path: Path): PathElement {
  if (list.atomic) return indexElement(index);
  if (list.keys.length > 0) {
    if (!isJSONObject(item)) throw invalidItem(path, index, "value must be a map");
    const fields: KeyField[] = [];
    for (const key of list.keys) {
      let value = Object.hasOwn(item, key) ? (item[key] as JSONValue) : undefined;
      if (value === undefined) value = keyDefault(list, key) as JSONValue | undefined;
      if (value === undefined) {
        throw invalidItem(
          path,
          index,
          `associative list with keys has an element that omits key field ${JSON.stringify(key)} (and doesn't have default value)`,
        );
      }
      fields.push({ name: key, value });
    }
    return keyElement(fields);
  }
  if (isJSONObject(item))
    throw invalidItem(path, index, "associative list without keys has an element that's a map type");
  return valueElement(item);
}

function invalidItem(path: Path, index: number, message: string): ServerSideApplyError {
  return new ServerSideApplyError("InvalidObject", `${pathString(path)}: element ${index}: ${message}`);
}

/** The elements of a list by identity, first occurrence first; duplicates are refused when `unique`. */
export function indexListItems(
  list: ListType,
  items: readonly JSONValue[],
  path: Path,
  unique: boolean,
): { order: PathElement[]; byKey: Map<string, JSONValue> } {
  const order: PathElement[] = [];
  const byKey = new Map<string, JSONValue>();
  items.forEach((item, index) => {
    const element = listItemElement(list, item, index, path);
    const key = serializePathElement(element);
    if (byKey.has(key)) {
      if (unique) {
        throw new ServerSideApplyError(
          "InvalidObject",
          `${pathString(path)}: duplicate entries for key ${pathStringOf(element)}`,
        );
      }
      return;
    }
    byKey.set(key, item);
    order.push(element);
  });
  return { order, byKey };
}

function pathStringOf(element: PathElement): string {
  return pathString([element]);
}
