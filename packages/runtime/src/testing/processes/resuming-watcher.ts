/**
 * A watcher that behaves like client-go's reflector: it lists, watches from the list's
 * resourceVersion, resumes from the last resourceVersion it saw when the connection drops
 * (or when it drops the connection itself, on purpose), and relists after a 410 Expired.
 * It records everything it saw, segment by segment, for checkWatcher() to judge.
 */
import { type HttpsClient, isConnectionError } from "./https-client.js";
import { pause } from "./wait.js";
import { openWatchConnection, type WatchConnection, type WatchLine } from "./watch-client.js";
import type { FlunderState } from "./write-storm.js";

export interface SeenEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  name: string;
  revision: number;
  state?: FlunderState;
}

/** One connection's worth of events, or one relist and the connection after it. */
export interface WatchSegment {
  /** The resourceVersion the watch started from. */
  from: number;
  /** Set when the segment began with a list (the first one, and after each 410). */
  relist?: { revision: number; items: Map<string, { revision: number; state: FlunderState }> };
  events: SeenEvent[];
  /** Why it ended. */
  end?: "dropped" | "expired" | "server-closed" | "stopped" | "error";
}

export interface ResumingWatcherOptions {
  client: HttpsClient;
  /** The collection path, e.g. `/apis/g/v/namespaces/ns/flunders`. */
  collection: string;
  /** Asked after every event: true drops the connection there (a client that vanishes) and resumes. */
  dropAfter?: (event: SeenEvent, seenInSegment: number) => boolean;
  /** Where to start; default: list first, like a reflector. */
  fromRevision?: number;
  /** How long to stay away after dropping a connection on purpose. Default: reconnect at once. */
  awayMs?: () => number;
}

export class ResumingWatcher {
  readonly segments: WatchSegment[] = [];
  /** 410 Expired answers (each followed by a relist). */
  expired = 0;
  /** Connections dropped on purpose. */
  dropped = 0;
  /** Watch connections that ended or failed without being asked to. */
  interrupted = 0;
  /** ERROR events other than 410, and unexpected answers. */
  readonly errors: string[] = [];
  lastRevision = 0;
  private stopped = false;
  private connection?: WatchConnection;
  private readonly waiters = new Set<() => void>();
  private running?: Promise<void>;
  private onConnected: () => void = () => {};
  /** Resolves once the first watch connection is established (after the first list). */
  readonly connected = new Promise<void>((resolve) => {
    this.onConnected = resolve;
  });

  constructor(private readonly options: ResumingWatcherOptions) {}

  start(): void {
    this.running = this.run();
  }

  /** Resolves once the watcher saw `revision` (or a later one). */
  waitForRevision(revision: number, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.lastRevision >= revision) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `watcher stuck at ${this.lastRevision}, waiting for ${revision}; errors: ${this.errors.join("; ")}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connection?.close();
    await this.running;
  }

  private progress(revision: number): void {
    this.lastRevision = Math.max(this.lastRevision, revision);
    for (const waiter of this.waiters) waiter();
  }

  private async run(): Promise<void> {
    let from = this.options.fromRevision;
    let segment: WatchSegment | undefined;
    while (!this.stopped) {
      if (from === undefined) {
        segment = await this.relist();
        if (!segment) continue;
        from = segment.from;
      } else {
        segment = { from, events: [] };
      }
      this.segments.push(segment);
      const current = segment;
      let connection: WatchConnection;
      try {
        connection = await openWatchConnection(
          this.options.client,
          `${this.options.collection}?watch=true&allowWatchBookmarks=true&resourceVersion=${from}`,
          (line) => this.onLine(current, line),
        );
      } catch (error) {
        current.end = "error";
        if (!isConnectionError(error)) this.errors.push(String(error));
        await pause(100);
        continue;
      }
      this.connection = connection;
      if (connection.status !== 200) {
        await connection.ended;
        current.end = "error";
        if (connection.status === 410) {
          this.expired++;
          from = undefined;
        } else if (connection.status < 500) {
          this.errors.push(`watch answered ${connection.status}: ${connection.body.slice(0, 200)}`);
        }
        await pause(100);
        continue;
      }
      this.onConnected();
      if (this.stopped) connection.close();
      await connection.ended;
      current.end ??= this.stopped ? "stopped" : "server-closed";
      if (current.end === "dropped" && this.options.awayMs) await pause(this.options.awayMs());
      if (current.end === "server-closed") this.interrupted++;
      if (current.end === "expired") from = undefined;
      else from = this.lastRevision;
    }
  }

  private onLine(segment: WatchSegment, line: WatchLine): void {
    if (segment.end) return;
    if (line.type === "ERROR") {
      if (line.object.code === 410) {
        this.expired++;
        segment.end = "expired";
      } else {
        this.errors.push(`ERROR event: ${JSON.stringify(line.object)}`);
        segment.end = "error";
      }
      this.connection?.close();
      return;
    }
    const revision = Number(line.object.metadata?.resourceVersion);
    const event: SeenEvent = {
      type: line.type,
      name: String(line.object.metadata?.name ?? ""),
      revision,
      ...(line.type === "BOOKMARK" ? {} : { state: stateOf(line.object.spec) }),
    };
    segment.events.push(event);
    this.progress(revision);
    if (line.type !== "BOOKMARK" && this.options.dropAfter?.(event, segment.events.length)) {
      segment.end = "dropped";
      this.dropped++;
      this.connection?.close();
    }
  }

  /** A consistent list: the state at its resourceVersion, from which the next watch starts. */
  private async relist(): Promise<WatchSegment | undefined> {
    try {
      const answer = await this.options.client.request(this.options.collection);
      if (answer.status !== 200) {
        if (answer.status < 500) this.errors.push(`list answered ${answer.status}: ${answer.body.slice(0, 200)}`);
        await pause(100);
        return undefined;
      }
      const list = answer.json<{
        metadata: { resourceVersion: string };
        items: Array<{ metadata: { name: string; resourceVersion: string }; spec?: Record<string, unknown> }>;
      }>();
      const revision = Number(list.metadata.resourceVersion);
      const items = new Map(
        list.items.map((item) => [
          item.metadata.name,
          { revision: Number(item.metadata.resourceVersion), state: stateOf(item.spec) },
        ]),
      );
      this.progress(revision);
      return { from: revision, relist: { revision, items }, events: [] };
    } catch (error) {
      if (!isConnectionError(error)) this.errors.push(String(error));
      await pause(100);
      return undefined;
    }
  }
}

function stateOf(spec: Record<string, unknown> | undefined): FlunderState {
  return { replicas: Number(spec?.replicas), reference: String(spec?.reference) };
}
