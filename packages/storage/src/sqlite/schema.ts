/**
 * The SQLite layout, MVCC in one table as etcd keeps it: every write is a row with its own
 * revision (the INTEGER PRIMARY KEY); `live` marks the one current, not-deleted version of
 * a key; `prev_revision` points at the live version a write replaced (the watch event's
 * prevObject). Tombstones (deleted = 1) keep DELETED events in the history until compacted.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS kv (
  revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  live INTEGER NOT NULL DEFAULT 0,
  prev_revision INTEGER,
  value TEXT
);
CREATE INDEX IF NOT EXISTS kv_key_revision ON kv (key, revision);
CREATE UNIQUE INDEX IF NOT EXISTS kv_live ON kv (key) WHERE live = 1;
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL,
  compacted INTEGER NOT NULL,
  schema_version INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (id, revision, compacted, schema_version) VALUES (1, 1, 0, 1);
`;

/** The database file inside a data directory. */
export const DATABASE_FILE = "apiserver.db";
