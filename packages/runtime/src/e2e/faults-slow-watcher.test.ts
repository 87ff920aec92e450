/**
 * A watcher that reads nothing (issue 14): a client opens a watch and never reads from its
 * socket while ~40 MB of events stream past. The two watchers that do read get every event
 * in order while it stalls; the stalled one is cut off (its watch ends on the server and its
 * connection is closed) once the watch cache's window has moved past its position; and the
 * server's memory (heap + external + array buffers after GC) grows by less than the
 * documented per-watcher bound (maxBufferedBytes: 16 MiB by default, 4 MiB here) plus a
 * margin — the events are never buffered for it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SqliteStorage } from "@apiserver-kit/storage";
import { HttpsClient } from "../testing/processes/https-client.js";
import { heldBytesAfterGc } from "../testing/processes/memory.js";
import { until } from "../testing/processes/wait.js";
import { openWatchConnection, type WatchConnection } from "../testing/processes/watch-client.js";
import { WARDLE_API } from "../testing/processes/write-storm.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const LONG = process.env.RELIABILITY_LONG === "1";
const EVENTS = LONG ? 1200 : 300;
const PAYLOAD_BYTES = 100 * 1024;
const HISTORY_SIZE = 32;
const WARM_UP = 200;
/** Lower than the 16 MiB default, so that what streams past (~30 MiB) is far above the bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Room above the warm-up's highest sample. */
const MARGIN_BYTES = 4 * 1024 * 1024;
const SAMPLE_EVERY = 20;
const COLLECTION = `${WARDLE_API}/namespaces/slow/flunders`;

describe("a watcher that reads nothing", () => {
  let dir: string;
  let server: TestServer;
  let client: HttpsClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "slow-watcher-"));
    // Few events held in memory anywhere (storage log, cache window): what grows is what a watcher holds.
    const storage = await SqliteStorage.open({ dataDir: dir, synchronous: "normal", recentEvents: HISTORY_SIZE });
    server = await startTestServer({
      storage,
      server: { watchCacheOptions: { historySize: HISTORY_SIZE } },
      handlerOptions: { watch: { maxBufferedBytes: MAX_BUFFERED_BYTES } },
    });
    const { ca, admin } = server.local.pki;
    client = new HttpsClient(server.url, { ca: ca.cert, cert: admin.cert, key: admin.key });
  });
  after(async () => {
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("never blocks the others and is cut off before memory grows past the bound", async (t) => {
    const payload = "x".repeat(PAYLOAD_BYTES);
    const write = async (i: number) => {
      const name = `big-${i % 4}`;
      const body = {
        apiVersion: "wardle.example.com/v1alpha1",
        kind: "Flunder",
        metadata: { name, annotations: { payload: `${i}:${payload}` } },
        spec: { replicas: i },
      };
      const answer =
        i < 4
          ? await client.request(COLLECTION, { method: "POST", body })
          : await client.request(`${COLLECTION}/${name}`, {
              method: "PATCH",
              headers: { "Content-Type": "application/merge-patch+json" },
              body: JSON.stringify({
                metadata: { annotations: { payload: `${i}:${payload}` } },
                spec: { replicas: i },
              }),
            });
      assert.ok(answer.status === 201 || answer.status === 200, answer.body.slice(0, 300));
    };
    const openWatches = async () =>
      (await server.server.metrics.longRunning.get()).values.reduce((n, v) => n + v.value, 0);
    // Two watchers that read (counting and dropping each event, so that the heap measures the server).
    const readers: WatchConnection[] = [];
    const seen = [0, 0];
    for (const index of [0, 1]) {
      readers.push(
        await openWatchConnection(
          client,
          `${COLLECTION}?watch=true`,
          () => {
            seen[index] = (seen[index] ?? 0) + 1;
          },
          { keepEvents: false },
        ),
      );
    }
    // Warm-up with the same traffic, until caches, windows and pools are full: the baseline is their plateau.
    // Its highest sample after GC is the baseline: the stalled phase may only add the bound to it.
    let baseline = 0;
    for (let i = 0; i < WARM_UP; i++) {
      await write(i);
      if (i >= HISTORY_SIZE && i % SAMPLE_EVERY === 0) baseline = Math.max(baseline, await heldBytesAfterGc());
    }
    await until(async () => seen.every((n) => n === WARM_UP), "the readers to catch up");
    const start = (await client.request(COLLECTION)).json<{ metadata: { resourceVersion: string } }>().metadata
      .resourceVersion;

    // The stalled client: sends the request, then never reads a byte.
    const stalled = await client.connectRaw();
    stalled.pause();
    stalled.write(
      `GET ${COLLECTION}?watch=true&resourceVersion=${start} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`,
    );
    let stalledClosed = false;
    stalled.once("close", () => {
      stalledClosed = true;
    });
    await until(async () => (await openWatches()) === 3, "three open watches");

    let peak = 0;
    for (let i = WARM_UP; i < WARM_UP + EVENTS; i++) {
      await write(i);
      if (i % SAMPLE_EVERY === 0) peak = Math.max(peak, (await heldBytesAfterGc()) - baseline);
    }
    // The bound holds while the events stream past, before and whether or not the cut-off came.
    assert.ok(peak < MAX_BUFFERED_BYTES + MARGIN_BYTES, `memory rose by ${peak} bytes while the watcher stalled`);
    // The readers got everything while the stalled watcher sat there.
    await until(async () => seen.every((n) => n === WARM_UP + EVENTS), `both readers to see every event (${seen})`);
    // The stalled watch ended on the server, and its connection was closed.
    await until(async () => (await openWatches()) === 2, "the stalled watch to be cut off");
    stalled.resume();
    await until(async () => stalledClosed, "the stalled connection to close");
    peak = Math.max(peak, (await heldBytesAfterGc()) - baseline);
    for (const reader of readers) reader.close();
    t.diagnostic(
      `${EVENTS} events of ${PAYLOAD_BYTES / 1024} KiB (${Math.round((EVENTS * PAYLOAD_BYTES) / 2 ** 20)} MiB) streamed; ` +
        `server memory rose at most ${(peak / 2 ** 20).toFixed(1)} MiB (bound ${MAX_BUFFERED_BYTES / 2 ** 20} MiB + ${MARGIN_BYTES / 2 ** 20} MiB margin)`,
    );
    assert.ok(peak < MAX_BUFFERED_BYTES + MARGIN_BYTES, `memory grew by ${peak} bytes`);
  });
});
