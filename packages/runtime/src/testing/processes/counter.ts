/**
 * The read-modify-write counter that checks optimistic concurrency: several clients add one
 * to the same field, each by GET then PUT with the resourceVersion it read, retrying on 409.
 * If the store ever let a stale write through, an increment would be lost and the total
 * would fall short; the values the successful writes wrote must be exactly 1..total.
 */
import assert from "node:assert/strict";
import type { HttpsClient } from "./https-client.js";
import { flunder, WARDLE_API } from "./write-storm.js";

export interface CounterOptions {
  /** One client per server replica; with several, each worker reads through one and writes through the next. */
  clients: readonly HttpsClient[];
  namespace: string;
  name: string;
  workers: number;
  incrementsPerWorker: number;
}

export interface CounterResult {
  /** spec.replicas read back at the end. */
  final: number;
  /** The values successful PUTs wrote, in the order their answers arrived. */
  written: number[];
  /** 409 Conflict answers that were retried. */
  conflicts: number;
  /** Every HTTP request (reads and writes). */
  requests: number;
}

interface Counted {
  metadata: { resourceVersion: string };
  spec: { replicas: number };
}

export async function runCounter(options: CounterOptions): Promise<CounterResult> {
  const path = `${WARDLE_API}/namespaces/${options.namespace}/flunders`;
  const first = options.clients[0];
  if (!first) throw new Error("no clients");
  const created = await first.request(path, {
    method: "POST",
    body: flunder(options.name, { replicas: 0, reference: "counter" }),
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${created.body}`);
  const result: CounterResult = { final: -1, written: [], conflicts: 0, requests: 1 };
  const worker = async (index: number) => {
    // With several replicas, the read goes to one and the write to the next.
    const reader = options.clients[index % options.clients.length] as HttpsClient;
    const writer = options.clients[(index + 1) % options.clients.length] as HttpsClient;
    let streak = 0;
    for (let done = 0; done < options.incrementsPerWorker; ) {
      const read = await reader.request(`${path}/${options.name}`);
      result.requests++;
      if (read.status !== 200) throw new Error(`read: ${read.status} ${read.body}`);
      const current = read.json<Counted & Record<string, unknown>>();
      const next = current.spec.replicas + 1;
      const write = await writer.request(`${path}/${options.name}`, {
        method: "PUT",
        body: { ...current, spec: { ...current.spec, replicas: next } },
      });
      result.requests++;
      if (write.status === 409) {
        result.conflicts++;
        // Jittered exponential backoff from 40 ms: losers step aside long enough for the winner's next
        // round trip, which keeps the wasted requests (and the test's time) low without ending contention.
        streak++;
        const ms = 40 * (0.5 + Math.random()) * Math.min(2 ** (streak - 1), 8);
        await new Promise((resolve) => setTimeout(resolve, ms));
        continue;
      }
      streak = 0;
      if (write.status !== 200) throw new Error(`write: ${write.status} ${write.body}`);
      result.written.push(write.json<Counted>().spec.replicas);
      done++;
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i)));
  const last = await first.request(`${path}/${options.name}`);
  result.final = last.json<Counted>().spec.replicas;
  return result;
}

/** Exactly `total` at the end, and every value 1..total written once: no lost and no doubled update. */
export function assertLinearizable(result: CounterResult, total: number): void {
  assert.equal(result.final, total);
  assert.ok(result.conflicts > 0, "no write ever conflicted: the clients did not race");
  assert.equal(result.written.length, total);
  const sorted = [...result.written].sort((a, b) => a - b);
  for (let i = 0; i < total; i++) {
    if (sorted[i] !== i + 1) assert.fail(`value ${i + 1} was written ${sorted[i] === i ? "twice" : "never"}`);
  }
}
