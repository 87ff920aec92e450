/**
 * SIGTERM under load, against the real entry point in its own process: readiness fails
 * before the listener closes; no request that reached the server fails (a slow one still in
 * progress when the listener closes finishes); watches end cleanly; the process exits within
 * --shutdown-delay-duration plus a bound.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { BackgroundProcess } from "../testing/clients.js";

const FLUNDERS = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
const DELAY_MS = 1000;

interface Outcome {
  /** The TLS handshake completed: the server had the connection. */
  connected: boolean;
  status?: number;
  /** The response ended properly (all of its body, the chunked terminator for a stream). */
  complete: boolean;
  error?: string;
  at: number;
}

describe("graceful shutdown on SIGTERM", () => {
  let dir: string;
  let server: BackgroundProcess;
  let port: number;
  let tls: { ca: string; cert: string; key: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "delegated-shutdown-"));
    server = new BackgroundProcess(process.execPath, [
      fileURLToPath(new URL("../testing/aggregator/server-main.js", import.meta.url)),
      "--secure-port=0",
      "--bind-address=127.0.0.1",
      "--storage=memory",
      `--data-dir=${dir}`,
      `--shutdown-delay-duration=${DELAY_MS / 1000}s`,
      "--run-controllers=false",
    ]);
    const match = await server.waitFor(/on https:\/\/127\.0\.0\.1:(\d+)/);
    port = Number(match[1]);
    const pki = join(dir, "pki");
    tls = {
      ca: readFileSync(join(pki, "ca.crt"), "utf8"),
      cert: readFileSync(join(pki, "admin.crt"), "utf8"),
      key: readFileSync(join(pki, "admin.key"), "utf8"),
    };
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One request on its own connection; `onHeaders` sees a streaming response begin. */
  const call = (
    path: string,
    options: { method?: string; body?: unknown; onHeaders?: () => void; onConnected?: () => void } = {},
  ) =>
    new Promise<Outcome>((resolve) => {
      let connected = false;
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      const req = request(
        { host: "127.0.0.1", port, path, method: options.method ?? "GET", ...tls, agent: false },
        (res) => {
          options.onHeaders?.();
          res.resume();
          res.on("end", () => resolve({ connected, status: res.statusCode, complete: res.complete, at: Date.now() }));
          res.on("aborted", () => resolve({ connected, status: res.statusCode, complete: false, at: Date.now() }));
          res.on("error", (error) =>
            resolve({ connected, status: res.statusCode, complete: false, error: error.message, at: Date.now() }),
          );
        },
      );
      req.on("socket", (socket) => {
        (socket as TLSSocket).once("secureConnect", () => {
          connected = true;
          options.onConnected?.();
        });
      });
      req.on("error", (error) => resolve({ connected, complete: false, error: error.message, at: Date.now() }));
      if (payload) req.setHeader("Content-Type", "application/json");
      req.end(payload);
    });

  it("fails readiness first, finishes what it accepted, ends watches cleanly and exits", async () => {
    // Each watch is held as { done } once its response began (a bare promise would be adopted, not held).
    const watches = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<{ done: Promise<Outcome> }>((started) => {
            const done = call(`${FLUNDERS}?watch=true`, { onHeaders: () => started({ done }) });
          }),
      ),
    );
    let refusedAt = 0;
    let notReadyAt = 0;
    const outcomes: Outcome[] = [];
    let created = 0;
    const worker = async (id: number) => {
      for (let i = 0; !refusedAt; i++) {
        const outcome = await call(FLUNDERS, {
          method: "POST",
          body: { apiVersion: "wardle.example.com/v1alpha1", kind: "Flunder", metadata: { name: `w${id}-${i}` } },
        });
        outcomes.push(outcome);
        if (outcome.status === 201) created++;
        if (!outcome.connected && outcome.error) refusedAt ||= outcome.at;
      }
    };
    const readiness = (async () => {
      while (!refusedAt) {
        const outcome = await call("/readyz");
        if (outcome.status === 500) notReadyAt ||= outcome.at;
        if (!outcome.connected) refusedAt ||= outcome.at;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const workers = [0, 1, 2, 3].map(worker);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Requests in progress at SIGTERM that end well after the listener closes.
    const slow = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<{ done: Promise<Outcome> }>((connected) => {
            const done = call(`/slow?ms=${DELAY_MS + 1500}`, { onConnected: () => connected({ done }) });
          }),
      ),
    );
    const signalled = Date.now();
    server.child.kill("SIGTERM");
    const [code] = await Promise.all([server.exited, readiness, ...workers]);
    const exitedAfter = Date.now() - signalled;
    const slowOutcomes = await Promise.all(slow.map((s) => s.done));
    const watchOutcomes = await Promise.all(watches.map((w) => w.done));

    assert.ok(created > 0, "the load did write");
    assert.ok(notReadyAt > 0, "readiness went false");
    assert.ok(refusedAt > 0, "the listener closed");
    assert.ok(notReadyAt < refusedAt, "readiness was false before the listener closed");
    assert.ok(notReadyAt - signalled < DELAY_MS, "readiness failed at once, not after the delay");
    assert.ok(refusedAt - signalled >= DELAY_MS - 50, "the listener stayed open through the delay");
    const failed = outcomes.filter((o) => o.connected && !(o.status === 201 && o.complete));
    assert.deepEqual(failed, [], "every request the server accepted succeeded");
    for (const o of slowOutcomes) {
      assert.deepEqual([o.status, o.complete], [200, true], `a slow request in progress finished: ${o.error ?? ""}`);
      assert.ok(o.at > refusedAt, "it finished after the listener closed");
    }
    for (const w of watchOutcomes) assert.deepEqual([w.status, w.complete, w.error], [200, true, undefined]);
    assert.equal(code, 0);
    assert.ok(exitedAfter < DELAY_MS + 15_000, `exited ${exitedAfter} ms after SIGTERM`);
    assert.match(server.stdout, /stopping \(a signal was received\)[\s\S]*stopped/);
  });
});
