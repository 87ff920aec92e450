/**
 * The request timeout (k8s.io/apiserver filters/timeout.go): a request that is not
 * long-running and has not finished in time gets 504 with a Timeout Status, or, when its
 * response has already begun, has its connection (HTTP/1.1) or stream (HTTP/2) cut.
 */
import type { Clock as TimerClock } from "@apiserver-kit/storage";
import { StatusError } from "../api/errors.js";
import { type HttpResponse, writeError } from "./http.js";

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export function timeoutStatus(): StatusError {
  return StatusError.timeout("Timeout: request did not complete within the allotted timeout");
}

/** Starts the timer; the returned function disarms it (call it when the response ends). */
export function armRequestTimeout(
  res: HttpResponse,
  timeoutMs: number,
  timers: TimerClock,
  onTimeout?: (status: StatusError) => void,
): () => void {
  const handle = timers.setTimeout(() => {
    if (res.writableEnded || res.destroyed) return;
    const status = timeoutStatus();
    if (!res.headersSent) writeError(res, status);
    else res.destroy();
    onTimeout?.(status);
  }, timeoutMs);
  return () => timers.clearTimeout(handle);
}
