/**
 * The informer's cache: objects by key (`namespace/name`), with indexers that file each
 * object under the values a function computes (client-go tools/cache ThreadSafeStore).
 * Only the informer writes to it; readers must not mutate what it returns.
 */
import { objectKey, type Request, requestKey } from "../objects/keys.js";
import type { KubeObject } from "../objects/meta.js";

/** The values an object is filed under in one index. */
export type IndexFunc<T> = (object: T) => string[];

/** The index every store has: objects by namespace. */
export const NAMESPACE_INDEX = "namespace";

export const namespaceIndexFunc: IndexFunc<KubeObject> = (object) => [object.metadata?.namespace ?? ""];

export class IndexerConflictError extends Error {
  override readonly name = "IndexerConflictError";
  readonly reason = "IndexerConflict";
  constructor(readonly indexName: string) {
    super(`an indexer named "${indexName}" already exists`);
  }
}

export class Store<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc, ...indexers });
  }

  /** Adds indexers; existing objects are indexed at once. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const name of Object.keys(indexers)) if (this.indexers.has(name)) throw new IndexerConflictError(name);
    for (const [name, fn] of Object.entries(indexers)) {
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, object] of this.items) fileUnder(index, fn(object), key);
    }
  }

  get(keyOrRequest: string | Request): T | undefined {
    return this.items.get(typeof keyOrRequest === "string" ? keyOrRequest : requestKey(keyOrRequest));
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Objects filed under `value` in the index `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    const keys = this.indexOf(indexName).get(value);
    if (!keys) return [];
    const objects: T[] = [];
    for (const key of keys) {
      const object = this.items.get(key);
      if (object) objects.push(object);
    }
    return objects;
  }

  /** The values the index `indexName` has objects under. */
  indexValues(indexName: string): string[] {
    return [...this.indexOf(indexName).keys()];
  }

  /** Stores `object`; returns what it replaced. */
  set(object: T): T | undefined {
    const key = objectKey(object);
    const old = this.items.get(key);
    this.items.set(key, object);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      if (old) unfile(index, fn(old), key);
      fileUnder(index, fn(object), key);
    }
    return old;
  }

  /** Removes the object under `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.indexers) unfile(this.indices.get(name) as Map<string, Set<string>>, fn(old), key);
    return old;
  }

  private indexOf(name: string): Map<string, Set<string>> {
    const index = this.indices.get(name);
    if (!index) throw new RangeError(`no indexer named "${name}"`);
    return index;
  }
}

function fileUnder(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (!keys) {
      keys = new Set();
      index.set(value, keys);
    }
    keys.add(key);
  }
}

function unfile(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const value of values) {
    const keys = index.get(value);
    if (!keys) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(value);
  }
}
