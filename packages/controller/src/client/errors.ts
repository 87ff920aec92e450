import type { Status } from "../objects/meta.js";

/** The reasons servers put in a failure Status (metav1.StatusReason), plus the client's own for bodies without one. */
export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "Expired"
  | "Gone"
  | "Timeout"
  | "TooManyRequests"
  | "ServiceUnavailable"
  | "InternalError"
  | "Unknown";

const REASON_BY_CODE: Record<number, StatusReason> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** A request the server answered with a failure: carries the server's Status. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: number;
  readonly reason: StatusReason | (string & {});
  readonly status: Status;

  constructor(code: number, status: Status) {
    super(status.message ?? `the server answered ${code}`);
    this.code = status.code ?? code;
    this.reason = status.reason || REASON_BY_CODE[this.code] || "Unknown";
    this.status = status;
  }

  static fromBody(code: number, body: string): ApiError {
    try {
      const parsed = JSON.parse(body) as Status;
      if (parsed && typeof parsed === "object" && parsed.kind === "Status") return new ApiError(code, parsed);
    } catch {
      // Not a Status (a proxy's HTML page, an empty body): keep the text as the message.
    }
    return new ApiError(code, { code, message: body.trim().slice(0, 512) || `the server answered ${code}` });
  }
}

export type TransportErrorReason = "ConnectionRefused" | "ConnectionReset" | "Timeout" | "Aborted" | "BadResponse";

/** A request that got no usable answer: the connection failed, timed out, or was stopped. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    readonly reason: TransportErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static from(error: unknown): TransportError {
    if (error instanceof TransportError) return error;
    const code = (error as { code?: string } | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === "ECONNREFUSED") return new TransportError("ConnectionRefused", message, { cause: error });
    if (code === "ETIMEDOUT") return new TransportError("Timeout", message, { cause: error });
    if (code === "ABORT_ERR") return new TransportError("Aborted", message, { cause: error });
    return new TransportError("ConnectionReset", message, { cause: error });
  }
}

function isApiError(error: unknown, ...reasons: string[]): error is ApiError {
  return error instanceof ApiError && reasons.includes(error.reason);
}

export const isNotFound = (error: unknown): error is ApiError => isApiError(error, "NotFound");
export const isAlreadyExists = (error: unknown): error is ApiError => isApiError(error, "AlreadyExists");
export const isConflict = (error: unknown): error is ApiError => isApiError(error, "Conflict");
/** 410: a resourceVersion or continue token older than the server's history (relist). */
export const isExpired = (error: unknown): error is ApiError =>
  isApiError(error, "Expired", "Gone") || (error instanceof ApiError && error.code === 410);
