/**
 * The authentication and authorization seams. Local mode plugs in a client-certificate
 * authenticator and a system:masters authorizer; delegated authentication
 * (requestheader, TokenReview) and SubjectAccessReview plug in the same way.
 */
import { StatusError } from "../api/errors.js";
import type { UserInfo } from "../api/meta.js";
import type { RequestInfo } from "../request/request-info.js";
import type { HttpRequest } from "../server/http.js";

export const ANONYMOUS_USER = "system:anonymous";
export const UNAUTHENTICATED_GROUP = "system:unauthenticated";
export const AUTHENTICATED_GROUP = "system:authenticated";
export const MASTERS_GROUP = "system:masters";

/** Who sent a request; `null` means "not mine to say" (the next authenticator tries). */
export interface Authenticator {
  authenticate(req: HttpRequest): Promise<UserInfo | null> | UserInfo | null;
}

/** Thrown by an authenticator that recognised credentials and found them bad (→ 401). */
export class AuthenticationError extends Error {
  override readonly name = "AuthenticationError";
}

export interface AuthorizationAttributes
  extends Pick<
    RequestInfo,
    | "verb"
    | "isResourceRequest"
    | "path"
    | "namespace"
    | "apiGroup"
    | "apiVersion"
    | "resource"
    | "subresource"
    | "name"
  > {
  user: UserInfo;
}

export type Decision = "allow" | "deny" | "noOpinion";

export interface AuthorizationResult {
  decision: Decision;
  reason?: string;
}

export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): Promise<AuthorizationResult> | AuthorizationResult;
}

export const anonymousUser = (): UserInfo => ({ name: ANONYMOUS_USER, groups: [UNAUTHENTICATED_GROUP] });

/** Tries each authenticator in order; the first that knows the request wins. */
export function unionAuthenticator(...authenticators: Authenticator[]): Authenticator {
  return {
    async authenticate(req) {
      for (const a of authenticators) {
        const user = await a.authenticate(req);
        if (user) return user;
      }
      return null;
    },
  };
}

/** Asks each authorizer in order until one allows or denies (Kubernetes' union authorizer). */
export function unionAuthorizer(...authorizers: Authorizer[]): Authorizer {
  return {
    async authorize(attributes) {
      const reasons: string[] = [];
      for (const a of authorizers) {
        const result = await a.authorize(attributes);
        if (result.decision !== "noOpinion") return result;
        if (result.reason) reasons.push(result.reason);
      }
      return { decision: "noOpinion", ...(reasons.length ? { reason: reasons.join("\n") } : {}) };
    },
  };
}

/** Allows members of system:masters, has no opinion on anyone else. */
export const mastersAuthorizer: Authorizer = {
  authorize: ({ user }) => ({ decision: user.groups.includes(MASTERS_GROUP) ? "allow" : "noOpinion" }),
};

export const alwaysAllowAuthorizer: Authorizer = { authorize: () => ({ decision: "allow" }) };

/** Adds system:authenticated, as every authenticated Kubernetes user has it. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/** Kubernetes' 403 for a refused request. */
export function forbidden(attributes: AuthorizationAttributes, reason?: string): StatusError {
  const user = attributes.user.name;
  let message: string;
  if (!attributes.isResourceRequest) {
    message = `User ${JSON.stringify(user)} cannot ${attributes.verb} path ${JSON.stringify(attributes.path)}`;
  } else {
    const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
    const where = attributes.namespace
      ? `in the namespace ${JSON.stringify(attributes.namespace)}`
      : "at the cluster scope";
    message = `User ${JSON.stringify(user)} cannot ${attributes.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attributes.apiGroup)} ${where}`;
  }
  if (reason) message += `: ${reason}`;
  if (!attributes.isResourceRequest) return StatusError.forbiddenPath(`forbidden: ${message}`);
  return StatusError.forbidden({ group: attributes.apiGroup, resource: attributes.resource }, attributes.name, message);
}
