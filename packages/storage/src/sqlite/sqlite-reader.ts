import Database from "better-sqlite3";
import { prefixEnd } from "../objects.js";

export interface Meta {
  readonly revision: number;
  readonly compacted: number;
}

/** A version of a key: its revision and stored JSON. */
export interface VersionRow {
  readonly key: string;
  readonly revision: number;
  readonly value: string;
}

/** One write from the history, with the version it replaced (for DELETED, the deleted one). */
export interface HistoryRow {
  readonly revision: number;
  readonly key: string;
  readonly deleted: number;
  readonly value: string | null;
  readonly prevRevision: number | null;
  readonly prevValue: string | null;
}

/**
 * The main thread's read-only connection. In WAL mode readers never wait for the writer
 * thread and never sync: a read costs page-cache work only. Reads that must agree with
 * each other run inside `snapshot` (one read transaction).
 */
export class SqliteReader {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true });
    const db = this.db;
    this.statements = {
      meta: db.prepare<[], Meta>("SELECT revision, compacted FROM meta WHERE id = 1"),
      live: db.prepare<[string], VersionRow>("SELECT key, revision, value FROM kv WHERE key = ? AND live = 1"),
      at: db.prepare<[string, number], VersionRow & { deleted: number }>(
        "SELECT key, revision, deleted, value FROM kv WHERE key = ? AND revision <= ? ORDER BY revision DESC LIMIT 1",
      ),
      scanLive: db.prepare<[string, string], VersionRow>(
        "SELECT key, revision, value FROM kv WHERE live = 1 AND key > ? AND key < ? ORDER BY key",
      ),
      countLive: db.prepare<[string, string], { n: number }>(
        "SELECT count(*) AS n FROM kv WHERE live = 1 AND key > ? AND key < ?",
      ),
      scanAt: db.prepare<[string, string, number], VersionRow>(
        `SELECT kv.key, kv.revision, kv.value FROM kv JOIN (
           SELECT max(revision) AS revision FROM kv WHERE key > ? AND key < ? AND revision <= ? GROUP BY key
         ) AS latest ON kv.revision = latest.revision WHERE kv.deleted = 0 ORDER BY kv.key`,
      ),
      history: db.prepare<[number, number, number], HistoryRow>(
        `SELECT kv.revision, kv.key, kv.deleted, kv.value, kv.prev_revision AS prevRevision, prev.value AS prevValue
         FROM kv LEFT JOIN kv AS prev ON prev.revision = kv.prev_revision
         WHERE kv.revision > ? AND kv.revision <= ? ORDER BY kv.revision LIMIT ?`,
      ),
      ping: db.prepare<[], { one: number }>("SELECT 1 AS one"),
    };
  }

  /** Runs `read` in one read transaction, so every statement in it sees the same revision. */
  snapshot<T>(read: () => T): T {
    return this.db.transaction(read)();
  }

  meta(): Meta {
    return this.statements.meta.get() as Meta;
  }

  live(key: string): VersionRow | undefined {
    return this.statements.live.get(key);
  }

  /** The key's version at `revision`, or undefined when it did not exist then. */
  at(key: string, revision: number): VersionRow | undefined {
    const row = this.statements.at.get(key, revision);
    return row && row.deleted === 0 ? row : undefined;
  }

  /** Versions under `prefix` with keys after `afterKey`, in key order: live ones, or those at `revision`. */
  scan(prefix: string, afterKey: string, revision?: number): IterableIterator<VersionRow> {
    const end = prefixEnd(prefix);
    return revision === undefined
      ? this.statements.scanLive.iterate(afterKey, end)
      : this.statements.scanAt.iterate(afterKey, end, revision);
  }

  count(prefix: string, afterKey: string, revision?: number): number {
    if (revision === undefined) return (this.statements.countLive.get(afterKey, prefixEnd(prefix)) as { n: number }).n;
    let n = 0;
    for (const _ of this.scan(prefix, afterKey, revision)) n++;
    return n;
  }

  history(after: number, upTo: number, max: number): HistoryRow[] {
    return this.statements.history.all(after, upTo, max);
  }

  ping(): void {
    this.statements.ping.get();
  }

  close(): void {
    this.db.close();
  }
}
