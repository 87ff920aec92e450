/**
 * The reconcile contract (controller-runtime pkg/reconcile): level-based, one key in,
 * "requeue after" or an error out.
 */
import type { Logger } from "../log/logger.js";
import type { Request } from "../objects/keys.js";

/** What a reconcile asks for next. An empty result: done until something changes. */
export interface Result {
  /** Reconcile this key again after so many milliseconds (a poll, an expiry). */
  requeueAfter?: number;
}

export interface ReconcileContext {
  /** Aborted when the controller stops: long work should give up. */
  signal: AbortSignal;
  /** Carries the controller, the object's key and the reconcile's id. */
  log: Logger;
  controller: string;
  reconcileId: string;
}

/**
 * Brings the world in line with the object named by `request`. Throwing retries the key
 * with per-item backoff, unless the error is a TerminalError.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a reconciler with nothing to ask for is written `async () => { ... }`.
export type Reconciler = (context: ReconcileContext, request: Request) => Promise<Result | undefined | void>;

/** An error retrying can't fix (an invalid spec): logged and counted, never retried. */
export class TerminalError extends Error {
  override readonly name = "TerminalError";
  readonly reason = "Terminal";
}

/** True for a TerminalError, or any error caused (via `cause`) by one. */
export function isTerminalError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}
