import type { Clock, TimerHandle } from "../clock.js";
import { StorageError } from "../errors.js";
import type { ObjectWatchEvent, StoredObject, WatchEvent, WatchHandle, WatchOptions, WatchSink } from "../interface.js";
import { filterEvent } from "../objects.js";
import type { EtcdClient, KeyValue, WatchResponse, WatchStream } from "./etcd-client.js";
import type { OwnWrites } from "./own-writes.js";

/** What an EtcdWatch needs from its storage: key mapping, decoding, and whether progress requests are trusted. */
export interface EtcdWatchContext {
  readonly client: EtcdClient;
  readonly clock: Clock;
  /** The etcd key range watched: one key, or [key, rangeEnd). */
  readonly key: Buffer;
  readonly rangeEnd?: Buffer;
  logicalKey(etcdKey: Buffer): string;
  /** The object a key-value holds, with resourceVersion `revision`, frozen. */
  decode(kv: KeyValue, revision: number): StoredObject;
  progressRequestsSupported(): boolean;
  /** This process's writes, so that their events are not decoded twice. */
  readonly ownWrites: OwnWrites;
}

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;

/**
 * One watch on its own gRPC stream. When the stream breaks (etcd restarting, network) it
 * reconnects with backoff from the revision after the last one delivered, so an outage
 * shorter than the compaction window loses nothing and repeats nothing; a start revision
 * etcd has compacted meanwhile ends the watch with Expired. A sink returning false pauses
 * the stream itself (HTTP/2 flow control then holds etcd back). Progress notifications
 * become BOOKMARKs only on etcd versions whose progress reports are trustworthy.
 */
export class EtcdWatch implements WatchHandle {
  /** The next revision to ask etcd for: one past the last delivered event or progress. */
  private next: number;
  private stream: WatchStream | undefined;
  private readonly held: WatchEvent[] = [];
  private paused = false;
  private delivering = false;
  private stopped = false;
  private progressWanted = false;
  private backoffMs = INITIAL_BACKOFF_MS;
  private retryTimer: TimerHandle | undefined;

  constructor(
    private readonly context: EtcdWatchContext,
    private readonly options: WatchOptions,
    private readonly sink: WatchSink,
  ) {
    this.next = options.fromRevision + 1;
    this.connect();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer) this.context.clock.clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.deliver();
  }

  requestProgress(): boolean {
    if (this.stopped || !this.context.progressRequestsSupported()) return false;
    this.progressWanted = true;
    this.stream?.write({ progress_request: {} });
    return true;
  }

  private connect(): void {
    if (this.stopped) return;
    const stream = this.context.client.watch();
    this.stream = stream;
    // Still paused from before a reconnect: hold the new stream back too.
    if (this.paused) stream.pause();
    stream.on("data", (response: WatchResponse) => {
      if (this.stream === stream) this.onResponse(response);
    });
    const broken = () => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.context.client.rotate();
      this.reconnectLater();
    };
    stream.on("error", broken);
    stream.on("end", broken);
    stream.write({
      create_request: {
        key: this.context.key,
        ...(this.context.rangeEnd ? { range_end: this.context.rangeEnd } : {}),
        start_revision: this.next,
        progress_notify: this.options.progressNotify === true,
        prev_kv: true,
      },
    });
  }

  private reconnectLater(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    // Not a background timer: a watch between two connections still keeps the process alive.
    this.retryTimer = this.context.clock.setTimeout(() => this.connect(), delay);
  }

  private onResponse(response: WatchResponse): void {
    if (this.stopped) return;
    if (response.created) {
      this.backoffMs = INITIAL_BACKOFF_MS;
      // A progress request sent while the stream was down is asked again.
      if (this.progressWanted) this.stream?.write({ progress_request: {} });
      return;
    }
    if (response.canceled) {
      const compacted = Number(response.compact_revision);
      const from = this.next - 1;
      this.fail(
        compacted > 0
          ? StorageError.expired("", from, compacted)
          : StorageError.unavailable("", new Error(`etcd cancelled the watch: ${response.cancel_reason}`)),
      );
      return;
    }
    if (response.events.length === 0) {
      // Older etcd may report progress past events it has not sent yet (fixed in 3.4.31 /
      // 3.5.13): trusting it could skip events on resume, so it is ignored there.
      if (!this.context.progressRequestsSupported()) return;
      // Progress: every event up to header.revision has been sent on this stream.
      const revision = Number(response.header.revision);
      if (revision >= this.next) this.next = revision + 1;
      if (this.options.progressNotify || this.progressWanted) {
        this.progressWanted = false;
        this.held.push({ type: "BOOKMARK", revision: this.next - 1 });
      }
    }
    for (const message of response.events) {
      const revision = Number(message.kv.mod_revision);
      this.next = revision + 1;
      const event = this.toEvent(message.type, message.kv, message.prev_kv, revision);
      const filtered = filterEvent(event, this.options.predicate);
      if (filtered) this.held.push(filtered);
    }
    this.deliver();
  }

  private toEvent(type: "Put" | "Delete", kv: KeyValue, prev: KeyValue | null, revision: number): ObjectWatchEvent {
    const key = this.context.logicalKey(kv.key);
    const ownWrites = this.context.ownWrites;
    // This process's own write whose answer came first: its objects are these bytes decoded.
    const mine = ownWrites.take(revision, key);
    const prevRevision = prev ? Number(prev.mod_revision) : 0;
    const prevObject =
      prev && prev.value.length > 0
        ? mine?.prevObject !== undefined && mine.prevRevision === prevRevision
          ? mine.prevObject
          : this.context.decode(prev, prevRevision)
        : undefined;
    if (type === "Delete") {
      // etcd's delete event has no value: the last state comes from prev_kv.
      if (!prev) return { type: "DELETED", key, object: deletedStub(revision), revision };
      const object = mine?.object ?? this.context.decode(prev, revision);
      if (!mine) ownWrites.offer(revision, { key, object });
      return prevObject
        ? { type: "DELETED", key, object, prevObject, revision }
        : { type: "DELETED", key, object, revision };
    }
    const object = mine?.object ?? this.context.decode(kv, revision);
    if (!mine) ownWrites.offer(revision, { key, object });
    if (kv.create_revision === kv.mod_revision) return { type: "ADDED", key, object, revision };
    // prev_kv is missing only when etcd compacted it meanwhile.
    return prevObject
      ? { type: "MODIFIED", key, object, prevObject, revision }
      : { type: "MODIFIED", key, object, revision };
  }

  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.held.length > 0 && !this.paused && !this.stopped) {
        const event = this.held.shift() as WatchEvent;
        if (this.sink.event(event) === false) this.paused = true;
      }
    } finally {
      this.delivering = false;
    }
    if (this.stopped) return;
    if (this.paused) this.stream?.pause();
    else this.stream?.resume();
  }

  /** Ends the watch with `error` (the storage closing). */
  terminate(error: StorageError): void {
    if (this.stopped) return;
    this.stop();
    queueMicrotask(() => this.sink.error(error));
  }

  private fail(error: StorageError): void {
    this.stop();
    this.sink.error(error);
  }
}

/** A deleted object whose last state etcd no longer has (prev_kv compacted away). */
function deletedStub(revision: number): StoredObject {
  return Object.freeze({ metadata: Object.freeze({ resourceVersion: String(revision) }) });
}
