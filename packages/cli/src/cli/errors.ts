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
  | "CheckoutNotFound"
  | "InstallFailed"
  | "ServerFailed"
  | "DoctorFoundProblems"
  | "EditFailed";

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
