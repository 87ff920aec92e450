/**
 * Failures particular to storage over data kept or computed elsewhere. Both carry a
 * `reason` the API layer can switch on, like StorageError's `code`.
 */

/** A write the storage does not support: the source has no put (create, update) or no remove (delete). */
export type WriteVerb = "create" | "update" | "delete";

/**
 * A write refused because the storage is read-only for it. Kubernetes answers 405 with
 * reason MethodNotAllowed (apierrors.NewMethodNotSupported); the runtime maps it so.
 */
export class MethodNotAllowedError extends Error {
  override readonly name = "MethodNotAllowedError";
  readonly reason = "MethodNotAllowed";
  constructor(
    readonly verb: WriteVerb,
    readonly key: string,
  ) {
    super(`${verb} is not supported by this storage: ${key}`);
  }
}

export function isMethodNotAllowedError(error: unknown): error is MethodNotAllowedError {
  return error instanceof MethodNotAllowedError;
}

/**
 * Why reading the source failed: it threw (`SourceFailed`), or it returned an object the
 * storage cannot place (`InvalidObject`: no name, a bad namespace, a key listed twice).
 */
export type SourceErrorReason = "SourceFailed" | "InvalidObject";

/** A failed read of the source (a list, a get, a compute), as reported to `onSyncError`. */
export class SourceError extends Error {
  override readonly name = "SourceError";
  constructor(
    readonly reason: SourceErrorReason,
    /** The key or prefix that was being read. */
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static failed(key: string, cause: unknown): SourceError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new SourceError("SourceFailed", key, `reading the source for ${key} failed: ${detail}`, { cause });
  }

  static invalidObject(key: string, problem: string): SourceError {
    return new SourceError("InvalidObject", key, `the source returned an invalid object under ${key}: ${problem}`);
  }
}
