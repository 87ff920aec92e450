/**
 * Usage over a window: the difference between two readings of /proc, as metrics-server
 * reports it (CPU averaged over the window, memory at its end). The first reading of a node
 * or process has no predecessor, so its window runs from boot or from the process's start.
 */
import { hostname } from "node:os";
import { formatDuration } from "@apiserver-kit/runtime";
import type { NodeMetrics } from "../apis/metrics/v1beta1/node-metrics.js";
import type { ProcessMetrics } from "../apis/metrics/v1beta1/process-metrics.js";
import type { ResourceUsage } from "../apis/metrics/v1beta1/usage.js";
import { type ProcFiles, readNodeSample, readProcessSamples, USER_HZ } from "./proc.js";

const API_VERSION = "metrics.example.com/v1beta1";

/** Cores as a Kubernetes quantity in millicores: 0.25 → `250m`. */
export function cpuQuantity(cores: number): string {
  return `${Math.max(0, Math.round(cores * 1000))}m`;
}

/** KiB as a Kubernetes quantity: 2048 → `2048Ki`. */
export function memoryQuantity(kib: number): string {
  return `${Math.max(0, Math.round(kib))}Ki`;
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A label value from any text: at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends. */
export function labelValue(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9_.-]/g, "_")
      .slice(0, 63)
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || "unknown"
  );
}

/** An object name from a host name: lower case, DNS-1123 subdomain characters only. */
export function nodeNameOf(host: string = hostname()): string {
  const name = host
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, "-")
    .slice(0, 253)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return name || "localhost";
}

function usageOver(cpuTicks: number, windowSeconds: number, memoryKiB: number): ResourceUsage {
  return {
    cpu: cpuQuantity(windowSeconds > 0 ? cpuTicks / USER_HZ / windowSeconds : 0),
    memory: memoryQuantity(memoryKiB),
  };
}

const windowOf = (seconds: number) => formatDuration(Math.max(0, Math.round(seconds * 1000)));

export interface MetricsSourceOptions {
  files: ProcFiles;
  /** Milliseconds since the epoch; the objects' timestamp. */
  now?: () => number;
}

/** The NodeMetrics of this machine, one reading at a time. */
export class NodeMetricsSource {
  private previous: { uptimeSeconds: number; busyTicks: number } = { uptimeSeconds: 0, busyTicks: 0 };

  constructor(private readonly options: MetricsSourceOptions & { nodeName: string }) {}

  compute(): NodeMetrics {
    const sample = readNodeSample(this.options.files);
    const window = sample.uptimeSeconds - this.previous.uptimeSeconds;
    const usage = usageOver(sample.busyTicks - this.previous.busyTicks, window, sample.memoryUsedKiB);
    this.previous = sample;
    return {
      apiVersion: API_VERSION,
      kind: "NodeMetrics",
      metadata: { name: this.options.nodeName, creationTimestamp: metaTime(sample.bootTimeMs) },
      timestamp: metaTime((this.options.now ?? Date.now)()),
      window: windowOf(window),
      usage,
    };
  }
}

/** The ProcessMetrics of every process of this machine, one reading at a time. */
export class ProcessMetricsSource {
  /** The last reading of each process by pid and start time, so that a reused pid starts afresh. */
  private previous = new Map<string, { uptimeSeconds: number; cpuTicks: number }>();

  constructor(private readonly options: MetricsSourceOptions) {}

  compute(): ProcessMetrics[] {
    const node = readNodeSample(this.options.files);
    const timestamp = metaTime((this.options.now ?? Date.now)());
    const current = new Map<string, { uptimeSeconds: number; cpuTicks: number }>();
    const objects: ProcessMetrics[] = [];
    for (const process of readProcessSamples(this.options.files)) {
      const key = `${process.pid}/${process.startTicks}`;
      const since = this.previous.get(key) ?? { uptimeSeconds: process.startTicks / USER_HZ, cpuTicks: 0 };
      const window = node.uptimeSeconds - since.uptimeSeconds;
      current.set(key, { uptimeSeconds: node.uptimeSeconds, cpuTicks: process.cpuTicks });
      objects.push({
        apiVersion: API_VERSION,
        kind: "ProcessMetrics",
        metadata: {
          name: `pid-${process.pid}`,
          labels: { command: labelValue(process.command) },
          creationTimestamp: metaTime(node.bootTimeMs + (process.startTicks / USER_HZ) * 1000),
        },
        pid: process.pid,
        command: process.command,
        state: process.state,
        timestamp,
        window: windowOf(window),
        usage: usageOver(process.cpuTicks - since.cpuTicks, window, process.rssKiB),
      });
    }
    // Ended processes are forgotten with this reading.
    this.previous = current;
    return objects;
  }
}
