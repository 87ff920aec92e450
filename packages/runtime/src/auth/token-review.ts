/**
 * Bearer tokens checked by the cluster (k8s.io/apiserver authentication/request/bearertoken
 * in front of the TokenReview webhook): `Authorization: Bearer <token>` is sent to
 * `POST /apis/authentication.k8s.io/v1/tokenreviews`; the answer, yes or no, is cached for
 * a TTL under the token's hash (never the token itself).
 */
import { createHash } from "node:crypto";
import { type Clock, systemClock } from "@apiserver-kit/storage";
import type { UserInfo } from "../api/meta.js";
import type { HttpRequest } from "../server/http.js";
import type { ClusterClient } from "./cluster-client.js";
import { TtlCache } from "./ttl-cache.js";
import { AuthenticationError, type Authenticator, withAuthenticatedGroup } from "./types.js";

export const TOKEN_REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

/** The part of authentication.k8s.io/v1 TokenReview this server sends and reads. */
export interface TokenReview {
  apiVersion: "authentication.k8s.io/v1";
  kind: "TokenReview";
  spec: { token: string; audiences?: string[] };
  status?: {
    authenticated?: boolean;
    user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
    audiences?: string[];
    error?: string;
  };
}

export interface TokenReviewOptions {
  client: Pick<ClusterClient, "expect">;
  /** Audiences the token must be for; none: the cluster's default (the API server's). */
  audiences?: string[];
  /** How long an answer is kept (both kinds). Default 10 s, as --authentication-token-webhook-cache-ttl. */
  cacheTtlMs?: number;
  clock?: Pick<Clock, "now">;
  /** Told when the cluster could not be asked (the request then gets 401). */
  onError?: (error: Error) => void;
}

/** The bearer token of a request, as Kubernetes reads it; undefined when there is none. */
export function bearerToken(req: HttpRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== "string") return undefined;
  const parts = header.trim().split(" ");
  if (parts.length < 2 || parts[0]?.toLowerCase() !== "bearer") return undefined;
  return parts[1] || undefined;
}

type Answer = { user: UserInfo } | { refused: string };

export class TokenReviewAuthenticator implements Authenticator {
  private readonly cache: TtlCache<Answer>;
  private readonly ttlMs: number;

  constructor(private readonly options: TokenReviewOptions) {
    this.cache = new TtlCache(options.clock ?? systemClock);
    this.ttlMs = options.cacheTtlMs ?? 10_000;
  }

  async authenticate(req: HttpRequest): Promise<UserInfo | null> {
    const token = bearerToken(req);
    if (token === undefined) return null;
    const key = createHash("sha256").update(token).digest("base64");
    let answer: Answer;
    try {
      answer = await this.cache.getOrLoad(
        key,
        () => this.review(token),
        () => this.ttlMs,
      );
    } catch (error) {
      this.options.onError?.(error as Error);
      throw new AuthenticationError(`the token could not be reviewed: ${(error as Error).message}`, "ReviewFailed");
    }
    if ("refused" in answer) throw new AuthenticationError(answer.refused, "InvalidToken");
    return answer.user;
  }

  private async review(token: string): Promise<Answer> {
    const body: TokenReview = {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      spec: { token, ...(this.options.audiences?.length ? { audiences: this.options.audiences } : {}) },
    };
    const review = await this.options.client.expect<TokenReview>("POST", TOKEN_REVIEW_PATH, body);
    const status = review.status ?? {};
    if (!status.authenticated || !status.user?.username) {
      return { refused: status.error ? `invalid bearer token, ${status.error}` : "invalid bearer token" };
    }
    const wanted = this.options.audiences ?? [];
    if (wanted.length > 0 && !(status.audiences ?? wanted).some((a) => wanted.includes(a))) {
      return { refused: "invalid bearer token, token audiences don't match" };
    }
    const { username, uid, groups, extra } = status.user;
    return {
      user: withAuthenticatedGroup({
        name: username,
        groups: groups ?? [],
        ...(uid ? { uid } : {}),
        ...(extra && Object.keys(extra).length ? { extra } : {}),
      }),
    };
  }
}
