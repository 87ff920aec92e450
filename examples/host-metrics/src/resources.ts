import type { ResourceDefinition, ResourceVerb } from "@apiserver-kit/runtime";
import { type ComputedStorage, computedStorage, type SourceError, type StoredObject } from "@apiserver-kit/storage";
import { withHooks } from "./generated/register.js";
import { type ProcFiles, procFiles } from "./metrics/proc.js";
import { NodeMetricsSource, nodeNameOf, ProcessMetricsSource } from "./metrics/usage.js";

export interface MetricsOptions {
  /** How old a computed reading may be when served, and how often it is recomputed while watched. */
  resolutionMs: number;
  /** Where /proc is read; default the real one. */
  files?: ProcFiles;
  /** The NodeMetrics object's name; default the host name. */
  nodeName?: string;
  /** The objects' timestamp, in ms since the epoch. */
  now?: () => number;
  /** Hears each failed reading; the last good one keeps being served. */
  onSyncError?: (error: SourceError) => void;
}

/** Computed kinds serve reads and watches; writes answer 405 and are left out of discovery. */
const READ_ONLY: ResourceVerb[] = ["get", "list", "watch"];

/**
 * The resources this server serves: the definitions generated from src/apis, each backed by
 * its own computed storage instead of the server's (nothing is stored, everything is read
 * from /proc when asked).
 */
export function metricsResources(options: MetricsOptions): ResourceDefinition[] {
  const files = options.files ?? procFiles();
  const now = options.now ?? Date.now;
  const node = new NodeMetricsSource({ files, now, nodeName: options.nodeName ?? nodeNameOf() });
  const processes = new ProcessMetricsSource({ files, now });
  const computed = (plural: string, compute: () => object[]): ComputedStorage =>
    computedStorage({
      keyPrefix: `/registry/metrics.example.com/${plural}/`,
      intervalMs: options.resolutionMs,
      compute: () => compute() as StoredObject[],
      ...(options.onSyncError ? { onSyncError: options.onSyncError } : {}),
    });
  const storages: Record<string, ComputedStorage> = {
    NodeMetrics: computed("nodes", () => [node.compute()]),
    ProcessMetrics: computed("processes", () => processes.compute()),
  };
  return withHooks().map((definition) => {
    const storage = storages[definition.names.kind];
    return storage ? { ...definition, rest: { verbs: READ_ONLY, storage } } : definition;
  });
}
