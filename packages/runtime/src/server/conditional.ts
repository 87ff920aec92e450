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

/** The answers of a document with ETag and `Vary: Accept`; `cacheControl` defaults to Kubernetes' `no-cache, private`. */
export function prepareDocument(
  document: CacheableDocument,
  cacheControl = "no-cache, private",
  extraHeaders: Record<string, string> = {},
): PreparedDocument {
  const validators = { ETag: document.etag, Vary: "Accept", "Cache-Control": cacheControl, ...extraHeaders };
  const bytes = typeof document.body === "string" ? Buffer.from(document.body) : document.body;
  return {
    etag: document.etag,
    ok: Object.freeze({
      status: 200,
      headers: Object.freeze({
        ...validators,
        "Content-Type": document.contentType,
        "Content-Length": String(bytes.length),
      }),
      body: bytes,
    }),
    notModified: Object.freeze({ status: 304, headers: Object.freeze(validators) }),
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
  writePrepared(res, conditionalAnswer(req, prepareDocument(document, cacheControl, extraHeaders)));
}
