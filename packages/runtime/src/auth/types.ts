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

/** A value, or a promise of it: authenticators and authorizers answer cached decisions synchronously. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether an authenticator's or authorizer's answer is still to come. */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Tries each authenticator in order; the first that knows the request wins. As Kubernetes'
 * union authenticator, a refusal does not stop the others (a front-proxy certificate is
 * "bad" to the client-CA authenticator and fine to the requestheader one); it only counts
 * when nobody authenticated the request. Answers synchronously while its members do (a
 * promise per request showed in the serving profile); failures always come as a rejection.
 */
export function unionAuthenticator(...authenticators: Authenticator[]): Authenticator {
  const sanitizers = authenticators.filter((a) => a.sanitize);
  const from = (req: HttpRequest, first: number, earlier?: AuthenticationError): MaybePromise<UserInfo | null> => {
    let refusal = earlier;
    for (let i = first; i < authenticators.length; i++) {
      let answer: MaybePromise<UserInfo | null>;
      try {
        answer = (authenticators[i] as Authenticator).authenticate(req);
      } catch (error) {
        if (!(error instanceof AuthenticationError)) return Promise.reject(error);
        refusal ??= error;
        continue;
      }
      if (isPromise(answer)) {
        return answer.then(
          (user) => user ?? from(req, i + 1, refusal),
          (error: unknown) => {
            if (!(error instanceof AuthenticationError)) throw error;
            return from(req, i + 1, refusal ?? error);
          },
        );
      }
      if (answer) return answer;
    }
    return refusal ? Promise.reject(refusal) : null;
  };
  return {
    ...(sanitizers.length
      ? {
          sanitize: (req: HttpRequest) => {
            for (const a of sanitizers) a.sanitize?.(req);
          },
        }
      : {}),
    authenticate: (req) => from(req, 0),
  };
}

/**
 * Asks each authorizer in order until one allows or denies (Kubernetes' union authorizer);
 * synchronously while its members answer so, failures as a rejection.
 */
export function unionAuthorizer(...authorizers: Authorizer[]): Authorizer {
  const from = (
    attributes: AuthorizationAttributes,
    first: number,
    earlier: readonly string[],
  ): MaybePromise<AuthorizationResult> => {
    let reasons = earlier;
    for (let i = first; i < authorizers.length; i++) {
      let answer: MaybePromise<AuthorizationResult>;
      try {
        answer = (authorizers[i] as Authorizer).authorize(attributes);
      } catch (error) {
        return Promise.reject(error);
      }
      if (isPromise(answer)) {
        return answer.then((result) => {
          if (result.decision !== "noOpinion") return result;
          return from(attributes, i + 1, result.reason ? [...reasons, result.reason] : reasons);
        });
      }
      if (answer.decision !== "noOpinion") return answer;
      if (answer.reason) reasons = [...reasons, answer.reason];
    }
    return { decision: "noOpinion", ...(reasons.length ? { reason: reasons.join("\n") } : {}) };
  };
  return { authorize: (attributes) => from(attributes, 0, []) };
}

/** Allows members of system:masters, has no opinion on anyone else. */
export const mastersAuthorizer: Authorizer = {
  authorize: ({ user }) => ({ decision: user.groups.includes(MASTERS_GROUP) ? "allow" : "noOpinion" }),
};

export const alwaysAllowAuthorizer: Authorizer = { authorize: () => ({ decision: "allow" }) };

/**
 * Adds system:authenticated, as every authenticated Kubernetes user has it (anonymous excepted).
 * `owned`: the caller has just built `user` and its groups array for this request, so they are
 * completed in place; otherwise a copy is returned.
 */
export function withAuthenticatedGroup(user: UserInfo, owned = false): UserInfo {
  if (user.name === ANONYMOUS_USER) return user;
  if (user.groups.includes(AUTHENTICATED_GROUP) || user.groups.includes(UNAUTHENTICATED_GROUP)) return user;
  if (owned) {
    user.groups.push(AUTHENTICATED_GROUP);
    return user;
  }
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
