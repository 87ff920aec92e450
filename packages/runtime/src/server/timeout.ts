/**
 * The request timeout (k8s.io/apiserver filters/timeout.go): a request that is not
 * long-running and has not finished in time gets 504 with a Timeout Status, or, when its
 * response has already begun, has its connection (HTTP/1.1) or stream (HTTP/2) cut.
 */
import { background, type Clock as TimerClock, type TimerHandle } from "@apiserver-kit/storage";
import { StatusError } from "../api/errors.js";
import { type HttpResponse, writeError } from "./http.js";

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export function timeoutStatus(): StatusError {
  return StatusError.timeout("Timeout: request did not complete within the allotted timeout");
}

/** Ends a response that ran out of time: 504 if nothing was sent yet, else cut. */
export function expire(res: HttpResponse): void {
  if (res.writableEnded || res.destroyed) return;
  if (!res.headersSent) writeError(res, timeoutStatus());
  else res.destroy();
}

/**
 * Deadlines of the requests in flight, checked by one timer that runs while any are
 * pending — instead of a timer per request, which showed in the per-request cost. A
 * request expires at most one tick (a second, or the timeout if shorter) after its
 * deadline.
 */
export class RequestDeadlines {
  /** Responses and their deadlines, in arrival order (so in deadline order). */
  private readonly pending = new Map<HttpResponse, number>();
  private timer?: TimerHandle;
  private readonly tickMs: number;

  constructor(
    private readonly timeoutMs: number,
    private readonly timers: TimerClock,
  ) {
    this.tickMs = Math.max(1, Math.min(1000, timeoutMs));
  }

  /** Watches a response until {@link done}. */
  track(res: HttpResponse): void {
    this.pending.set(res, this.timers.now() + this.timeoutMs);
    if (this.timer === undefined) this.timer = background(this.timers.setTimeout(() => this.sweep(), this.tickMs));
  }

  done(res: HttpResponse): void {
    this.pending.delete(res);
  }

  private sweep(): void {
    this.timer = undefined;
    const now = this.timers.now();
    for (const [res, deadline] of this.pending) {
      if (deadline > now) break;
      this.pending.delete(res);
      expire(res);
    }
    if (this.pending.size > 0) this.timer = background(this.timers.setTimeout(() => this.sweep(), this.tickMs));
  }

  /** Stops the timer (the server is closing). */
  stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
