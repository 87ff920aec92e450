/** Plain-JSON object helpers shared by the registry and the endpoints. */

/** Structural equality of JSON values (key order ignored). */
export function deepEqualJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqualJSON(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b as object, k)) return false;
    if (!deepEqualJSON((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** A deep copy of a JSON value (the stored objects are shared and frozen). */
export function cloneObject<T>(object: T): T {
  return JSON.parse(JSON.stringify(object)) as T;
}

/**
 * What a write through `subresource` may change (Kubernetes' status strategies): a
 * status write takes only `status` from the desired object and everything else from the
 * existing one; a main-resource write of a kind with a status subresource keeps the
 * existing status. Returns `desired` itself when nothing is projected.
 */
export function scopeToSubresource<T extends { status?: unknown; metadata?: unknown }>(
  subresource: string,
  hasStatus: boolean,
  desired: T,
  existing: T,
): T {
  if (subresource === "status") {
    const next = { ...cloneObject(existing), status: desired.status };
    if (desired.status === undefined) delete next.status;
    return next;
  }
  if (hasStatus && subresource === "") {
    const next = { ...desired };
    if (existing.status === undefined) delete next.status;
    else next.status = cloneObject(existing.status);
    return next;
  }
  return desired;
}
