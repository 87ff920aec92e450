import type { StoredObject } from "../interface.js";
import { withoutRevision } from "../objects.js";

/**
 * A source object as the mirror keeps it: plain JSON (a JSON round trip drops undefined,
 * turns Dates into strings) without resourceVersion, and a copy the source can go on mutating.
 */
export function normalizeObject(object: StoredObject): StoredObject {
  return JSON.parse(JSON.stringify(withoutRevision(object))) as StoredObject;
}

/** True when two objects hold the same content, resourceVersion aside and whatever the key order. */
export function sameContent(a: StoredObject, b: StoredObject): boolean {
  return jsonEqual(withoutRevision(a), withoutRevision(b));
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}
