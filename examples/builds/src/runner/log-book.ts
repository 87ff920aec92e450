/**
 * Build logs, kept in the server's memory as Kubernetes keeps container logs outside the API
 * objects: lines per build (by uid, so a build created again under the same name starts
 * empty), the last MAX_LINES of each, followed by readers until the build's log is closed.
 */

/** Lines kept per build; older ones are dropped (as kubelet rotates container logs). */
export const MAX_LINES = 10_000;

interface BuildLog {
  lines: string[];
  /** Lines dropped from the front so far: followers keep their place across drops. */
  dropped: number;
  closed: boolean;
  waiters: Set<() => void>;
}

export class LogBook {
  private readonly logs = new Map<string, BuildLog>();

  constructor(private readonly maxLines = MAX_LINES) {}

  private log(uid: string): BuildLog {
    let log = this.logs.get(uid);
    if (!log) {
      log = { lines: [], dropped: 0, closed: false, waiters: new Set() };
      this.logs.set(uid, log);
    }
    return log;
  }

  private wake(log: BuildLog): void {
    for (const wake of log.waiters) wake();
    log.waiters.clear();
  }

  append(uid: string, line: string): void {
    const log = this.log(uid);
    if (log.closed) return;
    log.lines.push(line);
    if (log.lines.length > this.maxLines) {
      log.lines.shift();
      log.dropped++;
    }
    this.wake(log);
  }

  /** The build ended: followers read what is left and stop. */
  close(uid: string): void {
    const log = this.log(uid);
    log.closed = true;
    this.wake(log);
  }

  /** The build was deleted. */
  forget(uid: string): void {
    const log = this.logs.get(uid);
    if (!log) return;
    log.closed = true;
    this.wake(log);
    this.logs.delete(uid);
  }

  lines(uid: string): readonly string[] {
    return this.logs.get(uid)?.lines ?? [];
  }

  isClosed(uid: string): boolean {
    return this.logs.get(uid)?.closed ?? false;
  }

  /**
   * The last `tail` lines (all when undefined), then with `follow` every new line until the log
   * closes or `signal` aborts.
   */
  async *read(uid: string, options: { tail?: number; follow?: boolean; signal?: AbortSignal }): AsyncGenerator<string> {
    const log = this.log(uid);
    let next = log.dropped + Math.max(0, log.lines.length - (options.tail ?? log.lines.length));
    for (;;) {
      for (;;) {
        // Lines dropped while the reader was away are skipped.
        next = Math.max(next, log.dropped);
        if (next >= log.dropped + log.lines.length) break;
        if (options.signal?.aborted) return;
        const line = log.lines[next - log.dropped] as string;
        next++;
        yield line;
      }
      if (!options.follow || log.closed || options.signal?.aborted || this.logs.get(uid) !== log) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          options.signal?.removeEventListener("abort", done);
          log.waiters.delete(done);
          resolve();
        };
        log.waiters.add(done);
        options.signal?.addEventListener("abort", done, { once: true });
      });
    }
  }
}

/**
 * The server's log book. One per process: the `log` subresource (imported by generated code)
 * and the runner (a controller in the same process) must share it.
 */
export const buildLogs = new LogBook();
