import type { StoredObject } from "../interface.js";

/**
 * One write as its watch event shows it: the stored object (resourceVersion = the write's
 * revision, frozen) and, for updates and deletes, the state it replaced at `prevRevision`.
 */
export interface WrittenEvent {
  readonly key: string;
  readonly object: StoredObject;
  readonly prevObject?: StoredObject;
  readonly prevRevision?: number;
}

/** Remembered events at most (oldest forgotten first): a stalled watch must not pin objects. */
const LIMIT = 4096;

/**
 * Decodes each of this process's writes once although it reaches the process twice: as the
 * write's response and as the watch event that feeds the watch cache. Whichever arrives first
 * decodes and leaves its objects here under (revision, key); the other takes them. Objects are
 * a pure function of etcd's bytes and the revision, and etcd sends back exactly the bytes the
 * write sent, so both sides get what decoding their own copy would have given.
 */
export class OwnWrites {
  /** Writes sent and not yet answered, by logical key. */
  private readonly inFlight = new Map<string, number>();
  private readonly events = new Map<number, WrittenEvent>();

  /** A write to `key` is about to be sent; `end` must follow whatever happens. */
  begin(key: string): void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  end(key: string): void {
    const n = (this.inFlight.get(key) ?? 1) - 1;
    if (n > 0) this.inFlight.set(key, n);
    else this.inFlight.delete(key);
  }

  /**
   * The object a successful write of `revision` stored: the watch's if its event came first,
   * else `decode()`, then remembered for the event when `watched` (a watch will see it).
   */
  settle(
    key: string,
    revision: number,
    decode: () => StoredObject,
    watched: boolean,
    prev?: { readonly object: StoredObject; readonly revision: number },
  ): StoredObject {
    const early = this.take(revision, key);
    if (early) return early.object;
    const object = decode();
    if (watched) {
      this.put(
        revision,
        prev ? { key, object, prevObject: prev.object, prevRevision: prev.revision } : { key, object },
      );
    }
    return object;
  }

  /** The write of `revision` to `key` if this process made it and its answer came first; forgotten once taken. */
  take(revision: number, key: string): WrittenEvent | undefined {
    const event = this.events.get(revision);
    if (!event || event.key !== key) return undefined;
    this.events.delete(revision);
    return event;
  }

  /** A watch event decoded before the answer of a write to its key: kept for that write. */
  offer(revision: number, event: WrittenEvent): void {
    if (this.inFlight.has(event.key)) this.put(revision, event);
  }

  clear(): void {
    this.events.clear();
  }

  private put(revision: number, event: WrittenEvent): void {
    this.events.set(revision, event);
    if (this.events.size <= LIMIT) return;
    for (const old of this.events.keys()) {
      this.events.delete(old);
      if (this.events.size <= LIMIT) return;
    }
  }
}
