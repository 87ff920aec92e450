import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { StorageError } from "../errors.js";

const LOCK_FILE = "owner.lock";
const PID_FILE = "owner.pid";

/**
 * Ownership of a data directory by one process at a time. The lock is an SQLite database
 * held in an open EXCLUSIVE transaction: SQLite's fcntl lock, which the OS drops when the
 * process dies, so a `kill -9`'d owner never blocks the restart (unlike a pidfile). The
 * pid file beside it is only there to name the owner in the error message.
 */
export class DataDirLock {
  private constructor(
    private readonly dataDir: string,
    private readonly db: Database.Database,
  ) {}

  /** Takes the lock or fails at once with Unavailable naming the directory and its owner. */
  static acquire(dataDir: string): DataDirLock {
    let db: Database.Database | undefined;
    try {
      db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
      db.pragma("locking_mode = EXCLUSIVE");
      db.exec("BEGIN EXCLUSIVE");
    } catch (error) {
      db?.close();
      if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
      const owner = readOwner(dataDir);
      throw new StorageError(
        "Unavailable",
        "",
        `data directory ${dataDir} is in use by another process${owner ? ` (pid ${owner})` : ""}: ` +
          "only one server may own a data directory at a time",
        undefined,
        { cause: error },
      );
    }
    writeFileSync(join(dataDir, PID_FILE), `${process.pid}\n`);
    return new DataDirLock(dataDir, db);
  }

  release(): void {
    if (!this.db.open) return;
    rmSync(join(this.dataDir, PID_FILE), { force: true });
    this.db.close();
  }
}

function readOwner(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, PID_FILE), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
