import type { ContinuePosition, ListOptions, ListResult, StoredObject } from "../interface.js";

/** The revision a continue position reads at: its own, or undefined for the latest (see ContinuePosition). */
export function continueRevision(position: ContinuePosition): number | undefined {
  return position.revision > 0 ? position.revision : undefined;
}

/** How a backend's list entries are read: their key, and their object (decoded only when needed). */
export interface EntryReader<E> {
  key(entry: E): string;
  object(entry: E): StoredObject;
}

/**
 * One page of a list, the same way for every backend: takes entries in key order while
 * fewer than `limit` matched the predicate; the continue position is the last returned
 * key, and is set when any entry (matching or not) follows, as etcd-backed Kubernetes does.
 * `countRest` counts the entries after a given key, for remainingItemCount (no predicate only).
 */
export function listPage<E>(
  entries: Iterable<E>,
  reader: EntryReader<E>,
  options: ListOptions,
  revision: number,
  countRest?: (afterKey: string) => number,
): ListResult {
  const limit = options.limit && options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
  const items: StoredObject[] = [];
  const keys: string[] = [];
  let lastKey = "";
  let more = false;
  for (const entry of entries) {
    if (items.length >= limit) {
      more = true;
      break;
    }
    const object = reader.object(entry);
    if (options.predicate && !options.predicate(object)) continue;
    lastKey = reader.key(entry);
    items.push(object);
    keys.push(lastKey);
  }
  const result: ListResult = { items, keys, revision };
  if (more) {
    result.continueFrom = { key: lastKey, revision };
    if (!options.predicate && countRest) result.remainingItemCount = countRest(lastKey);
  }
  return result;
}
