/**
 * Render everything in memory, then write (kubebuilder's machinery): an edit can target a file
 * created in the same run, a run that fails writes nothing, and --dry-run prints the same list
 * of changes a real run makes. Writing is all or nothing too: every file goes to a temporary
 * sibling first and is renamed into place only when all were written; a failure on the way puts
 * back what was replaced or removed and removes what was created.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { CliError, fromSystemError } from "../cli/errors.js";

/** Generated files are re-created on every run; user files are created once and then only edited. */
export type FileOwner = "generated" | "user";

export type ChangeKind = "create" | "update" | "unchanged" | "kept" | "overwrite" | "delete";

export interface FileChange {
  path: string;
  kind: ChangeKind;
  owner: FileOwner;
}

interface Entry {
  owner: FileOwner;
  /** Text on disk before the run; undefined when absent. */
  before: string | undefined;
  /** Text after the run; undefined: the file is removed. */
  after: string | undefined;
  /** An existing user file was replaced (--force). */
  replaced: boolean;
  /** An existing user file was left alone although a different text was rendered for it. */
  kept: boolean;
  mode?: number;
}

export interface ApplyOptions {
  dryRun?: boolean;
  /** Overwrite existing user files with freshly rendered ones. */
  force?: boolean;
}

export class FilePlan {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Absolute project root; paths are relative to it, with `/`. */
    readonly root: string,
    private readonly options: ApplyOptions = {},
  ) {}

  private disk(path: string): string | undefined {
    const absolute = join(this.root, path);
    if (!existsSync(absolute)) return undefined;
    try {
      return readFileSync(absolute, "utf8");
    } catch (error) {
      throw fromSystemError(error, `read ${absolute}`) ?? error;
    }
  }

  private entry(path: string, owner: FileOwner): Entry {
    let entry = this.entries.get(path);
    if (!entry) {
      const before = this.disk(path);
      entry = { owner, before, after: before ?? "", replaced: false, kept: false };
      this.entries.set(path, entry);
    }
    return entry;
  }

  /** The file's text as the run will leave it; undefined when it neither exists nor is planned. */
  read(path: string): string | undefined {
    const entry = this.entries.get(path);
    return entry ? entry.after : this.disk(path);
  }

  /** Every file under `dir` (relative, `/`-separated), on disk or planned. */
  files(dir: string): string[] {
    const found = new Set<string>();
    const walk = (absolute: string) => {
      if (!existsSync(absolute)) return;
      for (const entry of readdirSync(absolute, { withFileTypes: true })) {
        const path = join(absolute, entry.name);
        if (entry.isDirectory()) walk(path);
        else found.add(relative(this.root, path).split("\\").join("/"));
      }
    };
    walk(join(this.root, dir));
    for (const [path, entry] of this.entries) {
      if (!path.startsWith(`${dir}/`)) continue;
      if (entry.after === undefined) found.delete(path);
      else found.add(path);
    }
    return [...found].sort();
  }

  exists(path: string): boolean {
    return this.entries.has(path) || this.disk(path) !== undefined;
  }

  /** A generated file: always re-created. */
  generated(path: string, contents: string, mode?: number): void {
    const entry = this.entry(path, "generated");
    entry.owner = "generated";
    if (mode !== undefined) entry.mode = mode;
    entry.after = contents;
  }

  /** A generated file no longer produced: removed when present. */
  remove(path: string): void {
    if (!this.exists(path)) return;
    const entry = this.entry(path, "generated");
    entry.after = undefined;
  }

  /** A user-owned file: created when missing; an existing one is kept unless --force. */
  user(path: string, contents: string, mode?: number): void {
    const entry = this.entry(path, "user");
    if (mode !== undefined) entry.mode = mode;
    if (entry.before === undefined || this.options.force) {
      entry.after = contents;
      entry.replaced = entry.before !== undefined && entry.before !== contents;
    } else if (entry.after !== contents) {
      entry.kept = true;
    }
  }

  /**
   * An addition to a user file (existing or planned in this run): `change` returns the new text,
   * or the same text when the addition is already there.
   */
  edit(path: string, change: (text: string) => string): void {
    const current = this.read(path);
    if (current === undefined) {
      throw new CliError(
        "EditFailed",
        `${path} is missing, so it can't be edited`,
        "restore it, or re-create it with --force",
      );
    }
    const entry = this.entry(path, "user");
    entry.after = change(current);
  }

  changes(): FileChange[] {
    return [...this.entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, entry]) => ({ path, owner: entry.owner, kind: changeKind(entry) }));
  }

  /** Writes every change (unless dry run), all or nothing, and returns the list. */
  apply(): FileChange[] {
    const changes = this.changes();
    if (this.options.dryRun) return changes;
    const transaction = new WriteTransaction();
    let doing = `write ${this.root}`;
    try {
      for (const change of changes) {
        if (change.kind === "unchanged" || change.kind === "kept") continue;
        const entry = this.entries.get(change.path) as Entry;
        const path = join(this.root, change.path);
        doing = `write ${path}`;
        if (entry.after === undefined) transaction.remove(path);
        else transaction.write(path, entry.after, entry.mode);
      }
      transaction.commit((target, removing) => {
        doing = `${removing ? "remove" : "write"} ${target}`;
      });
    } catch (error) {
      const unrestored = transaction.rollBack();
      throw writeFailure(error, doing, unrestored);
    }
    transaction.finish();
    return changes;
  }
}

/** A failed write (`doing`: "write /p/x.ts") as a CliError naming the file, and saying whether everything was put back. */
function writeFailure(error: unknown, doing: string, unrestored: string[]): unknown {
  const failure = error instanceof CliError ? error : fromSystemError(error, doing);
  if (!failure) return error;
  const outcome =
    unrestored.length === 0
      ? "no file was changed"
      : `these could not be put back as they were: ${unrestored.join(", ")}`;
  return new CliError(failure.code, `${failure.message}; ${outcome}`, failure.fix, failure.exitCode);
}

const TEMPORARY = /\.scaffold-(new|old)$/;

/** Whether a file name is one of the temporary siblings a run writes while it applies its changes. */
export function isTemporaryFile(name: string): boolean {
  return TEMPORARY.test(name);
}

let temporaries = 0;
const sibling = (path: string, suffix: "new" | "old") =>
  join(dirname(path), `.${basename(path)}.${process.pid}-${++temporaries}.scaffold-${suffix}`);

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

interface Staged {
  /** The file to replace or create; where a symbolic link points for a link. */
  target: string;
  /** The new text, written beside the target; undefined for a removal. */
  temporary?: string;
  /** The previous file, hard-linked (or copied) beside it until the run is over. */
  backup?: string;
  /** Renamed into place (or, for a removal, away). */
  done: boolean;
}

/**
 * Writes files in two steps: `write` puts each new text in a temporary sibling (creating missing
 * folders), `commit` renames them over their targets after backing up the files they replace;
 * `rollBack` undoes either step, `finish` drops the backups.
 */
class WriteTransaction {
  private readonly staged: Staged[] = [];
  private readonly folders: string[] = [];

  write(path: string, text: string, mode: number | undefined): void {
    const stats = lstatOrUndefined(path);
    const target = stats?.isSymbolicLink() && existsSync(path) ? realpathSync(path) : path;
    ensureDirectory(dirname(target), this.folders);
    const staged: Staged = { target, temporary: sibling(target, "new"), done: false };
    this.staged.push(staged);
    writeFileSync(staged.temporary as string, text, { flag: "wx", ...(mode === undefined ? {} : { mode }) });
    // A replaced file keeps its mode (as a write in place would).
    const existing = lstatOrUndefined(target);
    if (existing?.isFile()) chmodSync(staged.temporary as string, existing.mode & 0o7777);
  }

  remove(path: string): void {
    this.staged.push({ target: path, done: false });
  }

  /** Moves every staged file into place; `at` hears of each target before it is touched. */
  commit(at: (target: string, removing: boolean) => void): void {
    for (const staged of this.staged) {
      at(staged.target, staged.temporary === undefined);
      const existing = lstatOrUndefined(staged.target);
      if (staged.temporary === undefined) {
        if (existing === undefined) continue;
        staged.backup = sibling(staged.target, "old");
        renameSync(staged.target, staged.backup);
      } else {
        if (existing?.isFile()) {
          staged.backup = sibling(staged.target, "old");
          try {
            linkSync(staged.target, staged.backup);
          } catch {
            copyFileSync(staged.target, staged.backup);
          }
        }
        renameSync(staged.temporary, staged.target);
      }
      staged.done = true;
    }
  }

  /** Undoes everything, last first; returns the files it could not put back. */
  rollBack(): string[] {
    const failed: string[] = [];
    for (const staged of [...this.staged].reverse()) {
      try {
        if (staged.temporary !== undefined) rmSync(staged.temporary, { force: true });
        if (staged.done) {
          if (staged.backup !== undefined) renameSync(staged.backup, staged.target);
          else rmSync(staged.target, { force: true });
        } else if (staged.backup !== undefined) rmSync(staged.backup, { force: true });
      } catch {
        failed.push(staged.target);
      }
    }
    for (const folder of [...this.folders].reverse()) {
      try {
        rmdirSync(folder);
      } catch {
        // Not empty (something else wrote there) or gone: leave it.
      }
    }
    return failed;
  }

  /** Drops the backups of a run that went through. */
  finish(): void {
    for (const staged of this.staged) if (staged.backup !== undefined) rmSync(staged.backup, { force: true });
  }
}

/**
 * Creates `dir` and its missing parents one level at a time: a parent that is a file is named,
 * and a directory that refuses new entries (/proc) fails at once, where Node's recursive mkdir
 * retried it forever. The folders it creates are added to `created`.
 */
function ensureDirectory(dir: string, created: string[]): void {
  const missing: string[] = [];
  let current = dir;
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (missing.length === 0 && statSync(dir).isDirectory()) return;
  if (existsSync(current) && !statSync(current).isDirectory()) {
    throw new CliError(
      "WriteFailed",
      `cannot create the directory ${missing[0] ?? dir}: ${current} is a file`,
      "choose a path whose parents are directories, or move the file away",
    );
  }
  for (const path of missing) {
    mkdirSync(path);
    created.push(path);
  }
}

function changeKind(entry: Entry): ChangeKind {
  if (entry.after === undefined) return entry.before === undefined ? "unchanged" : "delete";
  if (entry.before === undefined) return "create";
  if (entry.before === entry.after) return entry.kept ? "kept" : "unchanged";
  return entry.replaced ? "overwrite" : "update";
}

const VERBS: Record<ChangeKind, string> = {
  create: "create   ",
  update: "update   ",
  overwrite: "overwrite",
  unchanged: "unchanged",
  kept: "keep     ",
  delete: "delete   ",
};

/** One line per file: what happened (or, with --dry-run, would happen) to it. */
export function describeChanges(changes: readonly FileChange[], dryRun: boolean): string[] {
  const lines = changes
    .filter((change) => change.kind !== "unchanged")
    .map((change) => `  ${VERBS[change.kind]} ${change.path}${change.owner === "generated" ? " (generated)" : ""}`);
  if (lines.length === 0) return [dryRun ? "nothing would change" : "nothing changed"];
  return [dryRun ? "would change (dry run, nothing written):" : "files:", ...lines];
}
