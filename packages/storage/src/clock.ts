/** An opaque timer returned by a Clock, only to be passed back to its clearTimeout. */
export type TimerHandle = object;

/**
 * Time as storage code sees it. Everything time-dependent (compaction schedules, bounded
 * waits, bookmark intervals, retry backoff) takes one, so that tests can drive time.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/**
 * Marks a timer as background work (a schedule, a retry) that must not keep the process
 * alive on its own; timers a pending request waits on stay referenced.
 */
export function background(handle: TimerHandle): TimerHandle {
  (handle as { unref?: () => void }).unref?.();
  return handle;
}
