/**
 * Helpers for HTTP-level tests: typed shortcuts over `TestServer.request`, and a watch
 * reader that collects events line by line.
 */
import { request as httpsRequest } from "node:https";
import type { TestResponse, TestServer } from "./test-server.js";

export interface WatchEventLine {
  type: string;
  object: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

export interface WatchReader {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: WatchEventLine[];
  /** Resolves when at least `count` events arrived (or the stream ended), rejects after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<WatchEventLine[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch (or any streaming GET) and collects newline-delimited JSON events. */
export function openWatch(
  server: TestServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<WatchReader> {
  return new Promise((resolve, reject) => {
    const admin = server.local.pki.admin;
    const events: WatchEventLine[] = [];
    const waiters = new Set<() => void>();
    let endedResolve: () => void = () => {};
    const ended = new Promise<void>((r) => {
      endedResolve = r;
    });
    let finished = false;
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        headers,
        ca: server.local.pki.ca.cert,
        cert: admin.cert,
        key: admin.key,
        agent: false,
      },
      (res) => {
        let buffer = "";
        res.on("data", (chunk: Buffer) => {
          buffer += chunk.toString();
          let nl = buffer.indexOf("\n");
          while (nl >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line.trim()) events.push(JSON.parse(line) as WatchEventLine);
            nl = buffer.indexOf("\n");
          }
          for (const w of waiters) w();
        });
        const end = () => {
          finished = true;
          endedResolve();
          for (const w of waiters) w();
        };
        res.on("end", end);
        res.on("close", end);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          events,
          ended,
          waitFor(count, timeoutMs = 5000) {
            return new Promise((ok, fail) => {
              const check = () => {
                if (events.length >= count || finished) {
                  clearTimeout(timer);
                  waiters.delete(check);
                  if (events.length >= count) ok(events);
                  else
                    fail(
                      new Error(`stream ended after ${events.length} of ${count} events: ${JSON.stringify(events)}`),
                    );
                }
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                fail(new Error(`timed out with ${events.length} of ${count} events: ${JSON.stringify(events)}`));
              }, timeoutMs);
              waiters.add(check);
              check();
            });
          },
          close() {
            req.destroy();
          },
        });
      },
    );
    req.on("error", (error) => {
      if ((error as NodeJS.ErrnoException).code !== "ECONNRESET") reject(error);
    });
    req.end();
  });
}

/** A small REST client for one resource path, for tests. */
export class ResourceClient {
  constructor(
    readonly server: TestServer,
    /** e.g. `/apis/wardle.example.com/v1alpha1/namespaces/default/flunders` */
    readonly collection: string,
  ) {}

  create(body: unknown, query = ""): Promise<TestResponse> {
    return this.server.request(`${this.collection}${query}`, { method: "POST", body });
  }

  get(name: string, query = ""): Promise<TestResponse> {
    return this.server.request(`${this.collection}/${name}${query}`);
  }

  list(query = "", headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.server.request(`${this.collection}${query}`, { headers });
  }

  update(name: string, body: unknown, query = ""): Promise<TestResponse> {
    return this.server.request(`${this.collection}/${name}${query}`, { method: "PUT", body });
  }

  patch(
    name: string,
    type: "json" | "merge" | "strategic" | "apply",
    body: unknown,
    query = "",
  ): Promise<TestResponse> {
    const contentType = {
      json: "application/json-patch+json",
      merge: "application/merge-patch+json",
      strategic: "application/strategic-merge-patch+json",
      apply: "application/apply-patch+yaml",
    }[type];
    return this.server.request(`${this.collection}/${name}${query}`, {
      method: "PATCH",
      headers: { "Content-Type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  delete(name: string, body?: unknown, query = ""): Promise<TestResponse> {
    return this.server.request(`${this.collection}/${name}${query}`, {
      method: "DELETE",
      ...(body === undefined ? {} : { body }),
    });
  }
}
