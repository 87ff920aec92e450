/**
 * A watch over HTTPS on its own connection: newline-delimited events as they arrive, the
 * end of the stream, and a way to vanish (destroy the connection) at any moment.
 */
import { request as httpsRequest } from "node:https";
import type { HttpsClient } from "./https-client.js";

export interface WatchLine {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: {
    kind?: string;
    code?: number;
    reason?: string;
    message?: string;
    metadata?: { name?: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
    spec?: Record<string, unknown>;
    [key: string]: unknown;
  };
}

export interface WatchConnection {
  /** The HTTP status of the answer (200 for an established watch). */
  readonly status: number;
  /** The body when the answer was not a watch (status ≠ 200). */
  readonly body: string;
  /** Every event so far (none when opened with `keepEvents: false`). */
  readonly events: WatchLine[];
  /** Settles when the stream ends (server closed it, or close() was called). */
  readonly ended: Promise<void>;
  /** Resolves once `predicate` holds for the events so far; rejects when the stream ends first or after timeoutMs. */
  until(predicate: (events: readonly WatchLine[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Destroys the connection, as a client that vanishes. */
  close(): void;
}

/** Opens `path` (a `?watch=true` URL) and resolves once the response headers arrived. */
export function openWatchConnection(
  client: HttpsClient,
  path: string,
  onEvent?: (event: WatchLine) => void,
  options: { keepEvents?: boolean } = {},
): Promise<WatchConnection> {
  const keep = options.keepEvents ?? true;
  const { ca, cert, key } = client.credentials;
  return new Promise((resolve, reject) => {
    const events: WatchLine[] = [];
    const waiters = new Set<() => void>();
    let finished = false;
    let endResolve: () => void = () => {};
    const ended = new Promise<void>((r) => {
      endResolve = r;
    });
    const finish = () => {
      if (finished) return;
      finished = true;
      endResolve();
      for (const waiter of waiters) waiter();
    };
    const req = httpsRequest(
      { host: client.url.hostname, port: client.port, path, ca, cert, key, agent: false },
      (res) => {
        let buffer = "";
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (res.statusCode !== 200) {
            body += chunk;
            return;
          }
          buffer += chunk;
          let newline = buffer.indexOf("\n");
          while (newline >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.trim()) {
              const event = JSON.parse(line) as WatchLine;
              if (keep) events.push(event);
              onEvent?.(event);
            }
            newline = buffer.indexOf("\n");
          }
          for (const waiter of waiters) waiter();
        });
        res.on("end", finish);
        res.on("close", finish);
        res.on("error", finish);
        resolve({
          status: res.statusCode ?? 0,
          get body() {
            return body;
          },
          events,
          ended,
          until(predicate, timeoutMs = 10_000) {
            return new Promise((ok, fail) => {
              const check = () => {
                if (predicate(events)) {
                  done();
                  ok();
                } else if (finished) {
                  done();
                  fail(new Error(`the watch ended after ${events.length} events: ${tail(events)}`));
                }
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                fail(new Error(`timed out after ${timeoutMs} ms with ${events.length} events: ${tail(events)}`));
              }, timeoutMs);
              const done = () => {
                clearTimeout(timer);
                waiters.delete(check);
              };
              waiters.add(check);
              check();
            });
          },
          close() {
            req.destroy();
            finish();
          },
        });
      },
    );
    req.on("error", (error) => {
      finish();
      reject(error);
    });
    req.end();
  });
}

function tail(events: readonly WatchLine[]): string {
  return JSON.stringify(events.slice(-3));
}
