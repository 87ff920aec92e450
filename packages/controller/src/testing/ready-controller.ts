/**
 * The controller the end-to-end tests run: it marks every Flunder Ready at its current
 * generation (status.observedGeneration and a Ready condition carrying it), and records
 * what it reconciled. Test support only.
 */
import { isNotFound } from "../client/errors.js";
import type { ResourceClient } from "../client/resource-client.js";
import type { ControllerSpec } from "../controller/controller.js";
import { setStatusCondition } from "../helpers/conditions.js";
import { updateStatus } from "../helpers/status.js";
import type { Request } from "../objects/keys.js";
import type { RateLimiter } from "../workqueue/rate-limiters.js";
import type { Flunder } from "./fixtures.js";
import { flunderType } from "./fixtures.js";

export interface ReadyControllerLog {
  /** Every reconcile, in order. */
  requests: Request[];
  /** Generations marked Ready, per key. */
  readyGenerations: Map<string, number>;
}

export function readyController(
  client: ResourceClient<Flunder>,
  options: {
    name?: string;
    maxConcurrentReconciles?: number;
    rateLimiter?: RateLimiter<string>;
    now?: () => number;
  } = {},
): { spec: ControllerSpec; log: ReadyControllerLog } {
  const log: ReadyControllerLog = { requests: [], readyGenerations: new Map() };
  const now = options.now ?? Date.now;
  const spec: ControllerSpec = {
    name: options.name ?? "flunder-ready",
    for: flunderType,
    ...(options.maxConcurrentReconciles ? { maxConcurrentReconciles: options.maxConcurrentReconciles } : {}),
    ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
    async reconcile(_context, request) {
      log.requests.push(request);
      try {
        const written = await updateStatus(client, request, (flunder) => {
          const generation = flunder.metadata?.generation ?? 0;
          flunder.status ??= {};
          const status = flunder.status;
          status.conditions ??= [];
          const conditions = status.conditions;
          const changed = setStatusCondition(
            conditions,
            {
              type: "Ready",
              status: "True",
              reason: "Reconciled",
              message: `generation ${generation} reconciled`,
              observedGeneration: generation,
            },
            now(),
          );
          if (status.observedGeneration === generation && !changed) return false;
          status.observedGeneration = generation;
          status.phase = "Ready";
          return true;
        });
        log.readyGenerations.set(`${request.namespace}/${request.name}`, written.status?.observedGeneration ?? 0);
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
    },
  };
  return { spec, log };
}
