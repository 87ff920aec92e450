import { StorageError } from "./errors.js";
import type { ObjectWatchEvent, Preconditions, Predicate, StoredObject } from "./interface.js";

/** Checks DeleteOptions/UpdateOptions preconditions against the current object. */
export function checkPreconditions(key: string, preconditions: Preconditions | undefined, current: StoredObject): void {
  if (!preconditions) return;
  const meta = current.metadata ?? {};
  if (preconditions.uid !== undefined && preconditions.uid !== meta.uid) {
    throw StorageError.preconditionFailed(key, "UID", preconditions.uid, String(meta.uid ?? ""));
  }
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== meta.resourceVersion) {
    throw StorageError.preconditionFailed(
      key,
      "ResourceVersion",
      preconditions.resourceVersion,
      String(meta.resourceVersion ?? ""),
    );
  }
}

/** A copy of `object` with metadata.resourceVersion set to `revision` (the input is not touched). */
export function withRevision(object: StoredObject, revision: number): StoredObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
}

/** A copy of `object` without metadata.resourceVersion: what backends persist. */
export function withoutRevision(object: StoredObject): StoredObject {
  if (object.metadata?.resourceVersion === undefined) return object;
  const { resourceVersion: _drop, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** The JSON text a backend stores for an object (resourceVersion removed). */
export function encodeForStorage(object: StoredObject): string {
  return JSON.stringify(withoutRevision(object));
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/** The revision an object carries, or 0 when it has none. */
export function revisionOf(object: StoredObject): number {
  const rv = object.metadata?.resourceVersion;
  return rv ? Number(rv) : 0;
}

/**
 * Applies a watch predicate to an event the way Kubernetes' etcd watcher does: an
 * object that starts matching arrives as ADDED, one that stops matching as DELETED
 * (its previous state at the new revision), and events for objects that match neither
 * before nor after are dropped (undefined).
 */
export function filterEvent(event: ObjectWatchEvent, predicate: Predicate | undefined): ObjectWatchEvent | undefined {
  if (!predicate) return event;
  const curMatches = event.type !== "DELETED" && predicate(event.object);
  const prevMatches =
    event.type === "DELETED" ? predicate(event.object) : event.prevObject !== undefined && predicate(event.prevObject);
  if (event.type === "DELETED") return prevMatches ? event : undefined;
  if (curMatches && prevMatches) return event;
  if (curMatches) return event.type === "ADDED" ? event : { ...event, type: "ADDED" };
  if (prevMatches && event.prevObject) {
    return {
      type: "DELETED",
      key: event.key,
      object: withRevision(event.prevObject, event.revision),
      revision: event.revision,
    };
  }
  return undefined;
}

/** True when `key` is inside the watched prefix (prefix ends with "/") or is the watched key. */
export function keyMatches(prefixOrKey: string, key: string): boolean {
  return prefixOrKey.endsWith("/") ? key.startsWith(prefixOrKey) : key === prefixOrKey;
}

/** The exclusive end of the key range that starts with `prefix` (prefix + the next code unit). */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
