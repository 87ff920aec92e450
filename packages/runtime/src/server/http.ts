/**
 * The small HTTP surface the handler chain uses, shared by HTTP/1.1 and HTTP/2
 * (node's compatibility API gives both the same shape), and the one place where
 * responses and Status errors are written.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { StatusError, toStatusError } from "../api/errors.js";
import { negotiate } from "../endpoints/negotiation.js";

export type HttpRequest = IncomingMessage | Http2ServerRequest;
export type HttpResponse = ServerResponse | Http2ServerResponse;

/** kube-apiserver's limit on request bodies. */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body up to `limit` bytes; larger bodies → 413 without reading them all. */
export function readBody(req: HttpRequest, limit = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "-1");
  if (declared > limit) {
    req.resume();
    return Promise.reject(StatusError.requestEntityTooLarge(`limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.resume();
        finish(StatusError.requestEntityTooLarge(`limit is ${limit}`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(StatusError.badRequest(`error reading request body: ${error.message}`));
    const onAborted = () => finish(StatusError.badRequest("the client closed the request"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

/** `Warning: 299 - "text"` as Kubernetes sends warnings. */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}

/** Adds `warnings` to the response's Warning header, after any it already has (the same text once). */
export function setWarnings(res: HttpResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  const existing = res.getHeader("Warning");
  const values = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader("Warning", [...new Set([...values, ...warnings.map(warningHeader)])]);
}

/** strconv.ParseBool's true values. */
const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

/**
 * Whether a JSON answer is indented, as apiserver's NegotiateOutputMediaType decides: the chosen
 * Accept range says `pretty=1`, or (isPrettyPrint) the query's `pretty` is a Go true — or, with
 * no `pretty` value, the client is curl, Wget or a browser. Two substring checks when neither.
 */
export function prettyPrintRequested(req: HttpRequest): boolean {
  const accept = req.headers.accept;
  if (accept?.includes("pretty") && acceptAsksPretty(accept)) return true;
  const url = req.url ?? "";
  const query = url.indexOf("?");
  if (query >= 0 && url.includes("pretty", query)) {
    const value = new URLSearchParams(url.slice(query + 1)).get("pretty");
    if (value) return GO_TRUE.has(value);
  }
  const agent = req.headers["user-agent"];
  return (
    agent !== undefined && (agent.startsWith("curl") || agent.startsWith("Wget") || agent.startsWith("Mozilla/5.0"))
  );
}

function acceptAsksPretty(accept: string): boolean {
  try {
    return negotiate(accept).pretty;
  } catch {
    return false; // nothing acceptable: the request is being refused anyway
  }
}

/** What Go's encoding/json escapes inside strings beyond JSON's own: HTML's <, > and &, and JavaScript's line separators. */
const GO_HTML_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * The bytes Go's json.MarshalIndent(v, "", "  ") writes for a plain value (a struct's fields in
 * declaration order, as `value`'s keys are): two-space indentation, strings HTML-escaped, no
 * trailing newline. The escaped characters only ever occur inside strings in JSON text.
 */
export function marshalIndent(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => GO_HTML_ESCAPES[c] as string);
}

/** JSON text indented by two spaces, as Go's json.MarshalIndent(v, "", "  ") writes it. */
function indentJSON(body: string | Buffer): string | Buffer {
  try {
    return JSON.stringify(JSON.parse(body.toString()), null, 2);
  } catch {
    return body;
  }
}

export function writeBody(
  res: HttpResponse,
  code: number,
  contentType: string,
  body: string | Buffer,
  headers?: Record<string, string>,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // A response made outside a server (tests, adapters) may have no request to ask.
  const req = res.req as HttpRequest | undefined;
  if (req && contentType.startsWith("application/json") && prettyPrintRequested(req)) body = indentJSON(body);
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  res.statusCode = code;
  res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Length", length);
  res.setHeader("Cache-Control", "no-cache, private");
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
}

/** A response decided in advance (documents built once): status, headers in order, body. */
export interface PreparedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** A prepared response with `Content-Type`, `Content-Length` and `Cache-Control` after `before`. */
export function prepareBody(
  status: number,
  contentType: string,
  body: string | Buffer,
  before: Record<string, string> = {},
  cacheControl = "no-cache, private",
): PreparedResponse {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  return Object.freeze({
    status,
    headers: Object.freeze({
      ...before,
      "Content-Type": contentType,
      "Content-Length": String(bytes.length),
      "Cache-Control": cacheControl,
    }),
    body: bytes,
  });
}

/** A prepared JSON response with its body indented (indentJSON) and Content-Length to match. */
export function indented(prepared: PreparedResponse): PreparedResponse {
  const body = indentJSON(prepared.body ?? "");
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  return { ...prepared, headers: { ...prepared.headers, "Content-Length": String(length) }, body };
}

/**
 * Writes a prepared response. `oneCall` hands every header to one `writeHead` (cheaper than
 * a validated `setHeader` each), at the price of `getHeader` no longer seeing them: only for
 * callers that need neither (the audit reads the content type back).
 */
export function writePrepared(res: HttpResponse, prepared: PreparedResponse, oneCall = false): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (oneCall) {
    (res as ServerResponse).writeHead(prepared.status, prepared.headers);
  } else {
    res.statusCode = prepared.status;
    for (const name in prepared.headers) res.setHeader(name, prepared.headers[name] as string);
  }
  if (prepared.body) res.end(prepared.body);
  else res.end();
}

export function writeJSON(res: HttpResponse, code: number, value: unknown, headers?: Record<string, string>): void {
  writeBody(res, code, "application/json", JSON.stringify(value), headers);
}

/** Renders any error as a Kubernetes Status response. */
export function writeError(res: HttpResponse, error: unknown): StatusError {
  const status = toStatusError(error);
  if (res.headersSent) {
    res.end();
    return status;
  }
  writeJSON(res, status.code, status.status, status.headers);
  return status;
}
