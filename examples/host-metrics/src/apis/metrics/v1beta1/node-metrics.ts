import type { Duration, ObjectMeta, Time } from "@apiserver-kit/runtime";
import type { ResourceUsage } from "./usage.js";

/**
 * NodeMetrics is the resource usage of the machine that serves this API: one object, named
 * after the host, computed from /proc/stat and /proc/meminfo when read. Read-only.
 *
 * @kind
 * @scope Cluster
 * @plural nodes
 * @singular node
 * @printColumn name=CPU type=string jsonPath=.usage.cpu
 * @printColumn name=Memory type=string jsonPath=.usage.memory
 * @printColumn name=Window type=string jsonPath=.window
 */
export interface NodeMetrics {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  /** The end of the window the usage was measured in. */
  timestamp: Time;
  /** How long the CPU usage was averaged over: since the previous measurement, or since boot for the first. */
  window: Duration;
  /** What the machine uses: CPU busy time over the window (all cores), memory not available to new programs. */
  usage: ResourceUsage;
}
