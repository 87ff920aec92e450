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

/** Lower-cased header names per configured list: configured once, read on every request. */
const lowerCased = new WeakMap<readonly string[], ReadonlySet<string>>();
function lowerSet(names: readonly string[]): ReadonlySet<string> {
  let set = lowerCased.get(names);
  if (!set) {
    set = new Set(names.map((n) => n.toLowerCase()));
    lowerCased.set(names, set);
  }
  return set;
}

/** Every value of the named headers, one per header line (a group may contain a comma). */
function headerValues(req: HttpRequest, names: readonly string[]): string[] {
  const wanted = lowerSet(names);
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (wanted.has((raw[i] as string).toLowerCase()) && raw[i + 1] !== "") values.push(raw[i + 1] as string);
  }
  return values;
}

/** `X-Remote-Extra-<key>` values by key: lower-cased and %-decoded, as Kubernetes reads them. */
function extraValues(req: HttpRequest, prefixes: readonly string[]): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (const prefix of prefixes) {
    const lower = prefix.toLowerCase();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      if (!name.startsWith(lower)) continue;
      const encoded = name.slice(lower.length);
      let key = encoded;
      try {
        key = decodeURIComponent(encoded);
      } catch {}
      const values = extra[key] ?? [];
      values.push(raw[i + 1] as string);
      extra[key] = values;
    }
  }
  return extra;
}

type IdentityHeaders = Omit<RequestHeaderSettings, "clientCA" | "allowedNames">;
const matchers = new WeakMap<IdentityHeaders, { exact: ReadonlySet<string>; prefixes: readonly string[] }>();

/** The lower-cased names and prefixes of the identity headers, built once per settings object. */
function identityMatcher(settings: IdentityHeaders) {
  let matcher = matchers.get(settings);
  if (!matcher) {
    matcher = {
      exact: new Set([...settings.usernameHeaders, ...settings.groupHeaders].map((n) => n.toLowerCase())),
      prefixes: settings.extraHeaderPrefixes.map((p) => p.toLowerCase()),
    };
    matchers.set(settings, matcher);
  }
  return matcher;
}

/** Removes the identity headers from a request (its `headers` and `rawHeaders`). */
export function stripIdentityHeaders(
  req: HttpRequest,
  settings: Omit<RequestHeaderSettings, "clientCA" | "allowedNames">,
): void {
  const { exact, prefixes } = identityMatcher(settings);
  const matches = (name: string) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
  const headers = req.headers as Record<string, unknown>;
  for (const name of Object.keys(headers)) if (matches(name.toLowerCase())) delete headers[name];
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (matches((raw[i] as string).toLowerCase())) raw.splice(i, 2);
  }
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
    try {
      const verdict = this.verdictFor(req, settings);
      // No certificate: not a front proxy, and no error (another authenticator may know the request).
      if (verdict.kind === "none") return null;
      if (verdict.kind === "refused") throw verdict.error;
      const name = headerValues(req, settings.usernameHeaders)[0];
      if (!name) return null;
      return withAuthenticatedGroup({
        name,
        groups: headerValues(req, settings.groupHeaders),
        extra: extraValues(req, settings.extraHeaderPrefixes),
      });
    } finally {
      stripIdentityHeaders(req, settings);
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
