import type { StoredObject } from "../../interface.js";
import type { ExternalSource, SourceWrite } from "../external-storage.js";
import type { SourceObjectRef, SourceScope } from "../keys.js";

/**
 * An "other system" for tests: rows of (namespace, name, object) in memory, as a database
 * table would hold them. It fills in metadata.namespace from the row, as a namespaced kind's
 * objects carry it. Edits through `set` and `drop` happen behind the storage's back.
 */
export class OtherSystem implements ExternalSource {
  readonly rows = new Map<string, StoredObject>();
  readonly calls = { list: 0, get: 0, put: 0, remove: 0 };
  /** While set, list and get throw it. */
  failure: Error | undefined;
  private held: Promise<void> | undefined;

  constructor(readonly keyPrefix: string) {}

  /** Lists wait (after taking their snapshot) until the returned function is called. */
  holdLists(): () => void {
    let release: () => void = () => {};
    this.held = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.held = undefined;
      release();
    };
  }

  async list(prefix: string, scope: SourceScope): Promise<StoredObject[]> {
    this.calls.list++;
    if (this.failure) throw this.failure;
    const snapshot = [...this.rows.values()].filter(
      (object) => scope.namespace === undefined || object.metadata?.namespace === scope.namespace,
    );
    void prefix;
    if (this.held) await this.held;
    return snapshot;
  }

  async get(key: string): Promise<StoredObject | null> {
    this.calls.get++;
    if (this.failure) throw this.failure;
    return this.rows.get(key) ?? null;
  }

  async put(key: string, object: StoredObject, write: SourceWrite): Promise<StoredObject> {
    this.calls.put++;
    const stored = this.row(write.ref, object);
    this.rows.set(key, stored);
    return stored;
  }

  async remove(key: string): Promise<void> {
    this.calls.remove++;
    this.rows.delete(key);
  }

  /** Writes a row directly in the other system. */
  set(ref: SourceObjectRef, fields: Record<string, unknown> = {}): StoredObject {
    const object = this.row(ref, { apiVersion: "test.example.com/v1", kind: "Thing", ...fields });
    this.rows.set(this.keyOf(ref), object);
    return object;
  }

  /** Deletes a row directly in the other system. */
  drop(ref: SourceObjectRef): void {
    this.rows.delete(this.keyOf(ref));
  }

  keyOf(ref: SourceObjectRef): string {
    return ref.namespace === undefined
      ? `${this.keyPrefix}${ref.name}`
      : `${this.keyPrefix}${ref.namespace}/${ref.name}`;
  }

  private row(ref: SourceObjectRef, object: StoredObject): StoredObject {
    const metadata = { ...object.metadata, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
    return structuredClone({ ...object, metadata });
  }
}
