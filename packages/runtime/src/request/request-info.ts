/**
 * What a request is about, decided once from its method and URL before anything else
 * runs (k8s.io/apiserver endpoints/request/requestinfo.go). Every later stage reads
 * this, not the URL.
 */
export interface RequestInfo {
  /** True for /apis/<group>/<version>/... requests naming a resource. */
  isResourceRequest: boolean;
  path: string;
  /**
   * Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection
   * for resources; the lower-cased HTTP method for other paths.
   */
  verb: string;
  /** "apis" or "api" for API paths, "" otherwise. */
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the group version. */
  parts: string[];
}

const specialVerbs = new Set(["proxy", "watch"]);

/** Parses method + path + watch flag into a RequestInfo. `path` excludes the query string. */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: "",
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    parts: [],
  };
  const segments = splitPath(path);
  if (segments === null) return info;
  const prefix = segments[0];
  if (prefix !== "apis" && prefix !== "api") return info;
  info.apiPrefix = prefix;
  let rest = segments.slice(1);
  if (prefix === "apis") {
    if (rest.length < 1) return info;
    info.apiGroup = rest[0] as string;
    rest = rest.slice(1);
  }
  if (rest.length < 1) return info;
  info.apiVersion = rest[0] as string;
  rest = rest.slice(1);
  if (rest.length === 0) return info;

  info.isResourceRequest = true;
  // Deprecated /watch/ and /proxy/ path prefixes.
  if (specialVerbs.has(rest[0] as string)) {
    if (rest.length < 2) return { ...info, isResourceRequest: false };
    info.verb = rest[0] as string;
    rest = rest.slice(1);
  } else {
    switch (method) {
      case "POST":
        info.verb = "create";
        break;
      case "GET":
      case "HEAD":
        info.verb = "get";
        break;
      case "PUT":
        info.verb = "update";
        break;
      case "PATCH":
        info.verb = "patch";
        break;
      case "DELETE":
        info.verb = "delete";
        break;
      default:
        info.verb = "";
    }
  }

  if (rest[0] === "namespaces") {
    if (rest.length > 1) {
      info.namespace = rest[1] as string;
      // /namespaces/<ns> alone is the namespace object itself.
      if (rest.length > 2) rest = rest.slice(2);
    }
  } else {
    info.namespace = "";
  }
  info.parts = rest;
  if (rest.length >= 3) info.subresource = rest[2] as string;
  if (rest.length >= 2) info.name = rest[1] as string;
  if (rest.length >= 1) info.resource = rest[0] as string;

  if (info.name === "" && info.verb === "get") {
    info.verb = isWatch(query) ? "watch" : "list";
    // A list narrowed to one name is authorized as that name (as Kubernetes does).
    const fieldSelector = query.get("fieldSelector");
    const match = fieldSelector ? /^metadata\.name==?([^,]+)$/.exec(fieldSelector) : null;
    if (match) info.name = match[1] as string;
  }
  if (info.name === "" && info.verb === "delete") info.verb = "deletecollection";
  return info;
}

/** `watch` is true for any value but "0" and "false" (python sends "True"). */
export function isWatch(query: URLSearchParams): boolean {
  const value = query.get("watch");
  if (value === null) return false;
  return value !== "0" && value.toLowerCase() !== "false";
}

/** Splits a URL path into decoded segments; null when a segment is malformed. */
export function splitPath(path: string): string[] | null {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 47) start++;
  while (end > start && path.charCodeAt(end - 1) === 47) end--;
  if (start === end) return [];
  const segments = path.slice(start, end).split("/");
  // Most paths have nothing to decode: skip decodeURIComponent per segment for them.
  if (path.indexOf("%", start) < 0) return segments;
  try {
    for (let i = 0; i < segments.length; i++) segments[i] = decodeURIComponent(segments[i] as string);
    return segments;
  } catch {
    return null;
  }
}
