/**
 * Typed storage failures (k8s.io/apiserver storage.StorageError). The API layer turns
 * each code into its Kubernetes Status: KeyNotFound → 404, KeyExists → 409
 * AlreadyExists, Conflict → 409 Conflict, Expired → 410, Unavailable → 503,
 * Timeout → 504, TooLarge → 413 (or 422), InvalidContinue → 400.
 */
export type StorageErrorCode =
  | "KeyNotFound"
  | "KeyExists"
  | "Conflict"
  | "Expired"
  | "Unavailable"
  | "Timeout"
  | "TooLarge"
  | "InvalidContinue";

export class StorageError extends Error {
  override readonly name = "StorageError";
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message: string,
    /** For Expired: the oldest revision still available. For Conflict: the current revision. */
    readonly revision?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static keyNotFound(key: string): StorageError {
    return new StorageError("KeyNotFound", key, `key not found: ${key}`);
  }

  static keyExists(key: string): StorageError {
    return new StorageError("KeyExists", key, `key exists: ${key}`);
  }

  /** The object changed since it was read (resourceVersion mismatch). */
  static conflict(key: string, message = "the object has been modified"): StorageError {
    return new StorageError("Conflict", key, message);
  }

  /** A precondition (uid, resourceVersion) did not hold; Kubernetes answers 409. */
  static preconditionFailed(
    key: string,
    field: "UID" | "ResourceVersion",
    expected: string,
    actual: string,
  ): StorageError {
    return new StorageError(
      "Conflict",
      key,
      `Precondition failed: ${field} in precondition: ${expected}, ${field} in object meta: ${actual}`,
    );
  }

  /** A revision older than the compacted one was asked for. */
  static expired(key: string, requested: number, oldest: number): StorageError {
    return new StorageError("Expired", key, `too old resource version: ${requested} (${oldest})`, oldest);
  }

  static unavailable(key: string, cause?: unknown): StorageError {
    const reason = cause instanceof Error ? `: ${cause.message}` : "";
    return new StorageError("Unavailable", key, `storage is unavailable${reason}`, undefined, { cause });
  }

  /** A read asked for a revision the store has not reached (Kubernetes: 504, ResourceVersionTooLarge). */
  static tooLargeResourceVersion(key: string, requested: number, current: number): StorageError {
    return new StorageError("Timeout", key, `Too large resource version: ${requested}, current: ${current}`, current);
  }

  static timeout(key: string, message = "storage operation timed out"): StorageError {
    return new StorageError("Timeout", key, message);
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}
