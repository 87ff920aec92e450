import { celError } from "./errors.js";

// Kubernetes' URL library (apiserver pkg/cel/library/urls.go) over Go's url.ParseRequestURI rules:
// an absolute URI with a scheme or an absolute path; no opaque URIs.

/** A parsed URL (CEL type kubernetes.URL). */
export class KubeURL {
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly rawPath: string,
    readonly rawQuery: string,
  ) {}

  equals(other: unknown): boolean {
    return (
      other instanceof KubeURL &&
      other.scheme === this.scheme &&
      other.host === this.host &&
      other.rawPath === this.rawPath &&
      other.rawQuery === this.rawQuery
    );
  }

  hostname(): string {
    if (this.host.startsWith("[")) {
      const end = this.host.indexOf("]");
      return end < 0 ? this.host : this.host.slice(1, end);
    }
    const colon = this.host.lastIndexOf(":");
    return colon < 0 ? this.host : this.host.slice(0, colon);
  }

  port(): string {
    const closing = this.host.lastIndexOf("]");
    const colon = this.host.lastIndexOf(":");
    return colon > closing ? this.host.slice(colon + 1) : "";
  }

  query(): Record<string, string[]> {
    const out: Record<string, string[]> = Object.create(null);
    if (this.rawQuery === "") return out;
    for (const part of this.rawQuery.split("&")) {
      if (part === "" || part.includes(";")) continue;
      const eq = part.indexOf("=");
      const k = decodeQuery(eq < 0 ? part : part.slice(0, eq));
      const v = decodeQuery(eq < 0 ? "" : part.slice(eq + 1));
      if (k === undefined || v === undefined) continue;
      const list = out[k] ?? [];
      list.push(v);
      out[k] = list;
    }
    return out;
  }

  toString(): string {
    const authority = this.scheme ? `${this.scheme}://${this.host}` : "";
    return `${authority}${this.rawPath}${this.rawQuery ? `?${this.rawQuery}` : ""}`;
  }
}

function decodeQuery(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** Parses like Go's url.ParseRequestURI, or returns the Go error text. */
export function parseRequestURI(raw: string): KubeURL | string {
  const fail = (why: string) => `parse ${JSON.stringify(raw)}: ${why}`;
  if (raw === "") return fail("empty url");
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return fail("net/url: invalid control character in URL");
  let rest = raw;
  let rawQuery = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (rest.startsWith("/") && !rest.startsWith("//")) return checkPath(new KubeURL("", "", rest, rawQuery), fail);
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(rest);
  if (!m) return fail("invalid URI for request");
  const scheme = (m[1] as string).toLowerCase();
  rest = m[2] as string;
  if (!rest.startsWith("/")) return fail("invalid URI for request");
  let host = "";
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    let authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? "" : rest.slice(slash);
    const at = authority.lastIndexOf("@");
    if (at >= 0) authority = authority.slice(at + 1);
    if (!/^(\[[0-9a-fA-F:.]+\]|[^[\]:/]*)(:[0-9]*)?$/.test(authority))
      return fail(`invalid port ${JSON.stringify(authority)} after host`);
    host = authority;
  }
  return checkPath(new KubeURL(scheme, host, rest, rawQuery), fail);
}

function checkPath(u: KubeURL, fail: (why: string) => string): KubeURL | string {
  const bad = /%(?![0-9a-fA-F]{2})/.exec(u.rawPath);
  if (bad) return fail(`invalid URL escape ${JSON.stringify(u.rawPath.slice(bad.index, bad.index + 3))}`);
  return u;
}

export function url(s: string): KubeURL {
  const r = parseRequestURI(s);
  if (typeof r === "string") throw celError(`URL parse error during conversion from string: ${r}`);
  return r;
}

export function isURL(s: string): boolean {
  return typeof parseRequestURI(s) !== "string";
}
