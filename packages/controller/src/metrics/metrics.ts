/**
 * Prometheus metrics with controller-runtime's names and labels
 * (pkg/internal/controller/metrics, pkg/metrics/workqueue.go), so that dashboards and
 * alerts written for Go controllers work unchanged. One registry per manager.
 *
 * Counters and gauges are plain numbers turned into series when scraped: a label lookup
 * per increment cost more than the no-op reconcile it counted. Histograms are lean ones
 * (@apiserver-kit/metrics), their series looked up once per controller: prom-client's own
 * validate and hash the labels of every observation (≈ 1 µs, three per reconcile).
 */
import { LeanHistogram } from "@apiserver-kit/metrics";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Clock } from "../clock/clock.js";
import type { WorkQueueMetrics } from "../workqueue/work-queue.js";

export type ReconcileResultLabel = "success" | "error" | "requeue" | "requeue_after";

const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
  2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** prometheus.ExponentialBuckets(10e-9, 10, 12). */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

/** One controller's reconcile counts. */
export interface ReconcileSeries {
  results: Record<ReconcileResultLabel, number>;
  errors: number;
  terminalErrors: number;
  active: number;
  maxConcurrent: number;
}

/** Records one controller's reconciles (ReconcileLoop calls it). */
export interface ReconcileRecorder {
  started(): void;
  finished(result: ReconcileResultLabel, seconds: number, terminal: boolean): void;
}

interface QueueSeries {
  depth: number;
  adds: number;
  retries: number;
  /** When each item in processing started, for the unfinished-work gauges. */
  processingSince: Map<unknown, number>;
}

type LabelNames<L extends string> = L[];

/** A counter or gauge whose values are read from `values()` when scraped. */
function scraped<L extends string>(
  kind: "counter" | "gauge",
  registry: Registry,
  name: string,
  help: string,
  labelNames: LabelNames<L>,
  values: () => Iterable<[Record<L, string>, number]>,
): void {
  if (kind === "counter") {
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Counter<L>) {
        this.reset();
        for (const [labels, value] of values()) this.inc(labels as never, value);
      },
    });
  } else {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Gauge<L>) {
        this.reset();
        for (const [labels, value] of values()) this.set(labels as never, value);
      },
    });
  }
}

export class ControllerMetrics {
  readonly reconcileTime: LeanHistogram<"controller">;
  readonly queueDuration: LeanHistogram<"name" | "controller">;
  readonly workDuration: LeanHistogram<"name" | "controller">;
  private readonly controllers = new Map<string, ReconcileSeries>();
  private readonly queues = new Map<string, QueueSeries>();

  constructor(
    readonly registry: Registry,
    private readonly clock: Clock,
  ) {
    type Row<L extends string> = [Record<L, string>, number];
    const perController = (read: (s: ReconcileSeries) => number) => (): Row<"controller">[] =>
      [...this.controllers].map(([controller, series]) => [{ controller }, read(series)]);
    const perQueue = (read: (q: QueueSeries, now: number) => number) => (): Row<"name" | "controller">[] => {
      const now = this.clock.now();
      return [...this.queues].map(([name, series]) => [{ name, controller: name }, read(series, now)]);
    };

    scraped(
      "counter",
      registry,
      "controller_runtime_reconcile_total",
      "Total number of reconciliations per controller",
      ["controller", "result"],
      (): Row<"controller" | "result">[] =>
        [...this.controllers].flatMap(([controller, series]) =>
          Object.entries(series.results).map(
            ([result, value]): Row<"controller" | "result"> => [{ controller, result }, value],
          ),
        ),
    );
    scraped(
      "counter",
      registry,
      "controller_runtime_reconcile_errors_total",
      "Total number of reconciliation errors per controller",
      ["controller"],
      perController((s) => s.errors),
    );
    scraped(
      "counter",
      registry,
      "controller_runtime_terminal_reconcile_errors_total",
      "Total number of terminal reconciliation errors per controller",
      ["controller"],
      perController((s) => s.terminalErrors),
    );
    scraped(
      "gauge",
      registry,
      "controller_runtime_max_concurrent_reconciles",
      "Maximum number of concurrent reconciles per controller",
      ["controller"],
      perController((s) => s.maxConcurrent),
    );
    scraped(
      "gauge",
      registry,
      "controller_runtime_active_workers",
      "Number of currently used workers per controller",
      ["controller"],
      perController((s) => s.active),
    );
    this.reconcileTime = new LeanHistogram(
      "controller_runtime_reconcile_time_seconds",
      "Length of time per reconciliation per controller",
      ["controller"],
      registry,
      RECONCILE_BUCKETS,
    );

    scraped(
      "gauge",
      registry,
      "workqueue_depth",
      "Current depth of workqueue",
      ["name", "controller"],
      perQueue((q) => q.depth),
    );
    scraped(
      "counter",
      registry,
      "workqueue_adds_total",
      "Total number of adds handled by workqueue",
      ["name", "controller"],
      perQueue((q) => q.adds),
    );
    scraped(
      "counter",
      registry,
      "workqueue_retries_total",
      "Total number of retries handled by workqueue",
      ["name", "controller"],
      perQueue((q) => q.retries),
    );
    this.queueDuration = new LeanHistogram(
      "workqueue_queue_duration_seconds",
      "How long in seconds an item stays in workqueue before being requested",
      ["name", "controller"],
      registry,
      QUEUE_BUCKETS,
    );
    this.workDuration = new LeanHistogram(
      "workqueue_work_duration_seconds",
      "How long in seconds processing an item from workqueue takes.",
      ["name", "controller"],
      registry,
      QUEUE_BUCKETS,
    );
    scraped(
      "gauge",
      registry,
      "workqueue_unfinished_work_seconds",
      "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.",
      ["name", "controller"],
      perQueue((q, now) => {
        let total = 0;
        for (const since of q.processingSince.values()) total += (now - since) / 1000;
        return total;
      }),
    );
    scraped(
      "gauge",
      registry,
      "workqueue_longest_running_processor_seconds",
      "How many seconds has the longest running processor for workqueue been running.",
      ["name", "controller"],
      perQueue((q, now) => {
        let longest = 0;
        for (const since of q.processingSince.values()) longest = Math.max(longest, (now - since) / 1000);
        return longest;
      }),
    );
  }

  /** The recorder for controller `name`; its series exist (at zero) from now on, as controller-runtime does. */
  reconcileRecorder(controller: string, maxConcurrentReconciles: number): ReconcileRecorder {
    const series: ReconcileSeries = {
      results: { success: 0, error: 0, requeue: 0, requeue_after: 0 },
      errors: 0,
      terminalErrors: 0,
      active: 0,
      maxConcurrent: maxConcurrentReconciles,
    };
    this.controllers.set(controller, series);
    const time = this.reconcileTime.seriesOf({ controller });
    return {
      started: () => {
        series.active++;
      },
      finished: (result, seconds, terminal) => {
        series.active--;
        series.results[result]++;
        if (result === "error") series.errors++;
        if (terminal) series.terminalErrors++;
        this.reconcileTime.record(time, seconds);
      },
    };
  }

  /** The work-queue hooks for the queue of controller `name` (name and controller labels are both the controller's name). */
  workQueueMetrics<T>(name: string): WorkQueueMetrics<T> {
    const series: QueueSeries = { depth: 0, adds: 0, retries: 0, processingSince: new Map() };
    this.queues.set(name, series);
    const started = series.processingSince as Map<T, number>;
    const queueDuration = this.queueDuration.seriesOf({ name, controller: name });
    const workDuration = this.workDuration.seriesOf({ name, controller: name });
    return {
      add: () => {
        series.adds++;
        series.depth++;
      },
      get: (item, queuedSeconds) => {
        series.depth--;
        this.queueDuration.record(queueDuration, queuedSeconds);
        started.set(item, this.clock.now());
      },
      done: (item) => {
        const since = started.get(item);
        if (since !== undefined) this.workDuration.record(workDuration, (this.clock.now() - since) / 1000);
        started.delete(item);
      },
      retry: () => {
        series.retries++;
      },
    };
  }
}
