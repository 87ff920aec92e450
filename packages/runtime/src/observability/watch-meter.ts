/**
 * Counts the events a watch response carries (apiserver_watch_events_total and _sizes)
 * by looking at what is written: one event per newline-terminated JSON line. The watch
 * stream needs no hook for it.
 */
import type { HttpResponse } from "../server/http.js";

/** Calls `onEvent(bytes)` for every event line written to `res` from now on. */
export function meterWatchEvents(res: HttpResponse, onEvent: (bytes: number) => void): void {
  const target = res as unknown as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
  const write = target.write.bind(res);
  target.write = (chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === "string" || Buffer.isBuffer(chunk)) {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      let start = 0;
      let nl = text.indexOf("\n");
      while (nl >= 0) {
        onEvent(Buffer.byteLength(text.slice(start, nl)));
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
    }
    return write(chunk, ...rest);
  };
}
