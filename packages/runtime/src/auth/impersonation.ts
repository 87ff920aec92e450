/**
 * User impersonation, as kube-apiserver's impersonation filter does it (`kubectl --as`,
 * `--as-group`, `--as-uid`, `Impersonate-Extra-*`): the authenticated user must be allowed
 * to `impersonate` each thing asked for — users, service accounts and groups in the core
 * group; user extras (subresource: the key) and UIDs in `authentication.k8s.io` — and the
 * request then runs as the impersonated user. The headers are removed once read.
 *
 * Through the aggregation layer this never runs: kube-apiserver resolves impersonation
 * before proxying and sends the impersonated user in X-Remote-* headers. It serves clients
 * that talk to this server directly (local development, `--authorization-policy-file`).
 */
import { StatusError } from "../api/errors.js";
import type { UserInfo } from "../api/meta.js";
import type { HttpRequest } from "../server/http.js";
import { isDNS1123Label, isDNS1123Subdomain } from "../validation/object-meta.js";
import {
  ANONYMOUS_USER,
  AUTHENTICATED_GROUP,
  type AuthorizationAttributes,
  type AuthorizationResult,
  type Authorizer,
  forbidden,
  isPromise,
  type MaybePromise,
  UNAUTHENTICATED_GROUP,
} from "./types.js";

const USER = "impersonate-user";
const GROUP = "impersonate-group";
const UID = "impersonate-uid";
const EXTRA = "impersonate-extra-";
const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

/** One thing a request asks to act as; each is authorized on its own. */
export interface ImpersonationRequest {
  readonly resource: "users" | "serviceaccounts" | "groups" | "userextras" | "uids";
  readonly apiGroup: "" | "authentication.k8s.io";
  readonly name: string;
  readonly namespace?: string;
  /** For user extras: the key. */
  readonly subresource?: string;
}

/** Whether a request carries impersonation headers at all (the common case: no). */
export function hasImpersonationHeaders(req: HttpRequest): boolean {
  for (const name in req.headers) if (name.startsWith("impersonate-")) return true;
  return false;
}

/**
 * What the request's headers ask to impersonate, in kube-apiserver's order (the user, its
 * groups, extras, UID). Every header line counts: `Impersonate-Group` may come several times.
 * Groups, extras or a UID without a user → 500, as upstream answers.
 */
export function impersonationRequests(req: HttpRequest): ImpersonationRequest[] {
  let user: string | undefined;
  let uid: string | undefined;
  const groups: string[] = [];
  const extras: Array<[string, string]> = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (!name.startsWith("impersonate-")) continue;
    const value = raw[i + 1] as string;
    if (name === USER) user ??= value;
    else if (name === UID) uid ??= value;
    else if (name === GROUP) groups.push(value);
    else if (name.startsWith(EXTRA)) extras.push([unescapeExtraKey(name.slice(EXTRA.length)), value]);
  }
  const requests: ImpersonationRequest[] = [];
  if (user) {
    const account = splitServiceAccount(user);
    requests.push(
      account
        ? { resource: "serviceaccounts", apiGroup: "", namespace: account.namespace, name: account.name }
        : { resource: "users", apiGroup: "", name: user },
    );
  }
  for (const group of groups) requests.push({ resource: "groups", apiGroup: "", name: group });
  for (const [key, value] of extras) {
    requests.push({ resource: "userextras", apiGroup: "authentication.k8s.io", name: value, subresource: key });
  }
  if (uid) requests.push({ resource: "uids", apiGroup: "authentication.k8s.io", name: uid });
  if (!user && requests.length > 0) {
    const asked = requests.map((r) => (r.subresource ? `${r.resource}/${r.subresource}` : r.resource));
    throw StatusError.internal(new Error(`requested ${[...new Set(asked)].join(", ")} without impersonating a user`));
  }
  return requests;
}

/**
 * Authorizes each request as `requestor` (verb `impersonate`), in order; the first refused
 * answers 403 in kube-apiserver's words. Returns the user the request then acts as.
 */
export function impersonate(
  requestor: UserInfo,
  requests: readonly ImpersonationRequest[],
  authorizer: Authorizer,
  path: string,
): MaybePromise<UserInfo> {
  const check = (index: number): MaybePromise<UserInfo> => {
    const request = requests[index];
    if (request === undefined) return impersonatedUser(requests);
    const attributes: AuthorizationAttributes = {
      user: requestor,
      verb: "impersonate",
      isResourceRequest: true,
      path,
      namespace: request.namespace ?? "",
      apiGroup: request.apiGroup,
      apiVersion: "",
      resource: request.resource,
      subresource: request.subresource ?? "",
      name: request.name,
    };
    const decided = (result: AuthorizationResult): MaybePromise<UserInfo> => {
      if (result.decision !== "allow") throw forbidden(attributes, result.reason);
      return check(index + 1);
    };
    const result = authorizer.authorize(attributes);
    return isPromise(result) ? result.then(decided) : decided(result);
  };
  return check(0);
}

/** The user a set of allowed requests describes, with the groups kube-apiserver adds. */
export function impersonatedUser(requests: readonly ImpersonationRequest[]): UserInfo {
  let name = "";
  let uid: string | undefined;
  const groups: string[] = [];
  const extra: Record<string, string[]> = {};
  const groupsSpecified = requests.some((r) => r.resource === "groups");
  for (const request of requests) {
    switch (request.resource) {
      case "serviceaccounts":
        name = `${SERVICE_ACCOUNT_PREFIX}${request.namespace}:${request.name}`;
        // A service account's groups are known; given groups replace them.
        if (!groupsSpecified) groups.push("system:serviceaccounts", `system:serviceaccounts:${request.namespace}`);
        break;
      case "users":
        name = request.name;
        break;
      case "groups":
        groups.push(request.name);
        break;
      case "userextras": {
        const key = request.subresource as string;
        extra[key] = [...(extra[key] ?? []), request.name];
        break;
      }
      case "uids":
        uid = request.name;
        break;
    }
  }
  if (name !== ANONYMOUS_USER) {
    // Everyone but the anonymous user is authenticated, unless the request says otherwise.
    if (!groups.includes(AUTHENTICATED_GROUP) && !groups.includes(UNAUTHENTICATED_GROUP)) {
      groups.push(AUTHENTICATED_GROUP);
    }
  } else if (!groups.includes(UNAUTHENTICATED_GROUP)) groups.push(UNAUTHENTICATED_GROUP);
  return {
    name,
    ...(uid !== undefined ? { uid } : {}),
    groups,
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

/** Removes the impersonation headers (kube-apiserver deletes them once read). */
export function stripImpersonationHeaders(req: HttpRequest): void {
  for (const name of Object.keys(req.headers)) if (name.startsWith("impersonate-")) delete req.headers[name];
}

/** `system:serviceaccount:<namespace>:<name>` with a valid namespace and name, else undefined. */
function splitServiceAccount(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = user.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (isDNS1123Label(namespace).length > 0 || isDNS1123Subdomain(name).length > 0) return undefined;
  return { namespace, name };
}

/** An extra's key from its header name: percent-decoded (RFC 3986) when that decodes, else as sent. */
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}
