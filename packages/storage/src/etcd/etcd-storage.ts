import { type Clock, systemClock } from "../clock.js";
import { StorageError } from "../errors.js";
import type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  Storage,
  StoredObject,
  UpdateFunction,
  UpdateOptions,
  WatchHandle,
  WatchOptions,
  WatchSink,
} from "../interface.js";
import { continueRevision, type EntryReader, listPage } from "../list/page.js";
import { checkPreconditions, deepFreeze, encodeForStorage, keyMatches, prefixEnd, withRevision } from "../objects.js";
import {
  EtcdClient,
  type EtcdTlsFiles,
  type KeyValue,
  type RangeRequest,
  type RangeResponse,
  type TxnRequest,
  type TxnResponse,
} from "./etcd-client.js";
import { COMPACT_REVISION_KEY, EtcdCompactor } from "./etcd-compactor.js";
import { type FailedRead, toStorageError } from "./etcd-errors.js";
import { supportsProgressRequests } from "./etcd-version.js";
import { EtcdWatch } from "./etcd-watch.js";
import { OwnWrites } from "./own-writes.js";

/** Options named after kube-apiserver's etcd flags. */
export interface EtcdStorageOptions extends EtcdTlsFiles {
  /** --etcd-servers: client URLs, http:// or https://. */
  servers: string[];
  /**
   * --etcd-prefix (default "/registry"): the etcd key that stands for the logical key root
   * "/registry". A key `/registry/<group>/<resource>/...` is stored at `<prefix>/<group>/<resource>/...`,
   * so the default layout is exactly kube-apiserver's, and another prefix moves the whole tree.
   */
  prefix?: string;
  /** --etcd-compaction-interval (default 5 min); 0 turns this replica's compactor off. */
  compactionIntervalMs?: number;
  /** Deadline of every etcd call (default 5 s): an unreachable etcd fails calls within it. */
  requestTimeoutMs?: number;
  clock?: Clock;
  /**
   * Whether etcd's watch progress is trusted (requestProgress() and progress
   * notifications as BOOKMARKs): "auto" (default) trusts etcd ≥ 3.4.31 / 3.5.13 only, as
   * Kubernetes does; "always" and "never" override the version check (tests).
   */
  progressRequests?: "auto" | "always" | "never";
}

/** The logical key root the runtime's keys start with. */
export const KEY_ROOT = "/registry";

interface Current {
  readonly kv: KeyValue;
  readonly object: StoredObject;
}

type Entry = readonly [key: string, object: StoredObject];
const ENTRY: EntryReader<Entry> = { key: (entry) => entry[0], object: (entry) => entry[1] };

/**
 * etcd v3 as the backend for scale-out: several server replicas on one etcd see each
 * other's writes (linearizable reads) and watches. resourceVersion is etcd's mod revision;
 * writes are transactions comparing it; compaction happens through the shared
 * compact_rev_key protocol (EtcdCompactor).
 */
export class EtcdStorage implements Storage {
  readonly name = "etcd";
  private readonly client: EtcdClient;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly compactor: EtcdCompactor | undefined;
  /** Open watches and the logical prefix or key each watches. */
  private readonly watches = new Map<EtcdWatch, string>();
  private readonly ownWrites = new OwnWrites();
  private knownRevision = 0;
  private knownCompacted = 0;
  private version: string | undefined;
  private closed = false;

  constructor(private readonly options: EtcdStorageOptions) {
    this.prefix = (options.prefix ?? KEY_ROOT).replace(/\/+$/, "");
    this.clock = options.clock ?? systemClock;
    this.client = new EtcdClient(options.servers, options, options.requestTimeoutMs ?? 5000);
    const interval = options.compactionIntervalMs ?? 5 * 60_000;
    if (interval > 0) {
      this.compactor = new EtcdCompactor(this.client, this.clock, interval, (revision) => this.noteCompacted(revision));
      this.compactor.start();
    }
    // Learn the server version early; until then watches do not promise progress.
    this.serverVersion().catch(() => {});
  }

  /** The etcd server's version (from the Maintenance API), cached after the first answer. */
  async serverVersion(): Promise<string> {
    const status = await this.call(() => this.client.status(), { key: "" });
    this.version = status.version;
    return status.version;
  }

  async get(key: string, options: GetOptions = {}): Promise<StoredObject | null> {
    const consistency = options.consistency ?? { kind: "consistent" };
    const request: RangeRequest = { key: this.etcdKey(key) };
    if (consistency.kind === "any") request.serializable = true;
    if (consistency.kind === "exact") request.revision = consistency.revision;
    const read = {
      key,
      ...(consistency.kind === "exact" || consistency.kind === "notOlderThan"
        ? { revision: consistency.revision }
        : {}),
    };
    const response = await this.range(request, read);
    if (consistency.kind === "notOlderThan") this.checkNotOlder(key, consistency.revision, response);
    const kv = response.kvs[0];
    return kv ? this.decode(kv, Number(kv.mod_revision)) : null;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const end = Buffer.from(prefixEnd(this.mapKey(prefix)));
    let start = this.etcdKey(prefix);
    let revision: number | undefined;
    let serializable = false;
    if (options.continueFrom) {
      revision = continueRevision(options.continueFrom);
      start = Buffer.from(`${this.mapKey(options.continueFrom.key)}\u0000`);
    } else if (options.consistency?.kind === "exact") {
      revision = options.consistency.revision;
    } else if (options.consistency?.kind === "any") {
      serializable = true;
    }
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const entries: Entry[] = [];
    let matched = 0;
    let afterLimit = 0;
    let total = 0;
    let batch = limit > 0 ? limit + 1 : 0;
    for (let first = true; ; first = false) {
      const request: RangeRequest = { key: start, range_end: end, limit: batch, serializable };
      if (revision !== undefined) request.revision = revision;
      const response = await this.range(request, { key: prefix, ...(revision !== undefined ? { revision } : {}) });
      // Later batches read the first one's revision: one snapshot for the whole page.
      if (revision === undefined) revision = Number(response.header.revision);
      if (first) total = Number(response.count);
      for (const kv of response.kvs) {
        const object = this.decode(kv, Number(kv.mod_revision));
        entries.push([this.logicalKey(kv.key), object]);
        if (matched >= limit && limit > 0) afterLimit++;
        else if (!options.predicate || options.predicate(object)) matched++;
      }
      const last = response.kvs[response.kvs.length - 1];
      if (!response.more || limit === 0 || afterLimit > 0 || !last) break;
      start = Buffer.concat([last.key, Buffer.from([0])]);
      batch = Math.min(batch * 2, 10_000);
    }
    if (
      options.consistency?.kind === "notOlderThan" &&
      !options.continueFrom &&
      revision < options.consistency.revision
    ) {
      throw StorageError.tooLargeResourceVersion(prefix, options.consistency.revision, revision);
    }
    return listPage(entries, ENTRY, options, revision, () => total - limit);
  }

  async create(key: string, object: StoredObject): Promise<StoredObject> {
    const etcdKey = this.etcdKey(key);
    const value = encodeForStorage(object);
    const response = await this.write(key, {
      compare: [{ result: "Equal", target: "Mod", key: etcdKey, mod_revision: 0 }],
      success: [{ request_put: { key: etcdKey, value: Buffer.from(value) } }],
      failure: [],
    });
    if (!response.succeeded) throw StorageError.keyExists(key);
    const revision = Number(response.header.revision);
    return this.ownWrites.settle(key, revision, () => this.decodeValue(value, revision), this.watched(key));
  }

  async guaranteedUpdate(key: string, update: UpdateFunction, options: UpdateOptions = {}): Promise<StoredObject> {
    const etcdKey = this.etcdKey(key);
    let current = await this.current(key);
    for (;;) {
      if (!current && !options.allowCreate) throw StorageError.keyNotFound(key);
      if (current) checkPreconditions(key, options.preconditions, current.object);
      const next = await update(current?.object ?? null);
      const value = encodeForStorage(next);
      if (current && current.kv.value.toString() === value) return current.object;
      const before = current;
      const response = await this.write(key, {
        compare: [
          { result: "Equal", target: "Mod", key: etcdKey, mod_revision: before ? Number(before.kv.mod_revision) : 0 },
        ],
        success: [{ request_put: { key: etcdKey, value: Buffer.from(value) } }],
        failure: [{ request_range: { key: etcdKey } }],
      });
      if (response.succeeded) {
        const revision = Number(response.header.revision);
        return this.ownWrites.settle(
          key,
          revision,
          () => this.decodeValue(value, revision),
          this.watched(key),
          before ? { object: before.object, revision: Number(before.kv.mod_revision) } : undefined,
        );
      }
      // Another writer got there first: retry on the state the failed comparison returned.
      current = this.currentFrom(response.responses[0]?.response_range?.kvs[0]);
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<StoredObject> {
    const etcdKey = this.etcdKey(key);
    let current = await this.current(key);
    for (;;) {
      if (!current) throw StorageError.keyNotFound(key);
      checkPreconditions(key, options.preconditions, current.object);
      if (options.validateDeletion) await options.validateDeletion(current.object);
      const deleting = current;
      const deletedRevision = Number(deleting.kv.mod_revision);
      const response = await this.write(key, {
        compare: [{ result: "Equal", target: "Mod", key: etcdKey, mod_revision: deletedRevision }],
        success: [{ request_delete_range: { key: etcdKey } }],
        failure: [{ request_range: { key: etcdKey } }],
      });
      if (response.succeeded) {
        const revision = Number(response.header.revision);
        return this.ownWrites.settle(key, revision, () => this.decode(deleting.kv, revision), this.watched(key), {
          object: deleting.object,
          revision: deletedRevision,
        });
      }
      current = this.currentFrom(response.responses[0]?.response_range?.kvs[0]);
    }
  }

  watch(prefixOrKey: string, options: WatchOptions, sink: WatchSink): WatchHandle {
    const isPrefix = prefixOrKey.endsWith("/");
    const key = this.etcdKey(prefixOrKey);
    const watch = new EtcdWatch(
      {
        client: this.client,
        clock: this.clock,
        key,
        ...(isPrefix ? { rangeEnd: Buffer.from(prefixEnd(this.mapKey(prefixOrKey))) } : {}),
        logicalKey: (etcdKey) => this.logicalKey(etcdKey),
        decode: (kv, revision) => this.decode(kv, revision),
        ownWrites: this.ownWrites,
        progressRequestsSupported: () => this.progressRequestsSupported(),
      },
      options,
      {
        event: (event) => sink.event(event),
        error: (error) => {
          this.watches.delete(watch);
          sink.error(error);
        },
      },
    );
    if (this.closed) watch.terminate(StorageError.unavailable(prefixOrKey, new Error("storage closed")));
    else this.watches.set(watch, prefixOrKey);
    if (this.version === undefined) this.serverVersion().catch(() => {});
    return {
      stop: () => {
        this.watches.delete(watch);
        watch.stop();
      },
      resume: () => watch.resume(),
      requestProgress: () => watch.requestProgress(),
    };
  }

  /** One linearizable (quorum) read: etcd's current revision. */
  async currentRevision(): Promise<number> {
    const response = await this.range({ key: Buffer.from(this.prefix || "/"), count_only: true }, { key: "" });
    return Number(response.header.revision);
  }

  async compactedRevision(): Promise<number> {
    const response = await this.range({ key: COMPACT_REVISION_KEY }, { key: "" });
    const kv = response.kvs[0];
    if (kv) this.noteCompacted(Number(kv.value.toString()) || 0);
    return this.knownCompacted;
  }

  async compact(revision: number): Promise<void> {
    const target = Math.min(revision, await this.currentRevision());
    if (target <= this.knownCompacted) return;
    try {
      await this.client.compact(target);
    } catch (error) {
      const mapped = toStorageError(error, { key: "", revision: target });
      if (mapped.code !== "Expired") throw mapped;
    }
    this.noteCompacted(target);
    // Record it where every replica's compactor and compactedRevision() look.
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await this.range({ key: COMPACT_REVISION_KEY }, { key: "" });
      const kv = response.kvs[0];
      if (kv && (Number(kv.value.toString()) || 0) >= target) return;
      const written = await this.call(
        () =>
          this.client.txn({
            compare: [
              {
                result: "Equal",
                target: "Mod",
                key: COMPACT_REVISION_KEY,
                mod_revision: kv ? Number(kv.mod_revision) : 0,
              },
            ],
            success: [{ request_put: { key: COMPACT_REVISION_KEY, value: Buffer.from(String(target)) } }],
            failure: [],
          }),
        { key: "" },
      );
      if (written.succeeded) return;
    }
  }

  async count(prefix: string): Promise<number> {
    const response = await this.range(
      { key: this.etcdKey(prefix), range_end: Buffer.from(prefixEnd(this.mapKey(prefix))), count_only: true },
      { key: prefix },
    );
    return Number(response.count);
  }

  async ping(): Promise<void> {
    if (this.closed) throw StorageError.unavailable("", new Error("storage closed"));
    await this.serverVersion();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor?.stop();
    const closed = StorageError.unavailable("", new Error("storage closed"));
    for (const watch of this.watches.keys()) watch.terminate(closed);
    this.watches.clear();
    this.ownWrites.clear();
    this.client.close();
  }

  private progressRequestsSupported(): boolean {
    const mode = this.options.progressRequests ?? "auto";
    if (mode !== "auto") return mode === "always";
    return this.version !== undefined && supportsProgressRequests(this.version);
  }

  /** `/registry/<rest>` → `<prefix>/<rest>`; keys outside /registry are a programming error. */
  private mapKey(key: string): string {
    if (key !== KEY_ROOT && !key.startsWith(`${KEY_ROOT}/`)) {
      throw new RangeError(`etcd storage: key ${JSON.stringify(key)} is not under ${KEY_ROOT}/`);
    }
    return this.prefix + key.slice(KEY_ROOT.length);
  }

  private etcdKey(key: string): Buffer {
    return Buffer.from(this.mapKey(key));
  }

  private logicalKey(etcdKey: Buffer): string {
    return KEY_ROOT + etcdKey.toString().slice(this.prefix.length);
  }

  /** A transaction writing `key`, announced to ownWrites so that a watch event overtaking its answer is kept. */
  private async write(key: string, request: TxnRequest): Promise<TxnResponse> {
    this.ownWrites.begin(key);
    try {
      const response = await this.call(() => this.client.txn(request), { key });
      this.observe(response.header.revision);
      return response;
    } finally {
      this.ownWrites.end(key);
    }
  }

  /** Whether one of this storage's watches will see a write to `key`. */
  private watched(key: string): boolean {
    for (const prefixOrKey of this.watches.values()) if (keyMatches(prefixOrKey, key)) return true;
    return false;
  }

  private async current(key: string): Promise<Current | null> {
    const response = await this.range({ key: this.etcdKey(key) }, { key });
    return this.currentFrom(response.kvs[0]);
  }

  private currentFrom(kv: KeyValue | undefined): Current | null {
    return kv ? { kv, object: this.decode(kv, Number(kv.mod_revision)) } : null;
  }

  private decode(kv: KeyValue, revision: number): StoredObject {
    return this.decodeValue(kv.value.toString(), revision);
  }

  private decodeValue(value: string, revision: number): StoredObject {
    return deepFreeze(withRevision(JSON.parse(value) as StoredObject, revision));
  }

  private async range(request: RangeRequest, read: FailedRead): Promise<RangeResponse> {
    const response = await this.call(() => this.client.range(request), read);
    this.observe(response.header.revision);
    return response;
  }

  private checkNotOlder(key: string, revision: number, response: RangeResponse): void {
    const at = Number(response.header.revision);
    if (at < revision) throw StorageError.tooLargeResourceVersion(key, revision, at);
  }

  private async call<T>(operation: () => Promise<T>, read: FailedRead): Promise<T> {
    if (this.closed) throw StorageError.unavailable(read.key, new Error("storage closed"));
    try {
      return await operation();
    } catch (error) {
      throw toStorageError(error, { ...read, knownRevision: this.knownRevision, knownCompacted: this.knownCompacted });
    }
  }

  private observe(revision: string): void {
    const value = Number(revision);
    if (value > this.knownRevision) this.knownRevision = value;
  }

  private noteCompacted(revision: number): void {
    if (revision > this.knownCompacted) this.knownCompacted = revision;
  }
}
