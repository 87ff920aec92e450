/**
 * Clients that vanish leak nothing (issue 14): against a server process (SQLite, node with
 * --expose-gc), clients disappear during the TLS handshake, halfway through the request
 * headers or body, after a write was sent, before and during a large response, in the middle
 * of a watch over HTTP/1.1 and over HTTP/2. Afterwards the server's open handles
 * (process.getActiveResourcesInfo()) are exactly the baseline again, no watch is left open,
 * and the memory it holds after GC (heapUsed + external + arrayBuffers) after 10N vanished
 * clients is no more than after N plus a small margin.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as connectHttp2 } from "node:http2";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ServerProbe, ServerProcess } from "../testing/processes/server-process.js";
import { pause } from "../testing/processes/wait.js";
import { flunder, WARDLE_API } from "../testing/processes/write-storm.js";

const LONG = process.env.RELIABILITY_LONG === "1";
/** Vanishing clients of each kind in the first phase; the second has ten times as many. */
const N = LONG ? 30 : 6;
const MARGIN_BYTES = 1024 * 1024;
const COLLECTION = `${WARDLE_API}/namespaces/vanish/flunders`;

type Vanish = (server: ServerProcess) => Promise<void>;

/** Writes `text` on a fresh TLS connection, waits for `wait` (a delay or the first bytes back), then destroys it. */
async function sendAndVanish(server: ServerProcess, text: string, wait: "nothing" | "first-bytes" | number) {
  const socket = await server.client.connectRaw();
  socket.on("error", () => {});
  const firstBytes = new Promise<void>((resolve) => {
    socket.once("data", () => resolve());
    socket.once("close", () => resolve());
  });
  socket.write(text);
  if (wait === "first-bytes") await firstBytes;
  else if (typeof wait === "number") await pause(wait);
  socket.destroy();
}

const request = (method: string, path: string, headers: Record<string, string | number> = {}) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;

const VANISHING: Record<string, Vanish> = {
  "during the TLS handshake": async (server) => {
    const socket = connectTcp(server.client.port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    // The first bytes of a ClientHello, then gone.
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
    await pause(5);
    socket.destroy();
  },
  "halfway through the headers": (server) =>
    sendAndVanish(server, `GET ${COLLECTION} HTTP/1.1\r\nHost: 127.0.0.1\r\nAcc`, 10),
  "halfway through a body": (server) => {
    const body = JSON.stringify({ ...flunder("partial", { replicas: 1, reference: "x" }), pad: "x".repeat(2000) });
    const head = request("POST", COLLECTION, { "Content-Type": "application/json", "Content-Length": body.length });
    return sendAndVanish(server, head + body.slice(0, body.length / 2), 10);
  },
  "right after sending a write": (server) => {
    // A dry run goes through the whole write path without growing the store between the phases.
    const body = JSON.stringify(flunder("dry", { replicas: 1, reference: "dry" }));
    const head = request("POST", `${COLLECTION}?dryRun=All`, {
      "Content-Type": "application/json",
      "Content-Length": body.length,
    });
    return sendAndVanish(server, head + body, "nothing");
  },
  "before a large response": (server) => sendAndVanish(server, request("GET", COLLECTION), "nothing"),
  "during a large response": (server) => sendAndVanish(server, request("GET", COLLECTION), "first-bytes"),
  "in the middle of a watch": (server) =>
    sendAndVanish(server, request("GET", `${COLLECTION}?watch=true&allowWatchBookmarks=true`), "first-bytes"),
  "in the middle of an HTTP/2 watch": async (server) => {
    const { ca, cert, key } = server.credentials;
    const session = connectHttp2(server.url, { ca, cert, key });
    session.on("error", () => {});
    const stream = session.request({ ":path": `${COLLECTION}?watch=true`, ":method": "GET" });
    stream.on("error", () => {});
    await new Promise<void>((resolve) => {
      stream.once("data", () => resolve());
      stream.once("close", () => resolve());
    });
    session.destroy();
  },
};

/** Runs every kind `rounds` times, a few clients at a time. */
async function vanish(server: ServerProcess, rounds: number): Promise<number> {
  const jobs: Array<() => Promise<void>> = [];
  for (let i = 0; i < rounds; i++) for (const kind of Object.values(VANISHING)) jobs.push(() => kind(server));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
    }),
  );
  return jobs.length;
}

const held = (probe: ServerProbe) => probe.heapUsed + probe.external + probe.arrayBuffers;
const handles = (probe: ServerProbe) => [...probe.resources].sort().join(",");

/** Probes until the open handles equal the baseline's (sockets close asynchronously), or fails with the difference. */
async function settle(server: ServerProcess, baseline: ServerProbe): Promise<ServerProbe> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = await server.probe();
    if (handles(probe) === handles(baseline) && probe.longRunningRequests === 0) return probe;
    if (Date.now() > deadline) {
      assert.deepEqual(
        { handles: [...probe.resources].sort(), watches: probe.longRunningRequests },
        { handles: [...baseline.resources].sort(), watches: 0 },
        "the server holds more than before the vanishing clients",
      );
    }
    await pause(100);
  }
}

describe("clients vanishing mid-request or mid-watch", () => {
  let dataDir: string;
  let server: ServerProcess;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "vanishing-"));
    server = await ServerProcess.start({ storage: "sqlite", dataDir, exposeGc: true });
    // Something to list and to watch: a response of a few hundred KiB.
    for (let i = 0; i < 100; i++) {
      const created = await server.client.request(COLLECTION, {
        method: "POST",
        body: {
          ...flunder(`item-${i}`, { replicas: i, reference: "list" }),
          metadata: { name: `item-${i}`, annotations: { pad: "y".repeat(2000) } },
        },
      });
      assert.equal(created.status, 201, created.body);
    }
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("leave the handle count at its baseline and memory flat from N to 10N", async (t) => {
    // Warm-up: every path once, and the pooled client gone, so that the baseline is the idle server.
    await vanish(server, 2);
    server.client.close();
    await pause(200);
    const baseline = await server.probe();
    assert.ok(baseline.collected, "the server process runs without --expose-gc");
    assert.equal(baseline.longRunningRequests, 0);

    const first = await vanish(server, N);
    const afterN = await settle(server, baseline);
    const second = await vanish(server, 10 * N);
    const after10N = await settle(server, baseline);

    assert.equal(server.exitStatus, undefined, "the server process died");
    const growth = held(after10N) - held(afterN);
    t.diagnostic(
      `${first} then ${second} vanished clients (${Object.keys(VANISHING).length} kinds); handles back to ` +
        `${baseline.resources.length} each time; held memory ${(held(afterN) / 2 ** 20).toFixed(1)} MiB after N, ` +
        `${(held(after10N) / 2 ** 20).toFixed(1)} MiB after 10N`,
    );
    assert.ok(growth <= MARGIN_BYTES, `memory grew by ${growth} bytes from N to 10N vanished clients`);
    // And the server still serves.
    assert.equal((await server.client.request("/readyz")).status, 200);
  });
});
