/**
 * The HTTP side of a watch: a chunked stream of newline-delimited JSON events, with
 * bookmarks, a timeout, and a bound on what a slow reader may leave buffered.
 */
import type { ServerResponse } from "node:http";
import type { WatchEvent, WatchHandle } from "@apiserver-kit/storage";
import { isStorageError } from "@apiserver-kit/storage";
import { StatusError } from "../api/errors.js";
import { storageErrorToStatus } from "../registry/storage-errors.js";
import type { HttpResponse } from "../server/http.js";

export interface WatchTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: WatchTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export interface WatchStreamConfig {
  /** How often bookmarks go out to watchers that asked for them. */
  bookmarkIntervalMs: number;
  /** Unread bytes allowed to pile up for one watcher before it is cut off. */
  maxBufferedBytes: number;
  timers: WatchTimers;
}

export const defaultWatchStreamConfig: WatchStreamConfig = {
  bookmarkIntervalMs: 60_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  timers: realTimers,
};

/** Already-serialized JSON, spliced into an event line as is. */
export class RawJSON {
  constructor(readonly json: string) {}
}

/** One watch event as a line of JSON. */
function eventLine(type: string, object: unknown): string {
  return object instanceof RawJSON
    ? `{"type":"${type}","object":${object.json}}\n`
    : `${JSON.stringify({ type, object })}\n`;
}

/** Encodes one object event as the client asked (version, Table, metadata only). */
export type EventEncoder = (type: "ADDED" | "MODIFIED" | "DELETED", object: Record<string, unknown>) => unknown;

export interface WatchStreamOptions {
  res: HttpResponse;
  encode: EventEncoder;
  bookmark: (resourceVersion: string, annotations?: Record<string, string>) => unknown;
  allowBookmarks: boolean;
  /** The revision the watch starts after: bookmarks carry it until an event moves past it. */
  startRevision: number;
  timeoutMs: number;
  config: WatchStreamConfig;
  /** Called once when the stream ends for any reason. */
  onClose?: () => void;
}

/** How long before its timeout a watch that allows bookmarks gets its last one. */
const PRE_TIMEOUT_BOOKMARK_MS = 2000;

export class WatchStream {
  private handle?: WatchHandle;
  private lastRevision = 0;
  private closed = false;
  /** A bookmark was asked of the storage watch: the next BOOKMARK it delivers goes to the client. */
  private bookmarkRequested = false;
  private readonly timers: unknown[] = [];

  constructor(private readonly options: WatchStreamOptions) {
    const { res } = options;
    this.lastRevision = options.startRevision;
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Cache-Control", "no-cache, private");
    // Headers go out at once so that clients see the watch established.
    if ("flushHeaders" in res) res.flushHeaders();
    else res.writeHead(200);
    res.on("close", () => this.close(false));
    const { timers } = options.config;
    this.timers.push(timers.setTimeout(() => this.close(true), options.timeoutMs));
    if (options.allowBookmarks) {
      const interval = timers.setInterval(() => this.sendBookmark(), options.config.bookmarkIntervalMs);
      this.timers.push(interval);
      // As the watch cache does: one more bookmark 2 s before the timeout, so that the client
      // resumes from as recent a revision as possible.
      if (options.timeoutMs > PRE_TIMEOUT_BOOKMARK_MS) {
        this.timers.push(timers.setTimeout(() => this.sendBookmark(), options.timeoutMs - PRE_TIMEOUT_BOOKMARK_MS));
      }
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Initial state (rv unset/"0" or sendInitialEvents) as ADDED events. */
  sendInitial(objects: readonly Record<string, unknown>[], revision: number): void {
    let batch = "";
    for (const object of objects) {
      batch += eventLine("ADDED", this.options.encode("ADDED", object));
      if (batch.length > 64 * 1024) {
        this.write(batch);
        batch = "";
      }
    }
    if (batch) this.write(batch);
    this.lastRevision = Math.max(this.lastRevision, revision);
  }

  /** The bookmark that ends the initial events of a sendInitialEvents watch. */
  sendInitialEventsEnd(revision: number): void {
    this.lastRevision = Math.max(this.lastRevision, revision);
    const object = this.options.bookmark(String(this.lastRevision), { "k8s.io/initial-events-end": "true" });
    this.write(`${JSON.stringify({ type: "BOOKMARK", object })}\n`);
  }

  attach(handle: WatchHandle): void {
    if (this.closed) {
      handle.stop();
      return;
    }
    this.handle = handle;
    // Flow control: the sink pauses delivery while the socket is backed up; drain resumes it.
    this.options.res.on("drain", () => this.handle?.resume());
  }

  readonly sink = {
    event: (event: WatchEvent): boolean => {
      if (this.closed) return false;
      if (event.type === "BOOKMARK") {
        this.lastRevision = Math.max(this.lastRevision, event.revision);
        if (this.bookmarkRequested) {
          this.bookmarkRequested = false;
          return this.writeBookmark();
        }
        return true;
      }
      this.lastRevision = Math.max(this.lastRevision, event.revision);
      let encoded: unknown;
      try {
        encoded = this.options.encode(event.type, event.object as Record<string, unknown>);
      } catch (error) {
        this.fail(error);
        return false;
      }
      return this.write(eventLine(event.type, encoded));
    },
    error: (error: Error) => this.fail(error),
  };

  /**
   * A bookmark at the revision the storage has reached: asked of the storage watch, which
   * delivers it after every earlier event (the watcher's own events, and the revisions that
   * writes it does not see moved to). A watch that cannot promise that sends the last revision
   * it delivered.
   */
  private sendBookmark(): void {
    if (this.closed) return;
    if (this.handle?.requestProgress()) {
      this.bookmarkRequested = true;
      return;
    }
    this.writeBookmark();
  }

  private writeBookmark(): boolean {
    if (this.lastRevision === 0) return true;
    return this.write(
      `${JSON.stringify({ type: "BOOKMARK", object: this.options.bookmark(String(this.lastRevision)) })}\n`,
    );
  }

  /** An ERROR event with the Status, then the end of the stream. */
  fail(error: unknown): void {
    if (this.closed) return;
    const status =
      error instanceof StatusError
        ? error
        : isStorageError(error)
          ? (storageErrorToStatus(error, { group: "", resource: "" }, "") as StatusError)
          : StatusError.internal(error);
    const object = isStorageError(error, "Expired") ? { ...status.status, message: error.message } : status.status;
    const { res } = this.options;
    // A reader that stopped draining would never see the ERROR event, and an ended response would
    // keep its connection and unsent bytes forever: cut it off (it resumes, and learns 410 then).
    const backedUp =
      (res as { writableNeedDrain?: boolean }).writableNeedDrain ?? res.writableLength > res.writableHighWaterMark;
    if (backedUp) {
      this.close(false);
      res.destroy();
      return;
    }
    this.write(`${JSON.stringify({ type: "ERROR", object })}\n`);
    this.close(true);
  }

  /** Writes a chunk; false when the socket is backed up (the caller should pause). */
  private write(chunk: string): boolean {
    const { res, config } = this.options;
    if (this.closed || res.writableEnded || res.destroyed) return false;
    // A reader that stopped reading is cut off instead of growing our memory.
    if (res.writableLength > config.maxBufferedBytes) {
      this.close(false);
      res.destroy();
      return false;
    }
    return (res as ServerResponse).write(chunk);
  }

  close(endResponse: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.handle?.stop();
    const { timers } = this.options.config;
    for (const t of this.timers) {
      timers.clearTimeout(t);
      timers.clearInterval(t);
    }
    const { res } = this.options;
    if (endResponse && !res.writableEnded && !res.destroyed) res.end();
    this.options.onClose?.();
  }
}
