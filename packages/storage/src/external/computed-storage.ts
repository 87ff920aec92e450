import type { StoredObject } from "../interface.js";
import type { SourceObjectRef } from "./keys.js";
import { MirroredStorage, type MirrorOptions } from "./mirrored-storage.js";

export interface ComputedStorageOptions extends MirrorOptions {
  /**
   * Computes every object of the kind (metadata.name, and metadata.namespace for a
   * namespaced kind, say where each goes). Absent: the storage holds only what is fed in
   * with upsert, remove and replace.
   */
  compute?: () => Iterable<StoredObject> | Promise<Iterable<StoredObject>>;
  /**
   * How old a computed state may get: reads recompute when the last computation is older,
   * and while someone watches it is recomputed this often. Required with compute.
   */
  intervalMs?: number;
}

/**
 * A read-only kind whose objects are computed (metrics-server style) or fed in by an event
 * source. Every change between two states becomes a watch event with a new revision;
 * writes through the API throw MethodNotAllowedError. A failed computation keeps the last
 * good state (reads keep serving it), is passed to onSyncError, and makes ping() reject
 * until a computation succeeds; before any has succeeded, reads answer Unavailable.
 */
export class ComputedStorage extends MirroredStorage {
  readonly writableVerbs: readonly [] = [];

  constructor(options: ComputedStorageOptions) {
    const { compute, intervalMs } = options;
    if (compute && !(intervalMs !== undefined && intervalMs > 0)) {
      throw new RangeError(`intervalMs must be positive with compute, got ${intervalMs}`);
    }
    super(options, {
      name: "computed",
      source: compute ? { list: () => compute() } : {},
      pollIntervalMs: intervalMs ?? 0,
      readStalenessMs: intervalMs ?? 0,
      staleOnError: true,
      scopedList: false,
    });
  }

  /** Adds or replaces one object; watchers see ADDED or MODIFIED (nothing when it is unchanged). */
  async upsert(object: StoredObject): Promise<StoredObject> {
    const key = this.keys.keyOf(object, this.keys.prefix);
    return (await this.feed(key, object)) as StoredObject;
  }

  /** Removes one object; watchers see DELETED. Returns its last state, or null when it was absent. */
  async remove(ref: SourceObjectRef): Promise<StoredObject | null> {
    return this.feed(this.keys.keyOf({ metadata: { ...ref } }, this.keys.prefix), null);
  }

  /** Makes `objects` the whole state: what changed is MODIFIED, what is new ADDED, what is missing DELETED. */
  async replace(objects: Iterable<StoredObject>): Promise<void> {
    return this.feedAll(objects);
  }

  async create(key: string): Promise<StoredObject> {
    this.refuse("create", key);
  }

  async guaranteedUpdate(key: string): Promise<StoredObject> {
    this.refuse("update", key);
  }

  async delete(key: string): Promise<StoredObject> {
    this.refuse("delete", key);
  }
}

/** A storage for computed or event-fed objects; see ComputedStorage. */
export function computedStorage(options: ComputedStorageOptions): ComputedStorage {
  return new ComputedStorage(options);
}
