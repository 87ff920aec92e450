// The load generator: HTTPS requests over a pool of keep-alive HTTP/1.1 connections, closed
// loop (as fast as answers come back) or open loop (on a fixed schedule, latency counted from
// when each request was due, so that a stalled server is not hidden by requests never sent).
import { Agent, request } from "node:https";
import { performance } from "node:perf_hooks";

export class LoadClient {
  /**
   * @param {{ port: number, tls: { ca?: string, cert?: string, key?: string, rejectUnauthorized?: boolean }, connections?: number }} options
   */
  constructor({ port, tls, connections = 16 }) {
    this.port = port;
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, ...tls });
  }

  /** One request; resolves with status, headers and body (a Buffer). */
  send(path, { method = "GET", headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: this.port,
          path,
          method,
          agent: this.agent,
          headers: body === undefined ? headers : { ...headers, "Content-Length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  /** `count` requests, `concurrency` at a time; throws when any answer is not `expect`. */
  async closedLoop(path, headers, count, concurrency, expect = 200) {
    let started = 0;
    let failed = 0;
    let lastStatus = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (started < count) {
        started++;
        const res = await this.send(path, { headers }).catch(() => ({ status: 0 }));
        if (res.status !== expect) {
          failed++;
          lastStatus = res.status;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    if (failed) throw new Error(`${failed} of ${count} requests to ${path} failed (last status ${lastStatus})`);
    return { seconds, rate: count / seconds };
  }

  /**
   * Requests at `rate` per second for `seconds`; `make(i)` gives each request's path and
   * options. Resolves with each request's latency in ms, from when it was due.
   */
  openLoop(rate, seconds, make, expect = [200, 201]) {
    return openLoop(rate, seconds, expect, (i) => {
      const { path, ...options } = make(i);
      return this.send(path, options).then((res) => res.status);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/**
 * The open-loop schedule both load clients use: `send(i)` (resolving with a status) at `rate`
 * per second for `seconds`, each latency counted from when the request was due, so that a
 * stalled server is not hidden by requests never sent. Throws when any status is not in `expect`.
 */
export async function openLoop(rate, seconds, expect, send) {
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies = new Array(total);
  const t0 = performance.now();
  let failed = 0;
  let lastStatus = 0;
  // Outstanding requests are counted, not kept: holding every promise of a 12 s run at 7,000/s
  // grew the load generator's heap and put its GC pauses into the measured latencies.
  let outstanding = 0;
  let sentAll = false;
  let allAnswered = () => {};
  const answered = new Promise((resolve) => {
    allAnswered = resolve;
  });
  const settle = () => {
    if (--outstanding === 0 && sentAll) allAnswered();
  };
  const fire = (i, due) => {
    outstanding++;
    send(i).then(
      (status) => {
        latencies[i] = performance.now() - due;
        if (!expect.includes(status)) {
          failed++;
          lastStatus = status;
        }
        settle();
      },
      () => {
        latencies[i] = performance.now() - due;
        failed++;
        settle();
      },
    );
  };
  // Each timer turn sends every request due by then, so answers are read between turns.
  let i = 0;
  while (i < total) {
    const now = performance.now();
    for (let due = t0 + (i * 1000) / rate; i < total && due <= now; due = t0 + (++i * 1000) / rate) fire(i, due);
    if (i < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + (i * 1000) / rate - now)));
  }
  sentAll = true;
  if (outstanding > 0) await answered;
  if (failed) throw new Error(`${failed} of ${total} open-loop requests failed (last status ${lastStatus})`);
  return latencies;
}
