/**
 * A stream of writes over HTTP that remembers what the server acknowledged. Each writer owns
 * its keys and writes them one request at a time (create, then updates, sometimes a delete),
 * so that after any fault the expected state of every key is known exactly: the last
 * acknowledged write, or the one write that was in flight when the fault hit (in doubt).
 */
import type { HttpAnswer, HttpsClient } from "./https-client.js";
import { pause } from "./wait.js";

export const WARDLE_API = "/apis/wardle.example.com/v1alpha1";

/** The part of a Flunder the storm writes and checks. */
export interface FlunderState {
  /** The writer's sequence number of the write that produced this state. */
  replicas: number;
  reference: string;
}

/** A key's state as the client knows it: `present: false` is "does not exist". */
export interface KnownState {
  present: boolean;
  state?: FlunderState;
  /** The resourceVersion the server answered with (acknowledged writes only). */
  resourceVersion?: string;
}

export interface KeyRecord {
  name: string;
  /** The state after the last acknowledged write. */
  acknowledged: KnownState;
  /** A write that got no answer or a 5xx: it may or may not have happened. */
  inDoubt?: KnownState;
}

/** One acknowledged write; a delete's revision is unknown (the server answers a Status). */
export interface AcknowledgedWrite {
  type: "ADDED" | "MODIFIED" | "DELETED";
  name: string;
  revision?: number;
  state?: FlunderState;
}

export interface WriteStormOptions {
  namespace: string;
  /** Concurrent writers. */
  writers: number;
  /** Live keys each writer keeps before it starts updating and deleting. */
  keysPerWriter?: number;
  /** A deterministic random source in [0, 1). */
  random: () => number;
  /** Name prefix, so that several storms can share a namespace. Default "storm". */
  prefix?: string;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** Pause between a writer's requests. Default none. */
  pauseMs?: number;
}

/** A small seeded PRNG (mulberry32): tests replay the same operations for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class WriteStorm {
  readonly keys = new Map<string, KeyRecord>();
  /** Writes answered 2xx. */
  acknowledged = 0;
  /** The highest resourceVersion an acknowledged create or update answered with. */
  highestRevision = 0;
  /** Every acknowledged write, in the order the answers arrived. */
  readonly history: AcknowledgedWrite[] = [];
  /** Answers by status code (including 2xx), and transport failures as "error". */
  readonly outcomes = new Map<string, number>();
  /** Answers a storm never expects (4xx, or a 5xx without a Status body): each one a test failure. */
  readonly unexpected: string[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly collection: string;

  constructor(
    private readonly client: HttpsClient,
    private readonly options: WriteStormOptions,
  ) {
    this.collection = `${WARDLE_API}/namespaces/${options.namespace}/flunders`;
  }

  /** In-doubt writes so far. */
  get inDoubt(): number {
    let count = 0;
    for (const record of this.keys.values()) if (record.inDoubt) count++;
    return count;
  }

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.options.writers }, (_, i) => this.writer(i));
  }

  /** Lets every writer finish its current request, then resolves. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Resolves once at least `count` writes were acknowledged (or rejects after timeoutMs). */
  async waitForAcknowledged(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.acknowledged} of ${count} writes acknowledged`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  private async writer(index: number): Promise<void> {
    const prefix = this.options.prefix ?? "storm";
    const random = this.options.random;
    const live: KeyRecord[] = [];
    let sequence = 0;
    let created = 0;
    const timeout = this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {};
    while (this.running) {
      sequence++;
      const wanted = this.options.keysPerWriter ?? 4;
      const roll = random();
      let record: KeyRecord;
      let next: KnownState;
      let send: () => Promise<HttpAnswer>;
      let type: AcknowledgedWrite["type"];
      if (live.length < wanted || roll < 0.3) {
        const name = `${prefix}-${index}-${created++}`;
        record = { name, acknowledged: { present: false } };
        this.keys.set(name, record);
        const state = { replicas: sequence, reference: `${name}@${sequence}` };
        next = { present: true, state };
        type = "ADDED";
        send = () => this.client.request(this.collection, { method: "POST", body: flunder(name, state), ...timeout });
      } else {
        const at = Math.floor(random() * live.length);
        record = live[at] as KeyRecord;
        if (roll < 0.4) {
          live.splice(at, 1);
          next = { present: false };
          type = "DELETED";
          send = () => this.client.request(`${this.collection}/${record.name}`, { method: "DELETE", ...timeout });
        } else {
          const state = { replicas: sequence, reference: `${record.name}@${sequence}` };
          next = { present: true, state };
          type = "MODIFIED";
          const body = {
            ...flunder(record.name, state),
            metadata: { name: record.name, resourceVersion: record.acknowledged.resourceVersion },
          };
          send = () => this.client.request(`${this.collection}/${record.name}`, { method: "PUT", body, ...timeout });
        }
      }
      if (!live.includes(record) && next.present) live.push(record);
      let answer: HttpAnswer;
      try {
        answer = await send();
      } catch {
        // No answer: the server died or the connection broke with the write in flight.
        this.count("error");
        this.abandon(record, next, live);
        if (!this.running) break;
        await pause(50);
        continue;
      }
      this.count(String(answer.status));
      if (answer.status >= 200 && answer.status < 300) {
        this.acknowledged++;
        const resourceVersion = next.present
          ? (answer.json<{ metadata?: { resourceVersion?: string } }>().metadata?.resourceVersion ?? "")
          : undefined;
        record.acknowledged = { ...next, ...(resourceVersion ? { resourceVersion } : {}) };
        this.highestRevision = Math.max(this.highestRevision, Number(resourceVersion ?? 0));
        this.history.push({
          type,
          name: record.name,
          ...(resourceVersion ? { revision: Number(resourceVersion) } : {}),
          ...(next.state ? { state: next.state } : {}),
        });
      } else if (answer.status >= 500 && isStatus(answer)) {
        // 503/504: the storage could not be reached or did not answer in time; the write may have landed.
        this.abandon(record, next, live);
        await pause(50);
      } else {
        this.unexpected.push(`${answer.status} for ${record.name}: ${answer.body.slice(0, 300)}`);
        this.abandon(record, next, live);
      }
      if (this.options.pauseMs) await pause(this.options.pauseMs);
    }
  }

  /** A key whose last write is in doubt is never written again: its expected state stays two-valued. */
  private abandon(record: KeyRecord, next: KnownState, live: KeyRecord[]): void {
    record.inDoubt = next;
    const at = live.indexOf(record);
    if (at >= 0) live.splice(at, 1);
  }

  /**
   * Compares what the server holds (a list of this namespace) with what was acknowledged:
   * every key is in its acknowledged state (same resourceVersion) or in its in-doubt state;
   * nothing else exists. Returns the problems found, empty when all is well.
   */
  verify(items: readonly StoredFlunder[]): { problems: string[]; verified: number; tookInDoubt: number } {
    const problems: string[] = [];
    const prefix = `${this.options.prefix ?? "storm"}-`;
    const stored = new Map(items.filter((i) => i.metadata.name.startsWith(prefix)).map((i) => [i.metadata.name, i]));
    let verified = 0;
    let tookInDoubt = 0;
    for (const [name, record] of this.keys) {
      const found = stored.get(name);
      stored.delete(name);
      if (matches(found, record.acknowledged, true)) {
        verified++;
        continue;
      }
      if (record.inDoubt && matches(found, record.inDoubt, false)) {
        tookInDoubt++;
        continue;
      }
      problems.push(
        `${name}: stored ${found ? JSON.stringify({ rv: found.metadata.resourceVersion, spec: found.spec }) : "nothing"}, ` +
          `acknowledged ${JSON.stringify(record.acknowledged)}${record.inDoubt ? `, in doubt ${JSON.stringify(record.inDoubt)}` : ""}`,
      );
    }
    for (const name of stored.keys()) problems.push(`${name}: stored but never written`);
    return { problems, verified, tookInDoubt };
  }
}

export interface StoredFlunder {
  metadata: { name: string; resourceVersion?: string };
  spec?: { replicas?: number; reference?: string };
}

function matches(found: StoredFlunder | undefined, expected: KnownState, checkVersion: boolean): boolean {
  if (!expected.present) return found === undefined;
  if (!found || !expected.state) return false;
  if (found.spec?.replicas !== expected.state.replicas || found.spec?.reference !== expected.state.reference) {
    return false;
  }
  return (
    !checkVersion ||
    expected.resourceVersion === undefined ||
    found.metadata.resourceVersion === expected.resourceVersion
  );
}

export function flunder(name: string, state: FlunderState): Record<string, unknown> {
  return {
    apiVersion: "wardle.example.com/v1alpha1",
    kind: "Flunder",
    metadata: { name },
    spec: { replicas: state.replicas, reference: state.reference },
  };
}

function isStatus(answer: HttpAnswer): boolean {
  try {
    return answer.json<{ kind?: string }>().kind === "Status";
  } catch {
    return false;
  }
}
