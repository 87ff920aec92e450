import { isStorageError, StorageError } from "../errors.js";
import type { DeleteOptions, StoredObject, UpdateFunction, UpdateOptions } from "../interface.js";
import { checkPreconditions } from "../objects.js";
import { normalizeObject, sameContent } from "./content.js";
import type { WriteVerb } from "./errors.js";
import type { SourceObjectRef, SourceScope } from "./keys.js";
import { MirroredStorage, type MirrorOptions } from "./mirrored-storage.js";

/** What a write through tells the source besides the key and object. */
export interface SourceWrite {
  readonly ref: SourceObjectRef;
  /**
   * The object as the storage last read it (with its resourceVersion), null on create: a
   * source that can compare-and-swap compares against it and throws StorageError.conflict.
   */
  readonly previous: StoredObject | null;
}

/**
 * The other system, as the user describes it. Keys are the runtime's
 * (`/registry/<group>/<plural>/[<namespace>/]<name>`); refs and scopes give the same as
 * namespace and name. Objects must carry metadata.name (and metadata.namespace for a
 * namespaced kind): their key comes from it. resourceVersion is the storage's business:
 * it is never passed to the source, and ignored when the source returns one.
 *
 * Errors a function throws reach the caller as they are when they are StorageErrors (a
 * Conflict from put is retried on a fresh read) or the runtime's StatusErrors; read errors
 * of any other kind become Unavailable (503).
 */
export interface ExternalSource {
  /** Every object under `prefix`; more is fine (objects outside the prefix are ignored). */
  list(prefix: string, scope: SourceScope): Promise<Iterable<StoredObject>> | Iterable<StoredObject>;
  /** One object, or null; without it a read of one key lists its namespace. */
  get?(key: string, ref: SourceObjectRef): Promise<StoredObject | null>;
  /**
   * Creates or updates an object in the other system. May return the object as stored
   * there (with defaults it filled in); otherwise the object given is taken as stored.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a source that stores the object as given returns nothing.
  put?(key: string, object: StoredObject, write: SourceWrite): Promise<StoredObject | void>;
  /** Deletes an object from the other system. */
  remove?(key: string, write: SourceWrite & { readonly previous: StoredObject }): Promise<void>;
}

export interface ExternalStorageOptions extends MirrorOptions {
  source: ExternalSource;
  /** How often the source is listed while someone watches (default 10 s). */
  pollIntervalMs?: number;
}

/** Writes that fail on a source-side Conflict are retried on a fresh read this many times. */
const MAX_CONFLICT_RETRIES = 5;

/**
 * Read-through/write-through storage for data kept in another system. Consistent reads
 * read the source first; writes go to the source, then to the mirror, which supplies
 * resourceVersions (synthetic, per process), conflict detection and watches. Without put
 * and remove the storage is read-only: writes throw MethodNotAllowedError.
 *
 * Conflicts are detected against what the storage last read: a write is checked against a
 * fresh read of the key and writes through this storage are serialized per key. A change
 * made directly in the other system between that read and the put is overwritten unless
 * the source's put compares against `previous` itself.
 */
export class ExternalStorage extends MirroredStorage {
  private readonly source: ExternalSource;
  /** The writes this storage supports: create and update need put, delete needs remove. */
  readonly writableVerbs: readonly WriteVerb[];

  constructor(options: ExternalStorageOptions) {
    const pollIntervalMs = options.pollIntervalMs ?? 10_000;
    if (!(pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be positive, got ${pollIntervalMs}`);
    const { source } = options;
    super(options, {
      name: "external",
      source,
      pollIntervalMs,
      readStalenessMs: 0,
      staleOnError: false,
      scopedList: true,
    });
    this.source = source;
    this.writableVerbs = [
      ...(source.put ? (["create", "update"] as const) : []),
      ...(source.remove ? ["delete" as const] : []),
    ];
  }

  async create(key: string, object: StoredObject): Promise<StoredObject> {
    const put = this.source.put?.bind(this.source);
    if (!put) this.refuse("create", key);
    const ref = this.keys.refOf(key);
    return this.writeThrough(key, async (read) => {
      if (await read()) throw StorageError.keyExists(key);
      const given = normalizeObject(object);
      const stored = await put(key, given, { ref, previous: null });
      return this.commit(key, stored ?? given);
    });
  }

  async guaranteedUpdate(key: string, update: UpdateFunction, options: UpdateOptions = {}): Promise<StoredObject> {
    const put = this.source.put?.bind(this.source);
    if (!put) this.refuse("update", key);
    const ref = this.keys.refOf(key);
    return this.writeThrough(key, async (read) => {
      for (let attempt = 0; ; attempt++) {
        const current = await read();
        if (!current && !options.allowCreate) throw StorageError.keyNotFound(key);
        if (current) checkPreconditions(key, options.preconditions, current);
        const next = normalizeObject(await update(current));
        if (current && sameContent(current, next)) return current;
        try {
          const stored = await put(key, next, { ref, previous: current });
          return await this.commit(key, stored ?? next);
        } catch (error) {
          // The source saw a change we had not read: read again and recompute, as etcd's store does.
          if (isStorageError(error, "Conflict") && attempt < MAX_CONFLICT_RETRIES) continue;
          throw error;
        }
      }
    });
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<StoredObject> {
    const remove = this.source.remove?.bind(this.source);
    if (!remove) this.refuse("delete", key);
    const ref = this.keys.refOf(key);
    return this.writeThrough(key, async (read) => {
      const current = await read();
      if (!current) throw StorageError.keyNotFound(key);
      checkPreconditions(key, options.preconditions, current);
      await options.validateDeletion?.(current);
      await remove(key, { ref, previous: current });
      const last = await this.commitDeletion(key);
      if (!last) throw StorageError.keyNotFound(key);
      return last;
    });
  }
}
