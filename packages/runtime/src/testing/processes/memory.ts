/**
 * The memory a process holds after garbage collection — heapUsed + external + arrayBuffers —
 * measured in this process (the test's own, for servers started in it) without starting node
 * with --expose-gc.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | undefined;

export async function heldBytesAfterGc(): Promise<number> {
  if (!collect) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  // Several rounds with a turn between: weak callbacks and finalizers run after a collection.
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}
