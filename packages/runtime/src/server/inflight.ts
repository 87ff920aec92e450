/**
 * The in-flight limits (k8s.io/apiserver filters/maxinflight.go): at most N read-only and
 * M mutating requests at once, long-running ones (watches) not counted; past a limit the
 * request is answered 429 with Retry-After, except for system:masters, which always gets
 * an answer (Kubernetes' rule for its super-users and loopback clients).
 */
import { StatusError } from "../api/errors.js";
import type { UserInfo } from "../api/meta.js";
import { MASTERS_GROUP } from "../auth/types.js";

export interface InflightLimits {
  /** Read-only requests at once; 0: no limit. Kubernetes' default 400. */
  maxRequestsInflight: number;
  /** Mutating requests at once; 0: no limit. Kubernetes' default 200. */
  maxMutatingRequestsInflight: number;
}

export const DEFAULT_INFLIGHT_LIMITS: InflightLimits = { maxRequestsInflight: 400, maxMutatingRequestsInflight: 200 };

const READ_ONLY_VERBS = new Set(["get", "list", "watch", "head", "options"]);

export class InflightLimiter {
  private readOnly = 0;
  private mutating = 0;

  constructor(private readonly limits: InflightLimits) {}

  /** The requests being served now, by kind. */
  get current(): { readOnly: number; mutating: number } {
    return { readOnly: this.readOnly, mutating: this.mutating };
  }

  /**
   * Takes a slot for a request that is not long-running; returns its release, or throws a
   * 429 StatusError when the limit is reached.
   */
  acquire(verb: string, user: UserInfo): () => void {
    const mutating = !READ_ONLY_VERBS.has(verb);
    const limit = mutating ? this.limits.maxMutatingRequestsInflight : this.limits.maxRequestsInflight;
    const count = mutating ? this.mutating : this.readOnly;
    if (limit > 0 && count >= limit && !user.groups.includes(MASTERS_GROUP)) {
      throw StatusError.tooManyRequests("Too many requests, please try again later.", 1);
    }
    if (mutating) this.mutating++;
    else this.readOnly++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (mutating) this.mutating--;
      else this.readOnly--;
    };
  }
}
