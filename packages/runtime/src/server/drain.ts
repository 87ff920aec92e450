/**
 * What a graceful shutdown waits for (k8s.io/apiserver genericapiserver.go's
 * NonLongRunningRequestWaitGroup and WatchRequestWaitGroup): requests in progress, which
 * are let finish, and watches, which never finish on their own and are ended cleanly — the
 * client reads the end of the stream and re-lists elsewhere instead of seeing a reset.
 */
import type { Clock } from "@apiserver-kit/storage";
import type { HttpResponse } from "./http.js";

export class RequestDrain {
  private readonly active = new Set<HttpResponse>();
  private readonly watches = new Set<HttpResponse>();
  private waiters: Array<() => void> = [];

  constructor(private readonly timers: Pick<Clock, "setTimeout" | "clearTimeout">) {}

  /** Counts a request from its start... */
  started(res: HttpResponse): void {
    this.active.add(res);
  }

  /** ...until its response closed (the server's own close listener calls this). */
  finished(res: HttpResponse): void {
    this.active.delete(res);
    this.watches.delete(res);
    if (this.waiters.length > 0) this.notify();
  }

  /** The request turned out to be a watch: it no longer holds the shutdown up. */
  longRunning(res: HttpResponse): void {
    if (this.active.delete(res)) this.watches.add(res);
    if (this.active.size === 0) this.notify();
  }

  get inFlight(): number {
    return this.active.size;
  }

  get openWatches(): number {
    return this.watches.size;
  }

  /** Resolves true once no ordinary request is in progress, false after `timeoutMs`. */
  waitForRequests(timeoutMs: number): Promise<boolean> {
    return this.waitUntil(() => this.active.size === 0, timeoutMs);
  }

  /** Ends every watch that has begun its response; resolves true once all are closed, false after `timeoutMs`. */
  async endWatches(timeoutMs: number): Promise<boolean> {
    const end = () => {
      for (const res of this.watches) if (res.headersSent && !res.writableEnded) res.end();
    };
    end();
    // A watch still setting up has not sent its headers: end it once it has.
    const retry = setInterval(end, 20);
    try {
      return await this.waitUntil(() => this.watches.size === 0, timeoutMs);
    } finally {
      clearInterval(retry);
    }
  }

  private waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        this.timers.clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(true);
      };
      this.waiters.push(check);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
