/**
 * Continue tokens in Kubernetes' format (apiserver storage.EncodeContinue): base64url of
 * `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after prefix>\u0000"}`. Opaque to
 * clients, validated on the way back in. A negative rv (the -1 of the token a 410 for a
 * compacted page offers) continues at the latest revision: revision -1 in the position.
 */
import type { ContinuePosition } from "@apiserver-kit/storage";
import { StatusError } from "../api/errors.js";

const VERSION = "meta.k8s.io/v1";

/** The revision of a position that continues at the latest revision (the token's rv -1). */
export const LATEST = -1;

export function encodeContinue(position: ContinuePosition, prefix: string): string {
  const start = `${position.key.slice(prefix.length)}\u0000`;
  return Buffer.from(JSON.stringify({ v: VERSION, rv: position.revision, start })).toString("base64url");
}

/** As the etcd3 store words a token DecodeContinue refuses: "invalid continue token: continue key is not valid...". */
function invalid(reason: string): StatusError {
  return StatusError.badRequest(`invalid continue token: continue key is not valid${reason}`);
}

const INVALID_START_RV = ": incorrect encoded start resourceVersion (version meta.k8s.io/v1)";

export function decodeContinue(token: string, prefix: string): ContinuePosition {
  const corrupt = base64CorruptAt(token);
  if (corrupt >= 0) throw invalid(`: illegal base64 data at input byte ${corrupt}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid(": the decoded token is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalid(": the token is not an object");
  }
  const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== VERSION)
    throw invalid(`: server does not recognize this encoded version ${v === undefined ? "" : String(v)}`);
  // Upstream refuses only 0; any negative rv means "the latest".
  if (typeof rv !== "number" || !Number.isSafeInteger(rv) || rv === 0) throw invalid(INVALID_START_RV);
  if (typeof start !== "string" || start.length === 0)
    throw invalid(": encoded start key empty (version meta.k8s.io/v1)");
  if (!start.endsWith("\u0000")) throw invalid(`: ${start}`);
  const relative = start.slice(0, -1);
  // The key must stay inside the listed prefix (path.Clean would change it: upstream names the key).
  if (relative.startsWith("/") || relative.split("/").some((part) => part === ".." || part === ".")) {
    throw invalid(`: ${start}`);
  }
  return { key: `${prefix}${relative}`, revision: rv < 0 ? LATEST : rv };
}

/**
 * Where Go's base64.RawURLEncoding refuses `token` (its CorruptInputError offset), or -1: the
 * first byte outside the URL alphabet, or the lone last byte of a length that leaves one over.
 */
function base64CorruptAt(token: string): number {
  const bad = token.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0) return bad;
  return token.length % 4 === 1 ? token.length - 1 : -1;
}
