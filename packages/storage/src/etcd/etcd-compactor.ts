import { background, type Clock, type TimerHandle } from "../clock.js";
import type { EtcdClient } from "./etcd-client.js";

/** The key kube-apiserver compacts through; sharing it lets our replicas (and a kube-apiserver) take turns. */
export const COMPACT_REVISION_KEY = Buffer.from("compact_rev_key");

/**
 * Every replica runs one; per interval one of them compacts, as Kubernetes' compactor does:
 * the key's version is a logical clock. A replica compacts only if the version is still the
 * one it saw last interval (nobody compacted since), by bumping it in a transaction, and
 * then compacts to the revision it saw one interval ago, so at least one interval of history
 * stays. The others fail the comparison, adopt the new version and wait; when the one that
 * compacted dies, another takes over within two intervals.
 */
export class EtcdCompactor {
  private version = 0;
  private revision = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly client: EtcdClient,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly onCompacted: (revision: number) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
  }

  /** One round; exposed so that tests can drive rounds directly. Resolves true when this replica compacted. */
  async round(): Promise<boolean> {
    const response = await this.client.txn({
      compare: [{ result: "Equal", target: "Version", key: COMPACT_REVISION_KEY, version: this.version }],
      success: [{ request_put: { key: COMPACT_REVISION_KEY, value: Buffer.from(String(this.revision)) } }],
      failure: [{ request_range: { key: COMPACT_REVISION_KEY } }],
    });
    const current = Number(response.header.revision);
    if (!response.succeeded) {
      const kv = response.responses[0]?.response_range?.kvs[0];
      this.version = kv ? Number(kv.version) : 0;
      if (kv) this.onCompacted(Number(kv.value.toString()) || 0);
      this.revision = current;
      return false;
    }
    this.version++;
    const target = this.revision;
    this.revision = current;
    // The first round only starts the clock: nothing to compact yet.
    if (target === 0) return false;
    try {
      await this.client.compact(target);
    } catch (error) {
      if (!String((error as { details?: string }).details).includes("required revision has been compacted"))
        throw error;
    }
    this.onCompacted(target);
    return true;
  }

  private schedule(): void {
    if (this.stopped) return;
    const round = () => {
      // A failed round (etcd unreachable) is simply retried next interval.
      this.round()
        .catch(() => false)
        .finally(() => this.schedule());
    };
    this.timer = background(this.clock.setTimeout(round, this.intervalMs));
  }
}
