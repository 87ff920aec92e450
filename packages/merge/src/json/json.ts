/** A parsed JSON value, as `JSON.parse` returns it. */
export type JSONPrimitive = string | number | boolean | null;
export type JSONValue = JSONPrimitive | JSONValue[] | JSONObject;
export interface JSONObject {
  [key: string]: JSONValue;
}

/** The JSON kinds Kubernetes' merge code tells apart (Go's reflect kinds of a decoded value). */
export type JSONKind = "null" | "boolean" | "number" | "string" | "array" | "object";

export function jsonKind(value: JSONValue): JSONKind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as "boolean" | "number" | "string" | "object";
}

export function isJSONObject(value: unknown): value is JSONObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function hasKey(object: JSONObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** Internal objects have no prototype, so `__proto__`, `constructor` and `prototype` are plain keys. */
export function newObject(): JSONObject {
  return Object.create(null) as JSONObject;
}

/** Deep copy into prototype-less objects: the working copy the merge code may mutate. */
export function cloneIn(value: JSONValue): JSONValue {
  if (Array.isArray(value)) return value.map(cloneIn);
  if (isJSONObject(value)) {
    const copy = newObject();
    for (const key of Object.keys(value)) copy[key] = cloneIn(value[key] as JSONValue);
    return copy;
  }
  return value;
}

/** Deep copy into ordinary objects whose keys are all own data properties (never a prototype). */
export function toPlain(value: JSONValue): JSONValue {
  if (Array.isArray(value)) return value.map(toPlain);
  if (isJSONObject(value)) {
    const copy: JSONObject = {};
    for (const key of Object.keys(value)) setOwn(copy, key, toPlain(value[key] as JSONValue));
    return copy;
  }
  return value;
}

/**
 * Sets an own data property of an ordinary object. Plain assignment, ~10x cheaper than
 * defineProperty, except for "__proto__", which assignment would take as the prototype.
 */
export function setOwn(object: JSONObject, key: string, value: JSONValue): void {
  if (key === "__proto__")
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Deep equality of JSON values (Go's reflect.DeepEqual on decoded JSON). */
export function jsonEqual(a: JSONValue, b: JSONValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i] as JSONValue));
  }
  if (isJSONObject(a) && isJSONObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => hasKey(b, key) && jsonEqual(a[key] as JSONValue, b[key] as JSONValue));
  }
  return false;
}
