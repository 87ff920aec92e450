/**
 * `GET /debug/storage/backup`: an online backup of the embedded SQLite store, streamed to the
 * client while the server keeps serving — the shape of etcd's snapshot (`etcdctl snapshot
 * save` asks the running member over its API). Authorized like /metrics, as a non-resource
 * request; the copy holds exactly one revision, sent in a header. See docs/guides/backup-and-restore.md.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Storage } from "@apiserver-kit/storage";
import { StatusError } from "../api/errors.js";
import type { HttpResponse } from "./http.js";

export const STORAGE_BACKUP_PATH = "/debug/storage/backup";
/** The revision the backup holds: a server restored from it answers with this resourceVersion. */
export const BACKUP_REVISION_HEADER = "X-Backup-Revision";

/** What SqliteStorage offers: an online backup through its writer, and where its files live. */
interface BackupCapable {
  readonly dataDir: string;
  backup(toPath: string): Promise<{ revision: number }>;
}

function canBackUp(storage: Storage): storage is Storage & BackupCapable {
  const candidate = storage as Partial<BackupCapable>;
  return typeof candidate.backup === "function" && typeof candidate.dataDir === "string";
}

export async function serveStorageBackup(res: HttpResponse, storage: Storage): Promise<void> {
  if (!canBackUp(storage)) {
    throw new StatusError(
      404,
      "NotFound",
      `the ${storage.name} storage has no online backup here: back up etcd with etcdctl snapshot save`,
      {},
    );
  }
  // The copy is written beside the database (the volume that has room for it) and removed once sent.
  const dir = mkdtempSync(join(storage.dataDir, ".backup-"));
  try {
    const file = join(dir, "apiserver.db");
    const { revision } = await storage.backup(file);
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/vnd.sqlite3");
    res.setHeader("Content-Length", statSync(file).size);
    res.setHeader("Content-Disposition", `attachment; filename="apiserver-${revision}.db"`);
    res.setHeader("Cache-Control", "no-cache, private");
    res.setHeader(BACKUP_REVISION_HEADER, String(revision));
    try {
      await pipeline(createReadStream(file), res as NodeJS.WritableStream);
    } catch (error) {
      // A client that goes away mid-download is not the server's error.
      if (!res.destroyed) throw error;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
