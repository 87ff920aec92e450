/**
 * Workers taking keys off a work queue and reconciling them
 * (controller-runtime pkg/internal/controller/controller.go, reconcileHandler):
 * - an error retries the key with the rate limiter's backoff, unless it is terminal;
 * - `requeueAfter` forgets the backoff and adds the key back after that long;
 * - success forgets the backoff;
 * - at most `maxConcurrentReconciles` run at once, never two for one key (the queue's rule).
 */
import { randomUUID } from "node:crypto";
import { type Clock, systemClock } from "../clock/clock.js";
import { errorFields, type Logger, silentLogger } from "../log/logger.js";
import type { ControllerMetrics, ReconcileRecorder, ReconcileResultLabel } from "../metrics/metrics.js";
import { requestFromKey } from "../objects/keys.js";
import { isTerminalError, type Reconciler } from "../reconcile/reconcile.js";
import type { WorkQueue } from "../workqueue/work-queue.js";

export interface ReconcileLoopOptions {
  /** The controller's name: metrics label and log field. */
  name: string;
  reconcile: Reconciler;
  queue: WorkQueue<string>;
  /** Default 1. */
  maxConcurrentReconciles?: number;
  metrics?: ControllerMetrics;
  logger?: Logger;
  clock?: Clock;
}

export class ReconcileLoop {
  readonly name: string;
  readonly maxConcurrentReconciles: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly recorder: ReconcileRecorder | undefined;
  private reconcileIdPrefix: string | undefined;
  private reconciles = 0;

  constructor(private readonly options: ReconcileLoopOptions) {
    this.name = options.name;
    this.maxConcurrentReconciles = Math.max(1, options.maxConcurrentReconciles ?? 1);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.recorder = options.metrics?.reconcileRecorder(this.name, this.maxConcurrentReconciles);
  }

  /**
   * Runs the workers until `signal` aborts, then shuts the queue down and waits for the
   * reconciles in flight (they see `signal` aborted). Keys still queued are not started.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { queue } = this.options;
    const onAbort = () => queue.shutDown();
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    const worker = async () => {
      for (;;) {
        const key = queue.tryGet() ?? (await queue.get());
        if (key === undefined) return;
        try {
          if (!signal.aborted) await this.reconcileHandler(signal, key);
        } finally {
          queue.done(key);
        }
        if (signal.aborted) return;
      }
    };
    await Promise.all(Array.from({ length: this.maxConcurrentReconciles }, worker));
    signal.removeEventListener("abort", onAbort);
  }

  /**
   * A UUID-shaped id per reconcile, as controller-runtime logs one: this loop's random prefix and
   * a sequence number. Unique, and far cheaper than a randomUUID() each: those drew 2 KB from the
   * system's random source every 128 reconciles, a sixth of a no-op reconcile's CPU.
   */
  private nextReconcileId(): string {
    this.reconcileIdPrefix ??= randomUUID().slice(0, 24);
    return this.reconcileIdPrefix + (this.reconciles++).toString(16).padStart(12, "0");
  }

  private async reconcileHandler(signal: AbortSignal, key: string): Promise<void> {
    const { queue, reconcile } = this.options;
    const request = requestFromKey(key);
    const reconcileId = this.nextReconcileId();
    const log = this.logger.child({
      controller: this.name,
      namespace: request.namespace,
      name: request.name,
      reconcileId,
    });
    const started = this.clock.now();
    this.recorder?.started();
    let result: Awaited<ReturnType<Reconciler>>;
    let failure: unknown;
    let failed = false;
    try {
      result = await reconcile({ signal, log, controller: this.name, reconcileId }, request);
    } catch (error) {
      failure = error;
      failed = true;
    }
    let label: ReconcileResultLabel;
    let terminal = false;
    if (failed) {
      label = "error";
      terminal = isTerminalError(failure);
      if (terminal) {
        queue.forget(key);
        log.error("reconciler error (terminal, not retried)", { error: errorFields(failure) });
      } else {
        queue.addRateLimited(key);
        log.error("reconciler error", { error: errorFields(failure), retries: queue.numRequeues(key) });
      }
    } else if (result?.requeueAfter !== undefined && result.requeueAfter > 0) {
      label = "requeue_after";
      queue.forget(key);
      queue.addAfter(key, result.requeueAfter);
      log.debug("reconciled, requeueing", { requeueAfterMs: result.requeueAfter });
    } else {
      label = "success";
      queue.forget(key);
      log.debug("reconciled");
    }
    this.recorder?.finished(label, (this.clock.now() - started) / 1000, terminal);
  }
}
