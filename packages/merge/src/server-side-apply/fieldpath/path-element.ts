import { compareGoStrings, sortGoStrings } from "../../json/go-format.js";
import { isJSONObject, type JSONObject, type JSONValue, jsonEqual } from "../../json/json.js";
import { ServerSideApplyError } from "../errors.js";
import { goJSON, goJSONString, goQuote } from "./go-json.js";

/** One key field of a list-map element's identity: `name=value`. */
export interface KeyField {
  readonly name: string;
  readonly value: JSONValue;
}

/**
 * How to select a child of a value (structured-merge-diff's PathElement): a field of a map,
 * the element of a list-map with these key values, the element of a set with this value, or
 * an index into a list.
 */
export type PathElement =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "key"; readonly fields: readonly KeyField[] }
  | { readonly kind: "value"; readonly value: JSONValue }
  | { readonly kind: "index"; readonly index: number };

export type Path = readonly PathElement[];

export const fieldElement = (name: string): PathElement => ({ kind: "field", name });
export const valueElement = (value: JSONValue): PathElement => ({ kind: "value", value });
export const indexElement = (index: number): PathElement => ({ kind: "index", index });

/** A list-map element's identity; fields are kept sorted by name, as Kubernetes keeps them. */
export function keyElement(fields: Readonly<Record<string, JSONValue>> | readonly KeyField[]): PathElement {
  const list: KeyField[] = Array.isArray(fields)
    ? [...(fields as readonly KeyField[])]
    : Object.keys(fields).map((name) => ({ name, value: (fields as Record<string, JSONValue>)[name] as JSONValue }));
  list.sort((a, b) => compareGoStrings(a.name, b.name));
  return { kind: "key", fields: list };
}

/** The FieldsV1 key of a path element: `f:name`, `k:{"name":"a"}`, `v:"x"`, `i:0`. */
export function serializePathElement(element: PathElement): string {
  switch (element.kind) {
    case "field":
      return `f:${element.name}`;
    case "key":
      return `k:{${element.fields.map((f) => `${goJSONString(f.name)}:${goJSON(f.value)}`).join(",")}}`;
    case "value":
      return `v:${goJSON(element.value)}`;
    case "index":
      return `i:${element.index}`;
  }
}

/** Parses a FieldsV1 key; `undefined` for a type prefix Kubernetes does not know (it skips those too). */
export function deserializePathElement(key: string): PathElement | undefined {
  if (key.length < 2) throw invalid(`key must be 2 characters long: ${key}`);
  if (key[1] !== ":") throw invalid(`missing colon: ${key}`);
  const body = key.slice(2);
  switch (key[0]) {
    case "f":
      return fieldElement(body);
    case "v":
      return valueElement(parseJSON(body, key));
    case "k": {
      const parsed = parseJSON(body, key);
      if (!isJSONObject(parsed)) throw invalid(`key path element is not an object: ${key}`);
      return keyElement(parsed as JSONObject);
    }
    case "i": {
      if (!/^[+-]?\d+$/.test(body)) throw invalid(`invalid index path element: ${key}`);
      return indexElement(Number.parseInt(body, 10));
    }
    default:
      return undefined;
  }
}

function parseJSON(text: string, key: string): JSONValue {
  try {
    return JSON.parse(text) as JSONValue;
  } catch {
    throw invalid(`invalid JSON in path element: ${key}`);
  }
}

function invalid(message: string): ServerSideApplyError {
  return new ServerSideApplyError("InvalidManagedFields", message);
}

/** Kubernetes' order of path elements: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const rank = { field: 0, key: 1, value: 2, index: 3 } as const;
  if (a.kind !== b.kind) return rank[a.kind] - rank[b.kind];
  switch (a.kind) {
    case "field":
      return compareGoStrings(a.name, (b as { name: string }).name);
    case "key":
      return compareKeyFields(a.fields, (b as { fields: readonly KeyField[] }).fields);
    case "value":
      return compareValues(a.value, (b as { value: JSONValue }).value);
    case "index":
      return Math.sign(a.index - (b as { index: number }).index);
  }
}

export function pathElementsEqual(a: PathElement, b: PathElement): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "field":
      return a.name === (b as { name: string }).name;
    case "index":
      return a.index === (b as { index: number }).index;
    case "value":
      return jsonEqual(a.value, (b as { value: JSONValue }).value);
    case "key":
      return compareKeyFields(a.fields, (b as { fields: readonly KeyField[] }).fields) === 0;
  }
}

function compareKeyFields(a: readonly KeyField[], b: readonly KeyField[]): number {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return y === undefined ? 0 : -1;
    if (y === undefined) return 1;
    const byName = compareGoStrings(x.name, y.name);
    if (byName !== 0) return byName;
    const byValue = compareValues(x.value, y.value);
    if (byValue !== 0) return byValue;
  }
}

/** structured-merge-diff's total order of values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: JSONValue, b: JSONValue): number {
  const rank = (v: JSONValue): number =>
    typeof v === "number"
      ? 0
      : typeof v === "string"
        ? 1
        : typeof v === "boolean"
          ? 2
          : Array.isArray(v)
            ? 3
            : v === null
              ? 5
              : 4;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number") return Math.sign(a - (b as number));
  if (typeof a === "string") return compareGoStrings(a, b as string);
  if (typeof a === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const list = b as JSONValue[];
    for (let i = 0; i < Math.min(a.length, list.length); i++) {
      const c = compareValues(a[i] as JSONValue, list[i] as JSONValue);
      if (c !== 0) return c;
    }
    return Math.sign(a.length - list.length);
  }
  if (isJSONObject(a) && isJSONObject(b)) {
    const ak = sortGoStrings(Object.keys(a));
    const bk = sortGoStrings(Object.keys(b));
    for (let i = 0; i < Math.min(ak.length, bk.length); i++) {
      const byKey = compareGoStrings(ak[i] as string, bk[i] as string);
      if (byKey !== 0) return byKey;
      const byValue = compareValues(a[ak[i] as string] as JSONValue, b[bk[i] as string] as JSONValue);
      if (byValue !== 0) return byValue;
    }
    return Math.sign(ak.length - bk.length);
  }
  return 0;
}

/** A value as Kubernetes prints it inside a field path (value.ToString). */
function valueString(value: JSONValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return goQuote(value);
  if (Array.isArray(value)) return `[${value.map(valueString).join(",")}]`;
  if (isJSONObject(value)) {
    const keys = sortGoStrings(Object.keys(value));
    return `{${keys.map((k) => `${k}=${valueString(value[k] as JSONValue)}`).join(",")}}`;
  }
  return String(value);
}

/** A path element as Kubernetes prints it: `.name`, `[name="a",port=80]`, `[="x"]`, `[0]`. */
export function pathElementString(element: PathElement): string {
  switch (element.kind) {
    case "field":
      return `.${element.name}`;
    case "key":
      return `[${element.fields.map((f) => `${f.name}=${valueString(f.value)}`).join(",")}]`;
    case "value":
      return `[=${valueString(element.value)}]`;
    case "index":
      return `[${element.index}]`;
  }
}

/** A field path as Kubernetes prints it in conflict messages, e.g. `.spec.containers[name="c"].image`. */
export function pathString(path: Path): string {
  return path.map(pathElementString).join("");
}
