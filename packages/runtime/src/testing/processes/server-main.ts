/**
 * The server program the process-level tests spawn with node: the app harness (runServer)
 * serving the wardle kinds, exactly as a generated project's `src/server.ts` does. When
 * started with an IPC channel it answers probes (open handles, memory after GC, open
 * watches), so that tests can look inside it without a debug endpoint.
 */
import { runServerMain } from "../../app/run-server.js";
import { wardleDefinitions } from "../fixtures.js";
import type { ServerProbe } from "./server-process.js";

const running = await runServerMain({
  name: "wardle-test-server",
  resources: wardleDefinitions,
  argv: process.argv.slice(2),
});

if (running && process.send) {
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on("message", (message: { type?: string; id?: number }) => {
    if (message.type !== "probe") return;
    void (async () => {
      if (gc) {
        // Twice, with a turn between: weak callbacks and finalizers run after the first.
        gc();
        await new Promise((resolve) => setImmediate(resolve));
        gc();
      }
      const memory = process.memoryUsage();
      const open = await running.server.metrics.longRunning.get();
      const probe: ServerProbe = {
        id: message.id ?? 0,
        resources: process.getActiveResourcesInfo(),
        heapUsed: memory.heapUsed,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
        collected: gc !== undefined,
        longRunningRequests: open.values.reduce((sum, v) => sum + v.value, 0),
      };
      process.send?.(probe);
    })();
  });
  // The IPC channel would keep the process alive after a graceful stop.
  void running.stopped.then(() => process.disconnect?.());
}
