/**
 * Front-proxy authentication (k8s.io/apiserver authentication/request/headerrequest behind
 * x509request's CA verifier): the aggregator forwards a request with its own client
 * certificate and names the user in `X-Remote-User`, `X-Remote-Group` and
 * `X-Remote-Extra-<key>`. The headers are believed only when the connection's
 * certificate chains to the requestheader CA, allows client authentication and has an
 * allowed CN; they are removed from every request either way, so that nothing after
 * authentication (handlers, the user's express routes) can mistake a spoofed one for
 * an identity.
 */
import type { X509Certificate } from "node:crypto";
import { IncomingMessage } from "node:http";
import type { UserInfo } from "../api/meta.js";
import type { HttpRequest } from "../server/http.js";
import { AuthenticationError, type Authenticator, withAuthenticatedGroup } from "./types.js";
import { parseCertificates, subjectOf, verifyPeer } from "./x509-authenticator.js";

export interface RequestHeaderSettings {
  /** PEM bundle of the CAs that sign front-proxy client certificates. */
  clientCA: string;
  /** CNs a front-proxy certificate may have; empty: any CN the CA signed. */
  allowedNames: readonly string[];
  usernameHeaders: readonly string[];
  groupHeaders: readonly string[];
  extraHeaderPrefixes: readonly string[];
}

/** k8s.io/apiserver's defaults for a delegating server. */
export const DEFAULT_REQUEST_HEADERS = {
  usernameHeaders: ["X-Remote-User"],
  groupHeaders: ["X-Remote-Group"],
  extraHeaderPrefixes: ["X-Remote-Extra-"],
} as const;

/** What a connection's certificate says about it being the front proxy. */
type Verdict = { kind: "none" } | { kind: "proxy" } | { kind: "refused"; error: AuthenticationError };

type IdentityHeaders = Omit<RequestHeaderSettings, "clientCA" | "allowedNames">;

/** The lower-cased identity header names of a settings object, built once per settings object. */
interface IdentityMatcher {
  users: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  prefixes: readonly string[];
  /** The first characters of every name and prefix (ASCII-folded), to skip most headers without lower-casing them; null: any. */
  firstChars: ReadonlySet<number> | null;
}
const matchers = new WeakMap<IdentityHeaders, IdentityMatcher>();

function identityMatcher(settings: IdentityHeaders): IdentityMatcher {
  let matcher = matchers.get(settings);
  if (!matcher) {
    const names = [...settings.usernameHeaders, ...settings.groupHeaders, ...settings.extraHeaderPrefixes];
    matcher = {
      users: new Set(settings.usernameHeaders.map((n) => n.toLowerCase())),
      groups: new Set(settings.groupHeaders.map((n) => n.toLowerCase())),
      prefixes: settings.extraHeaderPrefixes.map((p) => p.toLowerCase()),
      firstChars: names.some((n) => n === "") ? null : new Set(names.map((n) => n.charCodeAt(0) | 0x20)),
    };
    matchers.set(settings, matcher);
  }
  return matcher;
}

/** The index in `prefixes` of the first that starts `name`, or -1. */
function prefixOf(name: string, prefixes: readonly string[]): number {
  for (let i = 0; i < prefixes.length; i++) if (name.startsWith(prefixes[i] as string)) return i;
  return -1;
}

/** An identity header of a request: its position in `rawHeaders` and lower-cased name. */
interface IdentityHeader {
  index: number;
  name: string;
}

/** The identity headers among a request's raw headers, in order: one pass, each name lower-cased once. */
function findIdentityHeaders(req: HttpRequest, matcher: IdentityMatcher): IdentityHeader[] {
  const found: IdentityHeader[] = [];
  const raw = req.rawHeaders;
  const firstChars = matcher.firstChars;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const rawName = raw[i] as string;
    if (firstChars && !firstChars.has(rawName.charCodeAt(0) | 0x20)) continue;
    const name = rawName.toLowerCase();
    if (matcher.users.has(name) || matcher.groups.has(name) || prefixOf(name, matcher.prefixes) >= 0) {
      found.push({ index: i, name });
    }
  }
  return found;
}

/** Removes the found identity headers from a request (its `headers` and `rawHeaders`). */
function removeIdentityHeaders(req: HttpRequest, found: readonly IdentityHeader[]): void {
  if (found.length === 0) return;
  const raw = req.rawHeaders;
  for (let k = found.length - 1; k >= 0; k--) raw.splice((found[k] as IdentityHeader).index, 2);
  const headers = req.headers as Record<string, unknown>;
  if (req instanceof IncomingMessage) {
    // A copy without them: `delete` would turn the object into a slow dictionary (≈ 1 µs a request).
    const kept: Record<string, unknown> = {};
    // Usually one or two (X-Remote-User, X-Remote-Group): compared directly, without a closure per header.
    const [first, second] = found as [IdentityHeader, IdentityHeader | undefined];
    if (found.length <= 2) {
      for (const name in headers) if (name !== first.name && name !== second?.name) kept[name] = headers[name];
    } else {
      const names = new Set(found.map((h) => h.name));
      for (const name in headers) if (!names.has(name)) kept[name] = headers[name];
    }
    req.headers = kept as IncomingMessage["headers"];
  } else {
    for (const { name } of found) delete headers[name];
  }
}

/** Removes the identity headers from a request (its `headers` and `rawHeaders`). */
export function stripIdentityHeaders(req: HttpRequest, settings: IdentityHeaders): void {
  removeIdentityHeaders(req, findIdentityHeaders(req, identityMatcher(settings)));
}

/**
 * The identity the found headers claim: the first non-empty username header value, every
 * non-empty group value (one per header line: a group may contain a comma), and
 * `X-Remote-Extra-<key>` values by key, lower-cased and %-decoded as Kubernetes reads them.
 */
function claimedIdentity(
  req: HttpRequest,
  matcher: IdentityMatcher,
  found: readonly IdentityHeader[],
): UserInfo | null {
  const raw = req.rawHeaders;
  let name: string | undefined;
  const groups: string[] = [];
  for (const { index, name: header } of found) {
    const value = raw[index + 1] as string;
    if (value === "") continue;
    if (name === undefined && matcher.users.has(header)) name = value;
    else if (matcher.groups.has(header)) groups.push(value);
  }
  if (!name) return null;
  const extra: Record<string, string[]> = {};
  // By prefix, then in header order (a header matching two prefixes counts under each).
  for (const prefix of matcher.prefixes) {
    for (const { index, name: header } of found) {
      if (!header.startsWith(prefix)) continue;
      const encoded = header.slice(prefix.length);
      let key = encoded;
      try {
        key = decodeURIComponent(encoded);
      } catch {}
      const values = extra[key] ?? [];
      values.push(raw[index + 1] as string);
      extra[key] = values;
    }
  }
  return withAuthenticatedGroup({ name, groups, extra }, true);
}

export class RequestHeaderAuthenticator implements Authenticator {
  private settings?: RequestHeaderSettings;
  private roots: X509Certificate[] = [];
  /** Per connection: its certificate is checked once (settings changes start a fresh cache). */
  private verdicts = new WeakMap<object, Verdict>();

  constructor(settings?: RequestHeaderSettings) {
    this.update(settings);
  }

  /** New settings (the authentication ConfigMap or the CA file changed); undefined turns it off. */
  update(settings: RequestHeaderSettings | undefined): void {
    this.settings = settings;
    this.roots = settings ? parseCertificates(settings.clientCA) : [];
    this.verdicts = new WeakMap();
  }

  get current(): RequestHeaderSettings | undefined {
    return this.settings;
  }

  authenticate(req: HttpRequest): UserInfo | null {
    const settings = this.settings;
    if (!settings) {
      stripIdentityHeaders(req, DEFAULT_REQUEST_HEADERS);
      return null;
    }
    const matcher = identityMatcher(settings);
    const found = findIdentityHeaders(req, matcher);
    try {
      const verdict = this.verdictFor(req, settings);
      // No certificate: not a front proxy, and no error (another authenticator may know the request).
      if (verdict.kind === "none") return null;
      if (verdict.kind === "refused") throw verdict.error;
      return claimedIdentity(req, matcher, found);
    } finally {
      removeIdentityHeaders(req, found);
    }
  }

  /** Keeps the identity headers of a verified front proxy (user routes may read them); strips everyone else's. */
  sanitize(req: HttpRequest): void {
    const settings = this.settings;
    if (!settings) {
      stripIdentityHeaders(req, DEFAULT_REQUEST_HEADERS);
      return;
    }
    if (this.verdictFor(req, settings).kind !== "proxy") stripIdentityHeaders(req, settings);
  }

  private verdictFor(req: HttpRequest, settings: RequestHeaderSettings): Verdict {
    const socket = req.socket as object;
    let verdict = this.verdicts.get(socket);
    if (verdict === undefined) {
      verdict = this.verify(req, settings);
      this.verdicts.set(socket, verdict);
    }
    return verdict;
  }

  private verify(req: HttpRequest, settings: RequestHeaderSettings): Verdict {
    const result = verifyPeer(req, this.roots);
    if (result.kind === "none") return { kind: "none" };
    if (result.kind === "refused") {
      return { kind: "refused", error: new AuthenticationError(result.message, "InvalidCertificate") };
    }
    const { commonName } = subjectOf(result.leaf);
    if (settings.allowedNames.length > 0 && !settings.allowedNames.includes(commonName)) {
      return {
        kind: "refused",
        error: new AuthenticationError(
          `x509: subject with cn=${commonName} is not in the allowed list (requestheader-allowed-names)`,
          "InvalidCertificate",
        ),
      };
    }
    return { kind: "proxy" };
  }
}
