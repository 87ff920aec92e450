/**
 * Writes that survive a concurrent writer (client-go util/retry): read the latest object,
 * apply the change again, write with its resourceVersion, and retry on 409 Conflict.
 */

import { isConflict } from "../client/errors.js";
import type { ObjectRef, ResourceClient } from "../client/resource-client.js";
import { type Clock, sleep, systemClock } from "../clock/clock.js";
import type { KubeObject } from "../objects/meta.js";

export interface RetryOptions {
  /** Attempts in all. Default 5 (client-go's DefaultRetry). */
  steps?: number;
  /** Wait between attempts. Default 10 ms, jittered by up to 10 %. */
  delayMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
}

/** Runs `attempt` until it does not throw a Conflict, at most `steps` times. */
export async function retryOnConflict<R>(attempt: () => Promise<R>, options: RetryOptions = {}): Promise<R> {
  const steps = options.steps ?? 5;
  const clock = options.clock ?? systemClock;
  const delay = options.delayMs ?? 10;
  for (let step = 1; ; step++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConflict(error) || step >= steps || options.signal?.aborted) throw error;
      await sleep(clock, delay * (1 + Math.random() * 0.1), options.signal);
    }
  }
}

/** A change to apply to the freshly read object; returning false means "nothing to write". */
// biome-ignore lint/suspicious/noConfusingVoidType: mutations are usually written as statements that return nothing.
export type Mutation<T> = (object: T) => boolean | undefined | void;

function readMutateWrite<T extends KubeObject>(
  client: ResourceClient<T>,
  ref: ObjectRef,
  mutate: Mutation<T>,
  write: (object: T) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  return retryOnConflict(async () => {
    const current = await client.get(ref, options.signal ? { signal: options.signal } : {});
    if (mutate(current) === false) return current;
    return write(current);
  }, options);
}

/**
 * Updates the status subresource of `ref`: `mutate` changes the freshly read object,
 * conflicts re-read and re-apply. Returns the object as written (or as read when
 * `mutate` returned false).
 */
export function updateStatus<T extends KubeObject>(
  client: ResourceClient<T>,
  ref: ObjectRef,
  mutate: Mutation<T>,
  options: RetryOptions = {},
): Promise<T> {
  return readMutateWrite(client, ref, mutate, (object) => client.updateStatus(object), options);
}

/** The same for the whole object (spec, metadata, finalizers): `update` with conflict retry. */
export function updateWithRetry<T extends KubeObject>(
  client: ResourceClient<T>,
  ref: ObjectRef,
  mutate: Mutation<T>,
  options: RetryOptions = {},
): Promise<T> {
  return readMutateWrite(client, ref, mutate, (object) => client.update(object), options);
}
