// A lean load generator over keep-alive TLS connections: each request is pre-rendered HTTP/1.1
// bytes written on a free connection, each answer read up to its Content-Length. node's https.request machinery costs the load generator several times the CPU
// of this, and on a 2-core machine shared with the server that CPU shows up as queueing in the
// measured latency (bench/serving.mjs's discovery p99 at half the maximum rate).
import { connect } from "node:tls";
import { openLoop } from "./https-load.mjs";

const HEADER_END = Buffer.from("\r\n\r\n");

class Connection {
  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.waiting = undefined;
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("connection closed")));
  }

  /** Sends one request; resolves with the status code and body once the whole answer is read. */
  send(bytes) {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  onData(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.subarray(0, end).toString("latin1");
    const status = Number(head.slice(9, 12));
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!match && status !== 304 && status !== 204) {
      this.fail(new Error(`an answer without Content-Length (status ${status})`));
      return;
    }
    const total = end + 4 + (match ? Number(match[1]) : 0);
    if (this.buffer.length < total) return;
    if (this.buffer.length > total) {
      this.fail(new Error("more bytes than one answer"));
      return;
    }
    const body = this.buffer.subarray(end + 4, total);
    this.buffer = Buffer.alloc(0);
    const { resolve } = this.waiting;
    this.waiting = undefined;
    resolve({ status, body });
  }

  fail(error) {
    const waiting = this.waiting;
    this.waiting = undefined;
    this.broken = true;
    waiting?.reject(error);
  }
}

export class RawLoadClient {
  /** @param {{ port: number, tls: { ca?: string, cert?: string, key?: string }, connections?: number }} options */
  constructor({ port, tls, connections = 16 }) {
    this.port = port;
    this.tls = tls;
    this.size = connections;
    this.idle = [];
    this.queue = [];
    this.all = [];
  }

  async open() {
    for (let i = 0; i < this.size; i++) {
      const socket = await new Promise((resolve, reject) => {
        const s = connect({ host: "127.0.0.1", port: this.port, ALPNProtocols: ["http/1.1"], ...this.tls }, () =>
          resolve(s),
        );
        s.once("error", reject);
      });
      socket.setNoDelay(true);
      const connection = new Connection(socket);
      this.all.push(connection);
      this.idle.push(connection);
    }
  }

  /** One GET of `path` with `headers`; resolves with the status. */
  async get(path, headers) {
    return (await this.request("GET", path, headers)).status;
  }

  /** One request with an optional string body; resolves with { status, body } (body a Buffer). */
  request(method, path, headers, body) {
    const lines = [
      `${method} ${path} HTTP/1.1`,
      "Host: 127.0.0.1",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const bytes = Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body ?? ""}`);
    return new Promise((resolve, reject) => {
      const run = (connection) =>
        connection.send(bytes).then(
          (answer) => {
            this.release(connection);
            resolve(answer);
          },
          (error) => reject(error),
        );
      const connection = this.idle.pop();
      if (connection) run(connection);
      else this.queue.push(run);
    });
  }

  release(connection) {
    const next = this.queue.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }

  /** GETs of `path` at `rate` per second for `seconds`, open loop; the latencies in ms. */
  openLoop(rate, seconds, path, headers) {
    return openLoop(rate, seconds, [200], () => this.get(path, headers));
  }

  close() {
    for (const connection of this.all) connection.socket.destroy();
  }
}
