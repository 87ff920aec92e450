/**
 * Conditional GET for documents that change only when the resource set does (discovery,
 * OpenAPI): a strong ETag as Kubernetes computes it (quoted upper-case hex SHA-512 of the
 * served bytes) and 304 Not Modified for a matching If-None-Match.
 */
import { createHash } from "node:crypto";
import { type HttpRequest, type HttpResponse, type PreparedResponse, writePrepared } from "./http.js";

/** `"<SHA-512 in upper-case hex>"`, the ETag kube-openapi and aggregated discovery send. */
export function computeETag(body: string | Buffer): string {
  return `"${createHash("sha512").update(body).digest("hex").toUpperCase()}"`;
}

/** The hash inside an ETag (what OpenAPI v3 puts in `?hash=`). */
export function etagValue(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"|"$/g, "");
}

/**
 * Whether If-None-Match names this ETag: `*`, or a comma-separated list compared weakly
 * (RFC 9110 13.1.2, as Go's http.ServeContent does).
 */
export function etagMatches(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const header = Array.isArray(ifNoneMatch) ? ifNoneMatch.join(",") : ifNoneMatch;
  const wanted = etagValue(etag);
  for (const candidate of header.split(",")) {
    const trimmed = candidate.trim();
    if (trimmed === "*") return true;
    if (trimmed !== "" && etagValue(trimmed) === wanted) return true;
  }
  return false;
}

/** A document served as is, with its validators. */
export interface CacheableDocument {
  body: string | Buffer;
  etag: string;
  contentType: string;
}

/** A document's two answers: the document, and 304 Not Modified for a client that has it. */
export interface PreparedDocument {
  etag: string;
  ok: PreparedResponse;
  notModified: PreparedResponse;
}

/** The headers both answers carry: ETag, `Vary: Accept`, Cache-Control and any extra ones. */
function validatorHeaders(document: CacheableDocument, cacheControl: string, extraHeaders?: Record<string, string>) {
  return { ETag: document.etag, Vary: "Accept", "Cache-Control": cacheControl, ...extraHeaders };
}

/** The 200 answer: the validators, then the document's type, length and body. */
function documentResponse(document: CacheableDocument, validators: Record<string, string>): PreparedResponse {
  const body = document.body;
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  return {
    status: 200,
    headers: { ...validators, "Content-Type": document.contentType, "Content-Length": String(length) },
    body,
  };
}

/**
 * The answers of a document with ETag and `Vary: Accept`, for a document served many times:
 * its body encoded once. `cacheControl` defaults to Kubernetes' `no-cache, private`.
 */
export function prepareDocument(
  document: CacheableDocument,
  cacheControl = "no-cache, private",
  extraHeaders?: Record<string, string>,
): PreparedDocument {
  const validators = Object.freeze(validatorHeaders(document, cacheControl, extraHeaders));
  const encoded = typeof document.body === "string" ? { ...document, body: Buffer.from(document.body) } : document;
  const ok = documentResponse(encoded, validators);
  return {
    etag: document.etag,
    ok: Object.freeze({ ...ok, headers: Object.freeze(ok.headers) }),
    notModified: Object.freeze({ status: 304, headers: validators }),
  };
}

/** The answer for this request: 304 when its If-None-Match names the document. */
export function conditionalAnswer(req: HttpRequest, document: PreparedDocument): PreparedResponse {
  return etagMatches(req.headers["if-none-match"], document.etag) ? document.notModified : document.ok;
}

/**
 * Writes a document with ETag and `Vary: Accept`, or 304 without a body when the client
 * already has it. `cacheControl` defaults to Kubernetes' `no-cache, private`.
 */
export function serveDocument(
  req: HttpRequest,
  res: HttpResponse,
  document: CacheableDocument,
  cacheControl = "no-cache, private",
  extraHeaders?: Record<string, string>,
): void {
  // Nothing is built for the body of a 304: the aggregator's periodic fetches of a large
  // OpenAPI document are mostly 304s.
  const validators = validatorHeaders(document, cacheControl, extraHeaders);
  writePrepared(
    res,
    etagMatches(req.headers["if-none-match"], document.etag)
      ? { status: 304, headers: validators }
      : documentResponse(document, validators),
  );
}
