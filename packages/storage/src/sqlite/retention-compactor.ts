import { background, type Clock, type TimerHandle } from "../clock.js";

/**
 * Compacts on a schedule so that at least `retentionMs` of history stays: every interval
 * it notes (time, current revision) and compacts to the newest noted revision that is
 * older than the retention.
 */
export class RetentionCompactor {
  private readonly samples: { time: number; revision: number }[] = [];
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly retentionMs: number,
    private readonly currentRevision: () => number,
    private readonly compact: (revision: number) => Promise<void>,
  ) {}

  start(): void {
    this.samples.push({ time: this.clock.now(), revision: this.currentRevision() });
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = background(this.clock.setTimeout(() => void this.tick(), this.intervalMs));
  }

  private async tick(): Promise<void> {
    const now = this.clock.now();
    this.samples.push({ time: now, revision: this.currentRevision() });
    let due: number | undefined;
    while (this.samples.length > 1 && (this.samples[0] as { time: number }).time <= now - this.retentionMs) {
      due = (this.samples.shift() as { revision: number }).revision;
    }
    // A failed compaction is retried with a newer revision on the next tick.
    if (due !== undefined) await this.compact(due).catch(() => {});
    this.schedule();
  }
}
