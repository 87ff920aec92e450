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
  /**
   * For requests that skip authentication (the non-API routes): removes headers that claim
   * an identity this authenticator would not vouch for. Without it, the server removes the
   * default front-proxy headers (X-Remote-*).
   */
  sanitize?(req: HttpRequest): void;
}

/** Why credentials were refused. */
export type AuthenticationFailureReason =
  | "InvalidCredentials"
  | "InvalidCertificate"
  | "InvalidToken"
  /** The cluster could not be asked (TokenReview failed): the credentials are unverified, hence refused. */
  | "ReviewFailed";

/** Thrown by an authenticator that recognised credentials and found them bad (→ 401). */
export class AuthenticationError extends Error {
  override readonly name = "AuthenticationError";
  constructor(
    message: string,
    readonly reason: AuthenticationFailureReason = "InvalidCredentials",
  ) {
    super(message);
  }
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

/**
 * Tries each authenticator in order; the first that knows the request wins. As Kubernetes'
 * union authenticator, a refusal does not stop the others (a front-proxy certificate is
 * "bad" to the client-CA authenticator and fine to the requestheader one); it only counts
 * when nobody authenticated the request.
 */
export function unionAuthenticator(...authenticators: Authenticator[]): Authenticator {
  const sanitizers = authenticators.filter((a) => a.sanitize);
  return {
    ...(sanitizers.length
      ? {
          sanitize: (req: HttpRequest) => {
            for (const a of sanitizers) a.sanitize?.(req);
          },
        }
      : {}),
    async authenticate(req) {
      let refusal: AuthenticationError | undefined;
      for (const a of authenticators) {
        try {
          const user = await a.authenticate(req);
          if (user) return user;
        } catch (error) {
          if (!(error instanceof AuthenticationError)) throw error;
          refusal ??= error;
        }
      }
      if (refusal) throw refusal;
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

/** Adds system:authenticated, as every authenticated Kubernetes user has it (anonymous excepted). */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === ANONYMOUS_USER) return user;
  if (user.groups.includes(AUTHENTICATED_GROUP) || user.groups.includes(UNAUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
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
