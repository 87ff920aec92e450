import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { type Clock, systemClock } from "../clock.js";
import { StorageError } from "../errors.js";
import type {
  DeleteOptions,
  GetOptions,
  ListOptions,
  ListResult,
  ObjectWatchEvent,
  ReadConsistency,
  Storage,
  StoredObject,
  UpdateFunction,
  UpdateOptions,
  WatchHandle,
  WatchOptions,
  WatchSink,
} from "../interface.js";
import { continueRevision, type EntryReader, listPage } from "../list/page.js";
import { checkPreconditions, deepFreeze, encodeForStorage, withRevision } from "../objects.js";
import { firstAfter } from "../watch/revisions.js";
import { type EventLog, WatcherSet } from "../watch/watcher-set.js";
import { DataDirLock } from "./data-dir-lock.js";
import { RetentionCompactor } from "./retention-compactor.js";
import { DATABASE_FILE } from "./schema.js";
import { type HistoryRow, type Meta, SqliteReader, type VersionRow } from "./sqlite-reader.js";
import type {
  Synchronous,
  WorkerMessage,
  WorkerOutcome,
  WorkerRequest,
  WriteOp,
  WriterStatus,
  WriterWorkerData,
} from "./writer-protocol.js";

export type { Synchronous, WriterStatus } from "./writer-protocol.js";

export interface SqliteStorageOptions {
  /** The server's data directory; created when missing. One process owns it at a time. */
  dataDir: string;
  /**
   * "full" (default): every acknowledged write survives kill -9 and an OS crash or power
   * loss. "normal": WAL without a sync per commit: survives kill -9, but an OS crash may
   * lose the last commits before the next checkpoint (never corrupts).
   */
  synchronous?: Synchronous;
  /** How often scheduled compaction runs; 0 turns it off. Default 60 s. */
  compactionIntervalMs?: number;
  /** History kept by scheduled compaction (watch resumption, continue tokens). Default 5 min. */
  retentionMs?: number;
  /** Recent events kept in memory for watches; older ones are read from the database. Default 4096. */
  recentEvents?: number;
  clock?: Clock;
  /** For tests only. */
  testHooks?: {
    /** Blocks the writer thread this long inside every commit, like a slow fsync. */
    commitDelayMs?: number;
  };
}

type WriteOutcome = WorkerOutcome & { ok: true; revision: number };
type Pending = {
  resolve(outcome: WorkerOutcome): void;
  reject(error: Error): void;
  onCommit?: (revision: number) => void;
};
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, "id"> : never) : never;

interface Current {
  readonly revision: number;
  readonly value: string;
  readonly object: StoredObject;
}

const ENTRY: EntryReader<VersionRow> = { key: (row) => row.key, object: decodeRow };

/**
 * The embedded default backend: one SQLite database file in a data directory, MVCC history
 * for reads at past revisions and watch resumption, writes on a worker thread with group
 * commit, and an OS-level lock so that one process owns the directory.
 */
export class SqliteStorage implements Storage {
  readonly name = "sqlite";
  private head: number;
  private compacted: number;
  private readonly recent: ObjectWatchEvent[] = [];
  private readonly log: EventLog = {
    head: () => this.head,
    oldest: () => this.compacted,
    readAfter: (after, max) => this.readAfter(after, max),
  };
  private readonly watchers = new WatcherSet(this.log);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private failure: Error | undefined;
  private readonly compactor: RetentionCompactor | undefined;

  private constructor(
    readonly dataDir: string,
    private readonly lock: DataDirLock,
    private readonly worker: Worker,
    private readonly reader: SqliteReader,
    meta: Meta,
    private readonly recentLimit: number,
    clock: Clock,
    compactionIntervalMs: number,
    retentionMs: number,
  ) {
    this.head = meta.revision;
    this.compacted = meta.compacted;
    worker.on("message", (message: WorkerMessage) => {
      if (message.kind === "outcomes") this.settle(message.outcomes);
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", () => {
      if (!this.closed) this.fail(new Error("the SQLite writer thread exited"));
    });
    if (compactionIntervalMs > 0) {
      this.compactor = new RetentionCompactor(
        clock,
        compactionIntervalMs,
        retentionMs,
        () => this.head,
        (revision) => this.compact(revision),
      );
      this.compactor.start();
    }
  }

  /** Opens (creating when needed) the database in `options.dataDir`, taking ownership of the directory. */
  static async open(options: SqliteStorageOptions): Promise<SqliteStorage> {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const lock = DataDirLock.acquire(dataDir);
    const file = join(dataDir, DATABASE_FILE);
    let worker: Worker | undefined;
    try {
      const workerData: WriterWorkerData = {
        file,
        synchronous: options.synchronous ?? "full",
        commitDelayMs: options.testHooks?.commitDelayMs ?? 0,
      };
      worker = new Worker(new URL("./writer-worker.js", import.meta.url), { workerData });
      const meta = await writerReady(worker, dataDir);
      const reader = new SqliteReader(file);
      return new SqliteStorage(
        dataDir,
        lock,
        worker,
        reader,
        meta,
        options.recentEvents ?? 4096,
        options.clock ?? systemClock,
        options.compactionIntervalMs ?? 60_000,
        options.retentionMs ?? 300_000,
      );
    } catch (error) {
      await worker?.terminate();
      lock.release();
      throw error;
    }
  }

  /**
   * Puts a backup taken with `backup()` into a new data directory (refusing one that already
   * holds a database), after checking it. Open it afterwards with `SqliteStorage.open`.
   */
  static restore(backupFile: string, dataDir: string): void {
    const target = join(resolve(dataDir), DATABASE_FILE);
    if (existsSync(target)) {
      throw new StorageError("Unavailable", "", `cannot restore into ${dataDir}: it already holds a database`);
    }
    const check = new Database(backupFile, { readonly: true, fileMustExist: true });
    try {
      const result = check.pragma("quick_check", { simple: true });
      if (result !== "ok") throw new StorageError("Unavailable", "", `backup ${backupFile} is damaged: ${result}`);
      check.prepare("SELECT revision FROM meta WHERE id = 1").get();
    } finally {
      check.close();
    }
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.restoring`;
    copyFileSync(backupFile, temporary);
    syncPath(temporary);
    renameSync(temporary, target);
    syncPath(dirname(target));
  }

  async get(key: string, options: GetOptions = {}): Promise<StoredObject | null> {
    this.checkOpen(key);
    return this.reader.snapshot(() => {
      const at = this.readRevision(key, options.consistency, this.reader.meta());
      const row = at === undefined ? this.reader.live(key) : this.reader.at(key, at);
      return row ? decodeRow(row) : null;
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen(prefix);
    return this.reader.snapshot(() => {
      const meta = this.reader.meta();
      const continueAt = options.continueFrom && continueRevision(options.continueFrom);
      const consistency: ReadConsistency | undefined = options.continueFrom
        ? continueAt === undefined
          ? { kind: "consistent" }
          : { kind: "exact", revision: continueAt }
        : options.consistency;
      const at = this.readRevision(prefix, consistency, meta);
      const after = options.continueFrom?.key ?? prefix;
      return listPage(this.reader.scan(prefix, after, at), ENTRY, options, at ?? meta.revision, (afterKey) =>
        this.reader.count(prefix, afterKey, at),
      );
    });
  }

  async create(key: string, object: StoredObject): Promise<StoredObject> {
    this.checkOpen(key);
    const value = encodeForStorage(object);
    let stored: StoredObject | undefined;
    const outcome = await this.write({ op: "create", key, value }, (revision) => {
      stored = decode(value, revision);
      return { type: "ADDED", key, object: stored, revision };
    });
    if (!outcome.ok) throw this.refusal(key, outcome);
    return stored as StoredObject;
  }

  async guaranteedUpdate(key: string, update: UpdateFunction, options: UpdateOptions = {}): Promise<StoredObject> {
    for (;;) {
      this.checkOpen(key);
      const current = this.current(key);
      if (!current && !options.allowCreate) throw StorageError.keyNotFound(key);
      if (current) checkPreconditions(key, options.preconditions, current.object);
      const next = await update(current?.object ?? null);
      const value = encodeForStorage(next);
      if (current && current.value === value) return current.object;
      let stored: StoredObject | undefined;
      const outcome = await this.write({ op: "update", key, expected: current?.revision ?? 0, value }, (revision) => {
        stored = decode(value, revision);
        return current
          ? { type: "MODIFIED", key, object: stored, prevObject: current.object, revision }
          : { type: "ADDED", key, object: stored, revision };
      });
      if (outcome.ok) return stored as StoredObject;
      // Another write landed since the read: recompute on the new state.
      if (outcome.code !== "Conflict") throw this.refusal(key, outcome);
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<StoredObject> {
    for (;;) {
      this.checkOpen(key);
      const current = this.current(key);
      if (!current) throw StorageError.keyNotFound(key);
      checkPreconditions(key, options.preconditions, current.object);
      if (options.validateDeletion) await options.validateDeletion(current.object);
      let last: StoredObject | undefined;
      const outcome = await this.write({ op: "delete", key, expected: current.revision }, (revision) => {
        last = deepFreeze(withRevision(current.object, revision));
        return { type: "DELETED", key, object: last, prevObject: current.object, revision };
      });
      if (outcome.ok) return last as StoredObject;
      if (outcome.code !== "Conflict") throw this.refusal(key, outcome);
    }
  }

  watch(prefixOrKey: string, options: WatchOptions, sink: WatchSink): WatchHandle {
    const unavailable =
      this.closed || this.failure ? StorageError.unavailable(prefixOrKey, this.failure ?? closedError()) : undefined;
    return this.watchers.add(prefixOrKey, options, sink, unavailable);
  }

  /** The revision of the newest write this process has acknowledged: no I/O. */
  async currentRevision(): Promise<number> {
    return this.head;
  }

  currentRevisionNow(): number {
    return this.head;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen("");
    const outcome = await this.send({ kind: "compact", revision });
    if (!outcome.ok) throw this.refusal("", outcome);
    if ("revision" in outcome) this.compacted = Math.max(this.compacted, outcome.revision);
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen(prefix);
    return this.reader.count(prefix, prefix);
  }

  async ping(): Promise<void> {
    this.checkOpen("");
    try {
      this.reader.ping();
    } catch (error) {
      throw StorageError.unavailable("", error);
    }
  }

  /**
   * An online backup to `toPath` (a new file) through SQLite's backup API, while writes
   * continue; resolves with the revision the copy holds (one consistent revision).
   */
  async backup(toPath: string): Promise<{ revision: number }> {
    this.checkOpen("");
    const path = resolve(toPath);
    if (existsSync(path)) throw new StorageError("Unavailable", "", `backup target ${path} already exists`);
    const outcome = await this.send({ kind: "backup", path });
    if (!outcome.ok) throw this.refusal("", outcome);
    return { revision: (outcome as WriteOutcome).revision };
  }

  /** The writer connection's settings and counters (journal mode, synchronous, commits, writes). */
  async status(): Promise<WriterStatus> {
    this.checkOpen("");
    const outcome = await this.send({ kind: "status" });
    if (!outcome.ok || !("status" in outcome)) throw this.refusal("", outcome);
    return outcome.status;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor?.stop();
    this.watchers.failAll(StorageError.unavailable("", closedError()));
    if (!this.failure) {
      const exited = new Promise((resolve) => this.worker.once("exit", resolve));
      await this.send({ kind: "close" }).catch(() => {});
      await exited;
    }
    this.reader.close();
    this.lock.release();
  }

  private current(key: string): Current | undefined {
    const row = this.reader.live(key);
    return row ? { revision: row.revision, value: row.value, object: decodeRow(row) } : undefined;
  }

  /** The revision a read happens at: undefined = the live (latest) state. */
  private readRevision(key: string, consistency: ReadConsistency | undefined, meta: Meta): number | undefined {
    if (!consistency || consistency.kind === "consistent" || consistency.kind === "any") return undefined;
    if (consistency.revision > meta.revision)
      throw StorageError.tooLargeResourceVersion(key, consistency.revision, meta.revision);
    if (consistency.kind === "notOlderThan") return undefined;
    if (consistency.revision < meta.compacted) throw StorageError.expired(key, consistency.revision, meta.compacted);
    return consistency.revision;
  }

  private readAfter(after: number, max: number): readonly ObjectWatchEvent[] {
    if (after < this.compacted) throw StorageError.expired("", after, this.compacted);
    const oldest = this.recent[0];
    if (oldest && after >= oldest.revision - 1) {
      const start = firstAfter(this.recent, after);
      return this.recent.slice(start, start + max);
    }
    return this.reader.history(after, this.head, max).map(decodeHistory);
  }

  private write(op: WriteOp, onCommit: (revision: number) => ObjectWatchEvent): Promise<WorkerOutcome> {
    return this.send({ kind: "write", write: op }, (revision) => this.publish(onCommit(revision)));
  }

  private publish(event: ObjectWatchEvent): void {
    this.head = event.revision;
    this.recent.push(event);
    // Trimmed in chunks so that appending stays O(1) amortized.
    if (this.recent.length >= this.recentLimit * 2) this.recent.splice(0, this.recent.length - this.recentLimit);
  }

  private send(request: Request, onCommit?: (revision: number) => void): Promise<WorkerOutcome> {
    if (this.failure) return Promise.reject(StorageError.unavailable("", this.failure));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, onCommit ? { resolve, reject, onCommit } : { resolve, reject });
      this.worker.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  /** Outcomes arrive in commit order: publish each write's event before its caller resumes. */
  private settle(outcomes: readonly WorkerOutcome[]): void {
    for (const outcome of outcomes) {
      const pending = this.pending.get(outcome.id);
      if (!pending) continue;
      this.pending.delete(outcome.id);
      if (outcome.ok && "revision" in outcome) pending.onCommit?.(outcome.revision);
      pending.resolve(outcome);
    }
    this.watchers.notify();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    const unavailable = StorageError.unavailable("", error);
    for (const pending of this.pending.values()) pending.reject(unavailable);
    this.pending.clear();
    this.watchers.failAll(unavailable);
  }

  private refusal(key: string, outcome: WorkerOutcome): StorageError {
    if (outcome.ok) return StorageError.unavailable(key);
    if ("message" in outcome) return StorageError.unavailable(key, new Error(outcome.message));
    return outcome.code === "KeyExists" ? StorageError.keyExists(key) : StorageError.conflict(key);
  }

  private checkOpen(key: string): void {
    if (this.closed) throw StorageError.unavailable(key, closedError());
    if (this.failure) throw StorageError.unavailable(key, this.failure);
  }
}

function closedError(): Error {
  return new Error("storage closed");
}

function decode(value: string, revision: number): StoredObject {
  return deepFreeze(withRevision(JSON.parse(value) as StoredObject, revision));
}

function decodeRow(row: VersionRow): StoredObject {
  return decode(row.value, row.revision);
}

function decodeHistory(row: HistoryRow): ObjectWatchEvent {
  const prevObject =
    row.prevValue !== null && row.prevRevision !== null ? decode(row.prevValue, row.prevRevision) : undefined;
  if (row.deleted) {
    const object = decode(row.prevValue ?? "{}", row.revision);
    return prevObject
      ? { type: "DELETED", key: row.key, object, prevObject, revision: row.revision }
      : { type: "DELETED", key: row.key, object, revision: row.revision };
  }
  const object = decode(row.value ?? "{}", row.revision);
  return prevObject
    ? { type: "MODIFIED", key: row.key, object, prevObject, revision: row.revision }
    : { type: "ADDED", key: row.key, object, revision: row.revision };
}

function writerReady(worker: Worker, dataDir: string): Promise<Meta> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.kind === "ready") resolve({ revision: message.revision, compacted: message.compacted });
      else if (message.kind === "fatal")
        reject(new StorageError("Unavailable", "", `cannot open the database in ${dataDir}: ${message.message}`));
      else return;
      worker.off("message", onMessage);
    };
    worker.on("message", onMessage);
    worker.once("error", reject);
  });
}

/** fsync a file or directory, so a rename or copy survives an OS crash. */
function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
