/**
 * Prometheus metrics with controller-runtime's names and labels
 * (pkg/internal/controller/metrics, pkg/metrics/workqueue.go), so that dashboards and
 * alerts written for Go controllers work unchanged. One registry per manager.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Clock } from "../clock/clock.js";
import type { WorkQueueMetrics } from "../workqueue/work-queue.js";

export type ReconcileResultLabel = "success" | "error" | "requeue" | "requeue_after";

const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
  2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** prometheus.ExponentialBuckets(10e-9, 10, 12). */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

export class ControllerMetrics {
  readonly reconcileTotal: Counter<"controller" | "result">;
  readonly reconcileErrors: Counter<"controller">;
  readonly terminalReconcileErrors: Counter<"controller">;
  readonly reconcileTime: Histogram<"controller">;
  readonly maxConcurrentReconciles: Gauge<"controller">;
  readonly activeWorkers: Gauge<"controller">;
  readonly depth: Gauge<"name" | "controller">;
  readonly adds: Counter<"name" | "controller">;
  readonly queueDuration: Histogram<"name" | "controller">;
  readonly workDuration: Histogram<"name" | "controller">;
  readonly retries: Counter<"name" | "controller">;
  /** Per queue: when each item in processing started, for the unfinished-work gauges. */
  private readonly processingSince = new Map<string, Map<unknown, number>>();

  constructor(
    readonly registry: Registry,
    private readonly clock: Clock,
  ) {
    const registers = [registry];
    this.reconcileTotal = new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"],
      registers,
    });
    this.terminalReconcileErrors = new Counter({
      name: "controller_runtime_terminal_reconcile_errors_total",
      help: "Total number of terminal reconciliation errors per controller",
      labelNames: ["controller"],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.maxConcurrentReconciles = new Gauge({
      name: "controller_runtime_max_concurrent_reconciles",
      help: "Maximum number of concurrent reconciles per controller",
      labelNames: ["controller"],
      registers,
    });
    this.activeWorkers = new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"],
      registers,
    });
    this.depth = new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: ["name", "controller"],
      registers,
    });
    this.adds = new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: ["name", "controller"],
      registers,
    });
    this.queueDuration = new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: ["name", "controller"],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes.",
      labelNames: ["name", "controller"],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: ["name", "controller"],
      registers,
    });
    const unfinished = (longest: boolean) => {
      const metrics = this;
      return function (this: Gauge<"name" | "controller">) {
        const now = metrics.clock.now();
        for (const [name, started] of metrics.processingSince) {
          let value = 0;
          for (const since of started.values()) {
            const seconds = (now - since) / 1000;
            value = longest ? Math.max(value, seconds) : value + seconds;
          }
          this.set({ name, controller: name }, value);
        }
      };
    };
    new Gauge({
      name: "workqueue_unfinished_work_seconds",
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.",
      labelNames: ["name", "controller"],
      registers,
      collect: unfinished(false),
    });
    new Gauge({
      name: "workqueue_longest_running_processor_seconds",
      help: "How many seconds has the longest running processor for workqueue been running.",
      labelNames: ["name", "controller"],
      registers,
      collect: unfinished(true),
    });
  }

  /** Zeroes a controller's series so they exist before the first reconcile (as controller-runtime does). */
  initController(controller: string, maxConcurrentReconciles: number): void {
    for (const result of ["success", "error", "requeue", "requeue_after"] as const) {
      this.reconcileTotal.inc({ controller, result }, 0);
    }
    this.reconcileErrors.inc({ controller }, 0);
    this.terminalReconcileErrors.inc({ controller }, 0);
    this.maxConcurrentReconciles.set({ controller }, maxConcurrentReconciles);
    this.activeWorkers.set({ controller }, 0);
  }

  /** The work-queue hooks for the queue of controller `name` (name and controller labels are both the controller's name). */
  workQueueMetrics<T>(name: string): WorkQueueMetrics<T> {
    const labels = { name, controller: name };
    const addedAt = new Map<T, number>();
    const started = new Map<unknown, number>();
    this.processingSince.set(name, started);
    this.depth.set(labels, 0);
    return {
      add: (item) => {
        this.adds.inc(labels);
        this.depth.inc(labels);
        if (!addedAt.has(item)) addedAt.set(item, this.clock.now());
      },
      get: (item) => {
        this.depth.dec(labels);
        const now = this.clock.now();
        const since = addedAt.get(item);
        if (since !== undefined) this.queueDuration.observe(labels, (now - since) / 1000);
        addedAt.delete(item);
        started.set(item, now);
      },
      done: (item) => {
        const since = started.get(item);
        if (since !== undefined) this.workDuration.observe(labels, (this.clock.now() - since) / 1000);
        started.delete(item);
      },
      retry: () => this.retries.inc(labels),
    };
  }
}
