/**
 * Where audit events go: a file of JSON lines rotated by size (the lumberjack rules
 * kube-apiserver's --audit-log-* flags drive: backups named `<name>-<UTC time>.<ext>`,
 * at most --audit-log-maxbackup of them, none older than --audit-log-maxage days), or a
 * stream (`--audit-log-path -` is stdout). Writes are synchronous: Kubernetes' default
 * "blocking" mode, so an acknowledged request's event is on disk.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, extname, join } from "node:path";

export interface AuditBackend {
  /** One event as a JSON line (with its newline). */
  write(line: string): void;
  close(): void;
}

export interface AuditLogFileOptions {
  path: string;
  /** Rotate before the file would pass this size; 0: lumberjack's default, 100 MiB. */
  maxSizeBytes?: number;
  /** Backups kept; 0: all. */
  maxBackups?: number;
  /** Backups older than this many days are removed; 0: no age limit. */
  maxAgeDays?: number;
  now?: () => number;
}

const DEFAULT_MAX_SIZE = 100 * 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/** lumberjack's backup time format: 2006-01-02T15-04-05.000, UTC. */
function backupTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace(/:/g, "-");
}

function parseBackupTime(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(text);
  if (!m) return undefined;
  return Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
}

export class AuditLogFile implements AuditBackend {
  private fd: number;
  private size: number;
  private readonly maxSize: number;
  private readonly now: () => number;

  constructor(private readonly options: AuditLogFileOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.maxSize = options.maxSizeBytes || DEFAULT_MAX_SIZE;
    this.now = options.now ?? Date.now;
    this.fd = openSync(options.path, "a", 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxSize) this.rotate();
    writeSync(this.fd, line);
    this.size += bytes;
  }

  /** The backups now on disk, newest first. */
  backups(): string[] {
    return this.listBackups().map((b) => b.path);
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    const { path } = this.options;
    const ext = extname(path);
    const stem = join(dirname(path), basename(path, ext));
    // Two rotations in one millisecond must not overwrite each other's backup.
    let at = this.now();
    while (existsSync(`${stem}-${backupTime(at)}${ext}`)) at++;
    renameSync(path, `${stem}-${backupTime(at)}${ext}`);
    this.fd = openSync(path, "a", 0o600);
    this.size = 0;
    this.prune();
  }

  private listBackups(): Array<{ path: string; time: number }> {
    const { path } = this.options;
    const ext = extname(path);
    const prefix = `${basename(path, ext)}-`;
    const found: Array<{ path: string; time: number }> = [];
    for (const name of readdirSync(dirname(path))) {
      if (!name.startsWith(prefix) || !name.endsWith(ext)) continue;
      const time = parseBackupTime(name.slice(prefix.length, name.length - ext.length));
      if (time !== undefined) found.push({ path: join(dirname(path), name), time });
    }
    return found.sort((a, b) => b.time - a.time);
  }

  private prune(): void {
    const { maxBackups = 0, maxAgeDays = 0 } = this.options;
    const cutoff = maxAgeDays > 0 ? this.now() - maxAgeDays * DAY_MS : -Infinity;
    this.listBackups().forEach((backup, index) => {
      if ((maxBackups > 0 && index >= maxBackups) || backup.time < cutoff) rmSync(backup.path, { force: true });
    });
  }
}

/** Events to a stream (stdout for `--audit-log-path -`). */
export class AuditStream implements AuditBackend {
  constructor(private readonly stream: { write(chunk: string): unknown }) {}
  write(line: string): void {
    this.stream.write(line);
  }
  close(): void {}
}
