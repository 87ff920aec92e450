/** Why a server-side apply or managedFields operation failed. */
export type ServerSideApplyErrorCode =
  /** Another manager owns an applied field with a different value (409, one FieldManagerConflict cause per field). */
  | "ApplyConflict"
  /** A FieldsV1 document or a managedFields entry cannot be decoded. */
  | "InvalidManagedFields"
  /** The applied configuration sets metadata.managedFields. */
  | "ManagedFieldsInApply"
  /** The applied configuration's apiVersion or kind is not the request's. */
  | "VersionMismatch"
  /** An object cannot be read under its schema: a list-map element without its keys, duplicate keys, a map in a set. */
  | "InvalidObject"
  /** A version converter failed. */
  | "ConversionFailed";

export type ServerSideApplyErrorReason = "Conflict" | "BadRequest" | "Invalid" | "InternalError";

/** One cause of a failure, as metav1.StatusCause: `field` is a field path like `.spec.replicas`. */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

const reasonOf: Record<ServerSideApplyErrorCode, ServerSideApplyErrorReason> = {
  ApplyConflict: "Conflict",
  InvalidManagedFields: "BadRequest",
  ManagedFieldsInApply: "BadRequest",
  VersionMismatch: "BadRequest",
  InvalidObject: "Invalid",
  ConversionFailed: "InternalError",
};

const statusOf: Record<ServerSideApplyErrorReason, 400 | 409 | 422 | 500> = {
  BadRequest: 400,
  Conflict: 409,
  Invalid: 422,
  InternalError: 500,
};

/** A failed apply or managedFields update, with Kubernetes' message, reason, status code and causes. */
export class ServerSideApplyError extends Error {
  override readonly name = "ServerSideApplyError";
  readonly reason: ServerSideApplyErrorReason;
  readonly status: 400 | 409 | 422 | 500;

  constructor(
    readonly code: ServerSideApplyErrorCode,
    message: string,
    readonly causes: readonly StatusCause[] = [],
  ) {
    super(message);
    this.reason = reasonOf[code];
    this.status = statusOf[this.reason];
  }
}

export function isServerSideApplyError(error: unknown, code?: ServerSideApplyErrorCode): error is ServerSideApplyError {
  return error instanceof ServerSideApplyError && (code === undefined || error.code === code);
}
