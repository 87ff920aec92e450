/**
 * Every way a command fails, as a value: a code a caller can act on, a message saying what is
 * wrong, and what to do about it.
 */
export type CliErrorCode =
  | "NotAProject"
  | "ProjectExists"
  | "InvalidArgument"
  | "KindExists"
  | "KindNotFound"
  | "VersionExists"
  | "VersionNotFound"
  | "UserFileExists"
  | "CodegenFailed"
  | "CompileFailed"
  | "GeneratedFilesStale"
  | "RemovedKindInUse"
  | "CheckoutNotFound"
  | "InstallFailed"
  | "ServerFailed"
  | "DoctorFoundProblems"
  | "EditFailed"
  | "WriteFailed";

export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** What to do about it, in one sentence. */
    readonly fix?: string,
    /** The process exit code; 1 unless a command says otherwise. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError;
}

const SYSCALL_VERBS: Record<string, string> = {
  mkdir: "create the directory",
  open: "open",
  scandir: "read the directory",
  readdir: "read the directory",
  unlink: "remove",
  rmdir: "remove",
  rm: "remove",
  rename: "rename",
  symlink: "link",
  copyfile: "copy",
  chmod: "change the mode of",
};

const SYSTEM_FIXES: Record<string, [reason: string, fix: string]> = {
  EACCES: ["permission denied", "choose a directory you can write to, or change its permissions"],
  EPERM: ["operation not permitted", "choose a directory you can write to, or change its permissions"],
  EROFS: ["read-only file system", "choose a directory on a writable file system"],
  ENOSPC: ["no space left on device", "free some space and run the command again"],
  ENOTDIR: ["a part of the path is a file, not a directory", "choose a path whose parents are directories"],
  EISDIR: ["it is a directory", "remove or rename the directory"],
  ENOENT: ["no such file or directory", "check the path; its parent directories must exist or be creatable"],
  EEXIST: ["it already exists", "remove it or choose another path"],
};

/**
 * A Node.js filesystem error (EACCES, ENOTDIR, ENOSPC...) as a CliError that names the path and
 * says what to do; undefined for anything else. `what` says what failed instead of the system
 * call and its path (`write /p/src/x.ts` where a temporary file of it was opened).
 */
export function fromSystemError(error: unknown, what?: string): CliError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  if (typeof code !== "string" || typeof syscall !== "string" || !/^E[A-Z]+$/.test(code)) return undefined;
  const [reason, fix] = SYSTEM_FIXES[code] ?? [code, "check the path and its permissions"];
  const verb = SYSCALL_VERBS[syscall] ?? syscall;
  const failed = what ?? (typeof path === "string" ? `${verb} ${path}` : verb);
  return new CliError("WriteFailed", `cannot ${failed}: ${reason} (${code})`, fix);
}
