import type { Status, StatusCause, StatusDetails } from "./meta.js";

/** k8s.io/apimachinery field.ErrorType values, as they appear in a Status cause's `reason`. */
export type FieldErrorType =
  | "FieldValueNotFound"
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "InternalError"
  | "FieldValueTypeInvalid";

const fieldErrorText: Record<FieldErrorType, string> = {
  FieldValueNotFound: "Not found",
  FieldValueRequired: "Required value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  InternalError: "Internal error",
  FieldValueTypeInvalid: "Invalid value",
};

/** Marks a FieldError without a value to print (Kubernetes' omitValue). */
export const omitValue: unique symbol = Symbol("omitValue");

/** One problem with one field (k8s field.Error). */
export interface FieldError {
  type: FieldErrorType;
  /** The field path, e.g. `spec.stages[0].name`. */
  field: string;
  badValue?: unknown;
  detail?: string;
}

/** The message body of a field error, as Kubernetes' ErrorBody renders it. */
export function fieldErrorBody(error: FieldError): string {
  const text = fieldErrorText[error.type];
  let body: string;
  if (
    error.type === "FieldValueRequired" ||
    error.type === "FieldValueForbidden" ||
    error.type === "FieldValueTooLong" ||
    error.type === "InternalError" ||
    error.badValue === omitValue ||
    !("badValue" in error)
  ) {
    body = text;
  } else {
    body = `${text}: ${formatBadValue(error.badValue)}`;
  }
  return error.detail ? `${body}: ${error.detail}` : body;
}

export function fieldErrorMessage(error: FieldError): string {
  return error.field ? `${error.field}: ${fieldErrorBody(error)}` : fieldErrorBody(error);
}

/** A bad value printed verbatim (Kubernetes prints some, like a missing resourceVersion, as `0x0`). */
export class RawBadValue {
  constructor(readonly text: string) {}
}

/** Go's %v/%q rendering of a bad value, close enough for people and tests. */
export function formatBadValue(value: unknown): string {
  if (value instanceof RawBadValue) return value.text;
  if (value === null || value === undefined) return '"null"';
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map(formatBadValue).join(", ")}}`;
  return "map[string]interface {}{...}";
}

export const fieldErrors = {
  required: (field: string, detail?: string): FieldError => ({
    type: "FieldValueRequired",
    field,
    ...(detail ? { detail } : {}),
  }),
  invalid: (field: string, badValue: unknown, detail?: string): FieldError => ({
    type: "FieldValueInvalid",
    field,
    badValue,
    ...(detail ? { detail } : {}),
  }),
  forbidden: (field: string, detail: string): FieldError => ({ type: "FieldValueForbidden", field, detail }),
  notSupported: (field: string, badValue: unknown, supported: readonly string[]): FieldError => ({
    type: "FieldValueNotSupported",
    field,
    badValue,
    detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}`,
  }),
  tooLong: (field: string, maxLength: number): FieldError => ({
    type: "FieldValueTooLong",
    field,
    badValue: omitValue,
    detail: `may not be more than ${maxLength} bytes`,
  }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: "FieldValueTooMany",
    field,
    badValue: actual,
    detail: `must have at most ${max} items`,
  }),
  duplicate: (field: string, badValue: unknown): FieldError => ({ type: "FieldValueDuplicate", field, badValue }),
  typeInvalid: (field: string, badValue: unknown, detail: string): FieldError => ({
    type: "FieldValueTypeInvalid",
    field,
    badValue,
    detail,
  }),
  notFound: (field: string, badValue: unknown): FieldError => ({ type: "FieldValueNotFound", field, badValue }),
  internal: (field: string, detail: string): FieldError => ({ type: "InternalError", field, detail }),
};

/** The status reasons of metav1.StatusReason that this server answers with. */
export type StatusReason =
  | ""
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "ServerTimeout"
  | "Timeout"
  | "TooManyRequests"
  | "BadRequest"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "InternalError"
  | "Expired"
  | "ServiceUnavailable";

/** A group and resource, e.g. flunders.wardle.example.com. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/**
 * An error that knows the Kubernetes Status it renders as. Everything the server answers
 * with a non-2xx code is one of these, rendered in one place.
 */
export class StatusError extends Error {
  override readonly name = "StatusError";
  readonly status: Status;
  /** Extra response headers (Retry-After, Location, ...). */
  readonly headers: Record<string, string>;

  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    // An answer, not a bug: skip the stack trace (its capture was visible in profiles of 404s).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = limit;
    this.status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      ...(reason ? { reason } : {}),
      ...(details ? { details } : {}),
      code,
    };
    this.headers = options?.headers ?? {};
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason {
    return (this.status.reason ?? "") as StatusReason;
  }

  static notFound(gr: GroupResource, name: string): StatusError {
    return new StatusError(404, "NotFound", `${qualifiedResource(gr)} ${JSON.stringify(name)} not found`, {
      name,
      group: gr.group,
      kind: gr.resource,
    });
  }

  static alreadyExists(gr: GroupResource, name: string): StatusError {
    return new StatusError(409, "AlreadyExists", `${qualifiedResource(gr)} ${JSON.stringify(name)} already exists`, {
      name,
      group: gr.group,
      kind: gr.resource,
    });
  }

  static conflict(gr: GroupResource, name: string, cause: string): StatusError {
    return new StatusError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualifiedResource(gr)} ${JSON.stringify(name)}: ${cause}`,
      { name, group: gr.group, kind: gr.resource },
    );
  }

  /** The standard optimistic-concurrency conflict message. */
  static modified(gr: GroupResource, name: string): StatusError {
    return StatusError.conflict(
      gr,
      name,
      "the object has been modified; please apply your changes to the latest version and try again",
    );
  }

  /** 422 for a kind (e.g. `Flunder.wardle.example.com`) named `name` with field errors. */
  static invalid(groupKind: { group: string; kind: string }, name: string, errors: readonly FieldError[]): StatusError {
    const qualifiedKind = groupKind.group ? `${groupKind.kind}.${groupKind.group}` : groupKind.kind;
    const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    const messages = errors.map(fieldErrorMessage);
    const aggregate = messages.length === 1 ? messages[0] : `[${messages.join(", ")}]`;
    // StatusDetails' name, group and kind are omitempty: a patch's strict refusal has none.
    return new StatusError(422, "Invalid", `${qualifiedKind} ${JSON.stringify(name)} is invalid: ${aggregate}`, {
      ...(name ? { name } : {}),
      ...(groupKind.group ? { group: groupKind.group } : {}),
      ...(groupKind.kind ? { kind: groupKind.kind } : {}),
      causes,
    });
  }

  static badRequest(message: string, causes?: StatusCause[]): StatusError {
    return new StatusError(400, "BadRequest", message, causes ? { causes } : undefined);
  }

  static unauthorized(message = "Unauthorized"): StatusError {
    return new StatusError(401, "Unauthorized", message);
  }

  static forbidden(gr: GroupResource, name: string, reason: string): StatusError {
    const subject = name ? `${qualifiedResource(gr)} ${JSON.stringify(name)}` : qualifiedResource(gr);
    return new StatusError(403, "Forbidden", `${subject} is forbidden: ${reason}`, {
      ...(name ? { name } : {}),
      group: gr.group,
      kind: gr.resource,
    });
  }

  /** 403 for a non-resource URL, as kube-apiserver phrases it. */
  static forbiddenPath(message: string): StatusError {
    return new StatusError(403, "Forbidden", message, {});
  }

  static methodNotAllowed(action: string, gr?: GroupResource): StatusError {
    return new StatusError(
      405,
      "MethodNotAllowed",
      `${action} is not supported on resources of kind ${gr ? JSON.stringify(qualifiedResource(gr)) : "this resource"}`,
      gr ? { group: gr.group, kind: gr.resource } : undefined,
    );
  }

  static notAcceptable(accepted: readonly string[]): StatusError {
    return new StatusError(406, "NotAcceptable", `only the following media types are accepted: ${accepted.join(", ")}`);
  }

  static unsupportedMediaType(contentType: string, accepted: readonly string[]): StatusError {
    return new StatusError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
      { causes: [{ reason: "UnexpectedServerResponse", message: contentType }] },
    );
  }

  /** 410 Expired; `continueToken` (in the Status' metadata.continue) offers a way on, as a compacted list page does. */
  static expired(message: string, continueToken?: string): StatusError {
    const error = new StatusError(410, "Expired", message);
    if (continueToken) error.status.metadata.continue = continueToken;
    return error;
  }

  static gone(message: string): StatusError {
    return new StatusError(410, "Gone", message);
  }

  static requestEntityTooLarge(message: string): StatusError {
    return new StatusError(413, "RequestEntityTooLarge", `Request entity too large: ${message}`);
  }

  static tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
    return new StatusError(
      429,
      "TooManyRequests",
      message,
      { retryAfterSeconds },
      { headers: { "Retry-After": String(retryAfterSeconds) } },
    );
  }

  static internal(error: unknown): StatusError {
    const message = error instanceof Error ? error.message : String(error);
    return new StatusError(
      500,
      "InternalError",
      `Internal error occurred: ${message}`,
      { causes: [{ message }] },
      { cause: error },
    );
  }

  /** 504: the request did not finish in time (also "too large resource version"). */
  static timeout(message: string, retryAfterSeconds?: number, causes?: StatusCause[]): StatusError {
    const details: StatusDetails = {};
    if (retryAfterSeconds !== undefined) details.retryAfterSeconds = retryAfterSeconds;
    if (causes) details.causes = causes;
    return new StatusError(
      504,
      "Timeout",
      message,
      details,
      retryAfterSeconds !== undefined ? { headers: { "Retry-After": String(retryAfterSeconds) } } : undefined,
    );
  }

  static serviceUnavailable(message: string, retryAfterSeconds?: number): StatusError {
    return new StatusError(
      503,
      "ServiceUnavailable",
      message,
      retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined,
      retryAfterSeconds !== undefined ? { headers: { "Retry-After": String(retryAfterSeconds) } } : undefined,
    );
  }
}

export function isStatusError(error: unknown): error is StatusError {
  return error instanceof StatusError;
}

/** Any thrown value as a StatusError (unexpected ones become 500 InternalError). */
export function toStatusError(error: unknown): StatusError {
  return error instanceof StatusError ? error : StatusError.internal(error);
}

/** A successful Status, as delete answers once an object is gone (Kubernetes leaves `code` out there). */
export function successStatus(details?: StatusDetails): Omit<Status, "code"> & { code?: number } {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", ...(details ? { details } : {}) };
}
