import type { Duration, int32, ObjectMeta, Time } from "@apiserver-kit/runtime";
import type { ResourceUsage } from "./usage.js";

/**
 * ProcessMetrics is the resource usage of one process of the machine that serves this API,
 * named `pid-<pid>` and labelled with its command, computed from /proc/<pid> when read.
 * Read-only: a process that starts is ADDED to watches, one that ends is DELETED.
 *
 * @kind
 * @scope Cluster
 * @plural processes
 * @singular process
 * @shortName proc
 * @printColumn name=PID type=integer jsonPath=.pid
 * @printColumn name=Command type=string jsonPath=.command
 * @printColumn name=CPU type=string jsonPath=.usage.cpu
 * @printColumn name=Memory type=string jsonPath=.usage.memory
 * @printColumn name=Window type=string jsonPath=.window priority=1
 */
export interface ProcessMetrics {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  /** The process id. */
  pid: int32;
  /** The command name, from /proc/<pid>/stat (at most 15 characters, as the kernel keeps it). */
  command: string;
  /** One letter from /proc/<pid>/stat: R running, S sleeping, D waiting on I/O, Z zombie, ... */
  state: string;
  /** The end of the window the usage was measured in. */
  timestamp: Time;
  /** How long the CPU usage was averaged over: since the previous measurement, or since the process started. */
  window: Duration;
  /** CPU time over the window (user and system), resident memory (VmRSS) at its end. */
  usage: ResourceUsage;
}
