import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Clock } from "@apiserver-kit/storage";
import { createCA, issueCertificate } from "../certs/x509.js";
import { RequestDrain } from "./drain.js";
import type { HttpResponse } from "./http.js";
import { InflightLimiter } from "./inflight.js";
import { loadCertificatePair, ServingCertificateError, watchServingCertificate } from "./serving-certificate.js";
import { CipherSuiteError, opensslCiphers } from "./tls-options.js";

const dir = mkdtempSync(join(tmpdir(), "serving-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<object, () => void>();
  const clock: Pick<Clock, "setTimeout" | "clearTimeout"> = {
    setTimeout: (callback) => {
      const handle = {};
      pending.set(handle, callback);
      return handle;
    },
    clearTimeout: (handle) => {
      pending.delete(handle);
    },
  };
  const fire = () => {
    const callbacks = [...pending.values()];
    pending.clear();
    for (const c of callbacks) c();
  };
  return { clock, fire, pending };
}

describe("in-flight limits", () => {
  it("refuses past the read-only and mutating limits with 429 and Retry-After, except system:masters", () => {
    const limiter = new InflightLimiter({ maxRequestsInflight: 1, maxMutatingRequestsInflight: 1 });
    const bob = { name: "bob", groups: [] };
    const release = limiter.acquire("get", bob);
    const write = limiter.acquire("create", bob);
    assert.throws(
      () => limiter.acquire("list", bob),
      (e: { code?: number; headers?: Record<string, string> }) => e.code === 429 && e.headers?.["Retry-After"] === "1",
    );
    assert.throws(() => limiter.acquire("patch", bob), /Too many requests/);
    const masters = limiter.acquire("list", { name: "admin", groups: ["system:masters"] });
    release();
    release();
    assert.deepEqual(limiter.current, { readOnly: 1, mutating: 1 }, "a release counts once");
    masters();
    limiter.acquire("get", bob)();
    write();
    const unlimited = new InflightLimiter({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 });
    for (let i = 0; i < 5; i++) unlimited.acquire("create", bob);
  });
});

describe("TLS options", () => {
  it("translates Go's suite names and keeps TLS 1.3 on", () => {
    assert.equal(
      opensslCiphers(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]),
      "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-AES128-GCM-SHA256",
    );
    assert.throws(() => opensslCiphers(["ECDHE-RSA-AES128-GCM-SHA256"]), CipherSuiteError);
  });
});

describe("serving certificate files", () => {
  const ca = createCA("serving-ca");
  const pair = () =>
    issueCertificate(ca, { subject: { commonName: "api" }, usages: ["serverAuth"], altNames: ["api"] });

  it("loads a matching pair and refuses a key of another certificate", () => {
    const a = pair();
    const b = pair();
    writeFileSync(join(dir, "a.crt"), a.cert);
    writeFileSync(join(dir, "a.key"), a.key);
    writeFileSync(join(dir, "b.key"), b.key);
    assert.deepEqual(loadCertificatePair(join(dir, "a.crt"), join(dir, "a.key")), a);
    assert.throws(
      () => loadCertificatePair(join(dir, "a.crt"), join(dir, "b.key")),
      (e: unknown) => e instanceof ServingCertificateError && e.reason === "KeyMismatch",
    );
    assert.throws(() => loadCertificatePair(join(dir, "none.crt"), join(dir, "a.key")), /ENOENT/);
  });

  it("reports a new pair once it is whole, and a broken one once", () => {
    const timers = manualTimers();
    const first = pair();
    const cert = join(dir, "w.crt");
    const key = join(dir, "w.key");
    writeFileSync(cert, first.cert);
    writeFileSync(key, first.key);
    const changes: string[] = [];
    const errors: string[] = [];
    const stop = watchServingCertificate(first, {
      certFile: cert,
      keyFile: key,
      clock: timers.clock,
      onChange: (p) => changes.push(p.cert),
      onError: (e) => errors.push(e.reason),
    });
    timers.fire();
    assert.deepEqual(changes, []);
    const second = pair();
    writeFileSync(cert, second.cert);
    timers.fire();
    timers.fire();
    assert.deepEqual([changes.length, errors], [0, ["KeyMismatch"]]);
    writeFileSync(key, second.key);
    timers.fire();
    assert.deepEqual(changes, [second.cert]);
    stop();
    assert.equal(timers.pending.size, 0);
  });
});

describe("draining requests", () => {
  /** A response that closes when the test says, telling the drain as the server's close listener does. */
  let drain: RequestDrain;
  const response = () => {
    const res = {
      headersSent: true,
      writableEnded: false,
      end() {
        this.writableEnded = true;
        drain.finished(res as unknown as HttpResponse);
      },
    };
    return res as unknown as HttpResponse & { end(): void };
  };

  it("waits for requests, not watches; ends watches; gives up after its timeout", async () => {
    const timers = manualTimers();
    drain = new RequestDrain(timers.clock);
    const request = response();
    const watch = response();
    drain.started(request);
    drain.started(watch);
    drain.longRunning(watch);
    assert.deepEqual([drain.inFlight, drain.openWatches], [1, 1]);
    const waiting = drain.waitForRequests(1000);
    request.end();
    assert.equal(await waiting, true);
    assert.equal(await drain.endWatches(1000), true, "the watch was ended and closed");
    const stuck = response();
    drain.started(stuck);
    const giveUp = drain.waitForRequests(1000);
    timers.fire();
    assert.equal(await giveUp, false);
  });
});
