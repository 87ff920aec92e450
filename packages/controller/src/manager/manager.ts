/**
 * The manager (controller-runtime pkg/manager): a shared informer per kind, the
 * controllers and other runnables, probes and metrics, leader election, and a graceful
 * stop. Runnables that need leadership start once the lease is held; informers start at
 * once, so a new leader begins with warm caches.
 */
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { type ResourceClient, type ResourceType, ResourceClient as TypedClient } from "../client/resource-client.js";
import { RestClient, type RestClientOptions } from "../client/rest-client.js";
import type { RestConfig } from "../client/rest-config.js";
import { type Clock, sleep, systemClock } from "../clock/clock.js";
import { Controller, type ControllerSpec, type InformerSource } from "../controller/controller.js";
import { ClusterEventRecorder, type EventRecorder } from "../helpers/events.js";
import { Informer, type InformerOptions } from "../informer/informer.js";
import { type LeaderElectionOptions, LeaderElector } from "../leaderelection/leader-elector.js";
import { type Lease, leaseType } from "../leaderelection/lease.js";
import { errorFields, jsonLogger, type Logger } from "../log/logger.js";
import { ControllerMetrics } from "../metrics/metrics.js";
import type { KubeObject } from "../objects/meta.js";
import { type HealthCheck, ProbeServer } from "./probe-server.js";

/** Something the manager runs until its signal aborts. */
export interface Runnable {
  name: string;
  /** Start only while holding the leader lease (when leader election is on). Default true. */
  needLeaderElection?: boolean;
  start(signal: AbortSignal): Promise<void>;
}

export type ManagerInformerOptions = Omit<InformerOptions, "clock" | "logger" | "indexers">;

export interface ManagerOptions {
  config: RestConfig;
  /** Names the event source and the log lines. Default "controller-manager". */
  name?: string;
  clock?: Clock;
  logger?: Logger;
  /** Where the metrics go; default a registry of the manager's own. */
  registry?: Registry;
  /** Defaults for every informer (resync, watch timeouts, backoff, page size, a transform such as `stripManagedFields`). */
  informer?: ManagerInformerOptions;
  /** Serve `/healthz`, `/readyz` and `/metrics` on this address. */
  serve?: { host?: string; port?: number };
  leaderElection?: LeaderElectionOptions;
  /** How long a stop waits for reconciles in flight. Default 30 s. */
  gracefulShutdownTimeoutMs?: number;
  rest?: RestClientOptions;
}

/** The lease was lost: the process should exit so that it can't act as a second leader. */
export class LeaderElectionLostError extends Error {
  override readonly name = "LeaderElectionLostError";
  readonly reason = "LeaderElectionLost";
}

type State = "new" | "running" | "stopping" | "stopped";

export class Manager implements InformerSource {
  readonly rest: RestClient;
  readonly registry: Registry;
  readonly metrics: ControllerMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly name: string;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly informerRuns: Promise<void>[] = [];
  private readonly runnables: Runnable[] = [];
  private readonly started = new Set<Runnable>();
  /** Runs of runnables that hold the lease, and of the others: a stop waits for the first before the second. */
  private readonly leaderRuns: Promise<void>[] = [];
  private readonly otherRuns: Promise<void>[] = [];
  private readonly healthChecks: HealthCheck[] = [];
  private readonly readyChecks: HealthCheck[] = [];
  private readonly informerAbort = new AbortController();
  private readonly leaderAbort = new AbortController();
  private readonly electionAbort = new AbortController();
  private readonly probe: ProbeServer | undefined;
  private elector: LeaderElector | undefined;
  private election: Promise<unknown> | undefined;
  private recorder: ClusterEventRecorder | undefined;
  private state: State = "new";
  private serving: AddressInfo | undefined;
  private leaderStarted = false;
  private lost = false;
  private stopping: Promise<void> | undefined;
  private resolveStopped: () => void = () => {};
  private readonly stopped = new Promise<void>((resolve) => {
    this.resolveStopped = resolve;
  });
  private electedWaiters: Array<() => void> = [];

  constructor(private readonly options: ManagerOptions) {
    this.name = options.name ?? "controller-manager";
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? jsonLogger()).child({ manager: this.name });
    this.rest = new RestClient(options.config, options.rest);
    this.registry = options.registry ?? new Registry();
    this.metrics = new ControllerMetrics(this.registry, this.clock);
    if (options.serve) {
      this.probe = new ProbeServer({
        ...options.serve,
        registry: this.registry,
        liveness: () => [{ name: "ping", check: () => undefined }, ...this.healthChecks],
        readiness: () => [
          { name: "shutdown", check: () => (this.state === "running" ? undefined : `manager is ${this.state}`) },
          { name: "informers-synced", check: () => this.unsyncedInformers() },
          ...this.readyChecks,
        ],
      });
    }
  }

  /** A typed client for `type`, sharing the manager's connection pool. */
  client<T extends KubeObject>(type: ResourceType): ResourceClient<T> {
    return new TypedClient<T>(this.rest, type);
  }

  /** The shared informer for `type` (one per kind); started with the manager, or at once if it runs. */
  informer<T extends KubeObject>(type: ResourceType): Informer<T> {
    const key = `${type.group}/${type.version}/${type.plural}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>(this.client<KubeObject>(type), {
        ...this.options.informer,
        clock: this.clock,
        logger: this.logger,
      });
      this.informers.set(key, informer);
      if (this.state === "running") this.runInformer(informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** Declares a controller; it starts with the manager (after election, if it needs the lease). */
  addController(spec: ControllerSpec): Controller {
    if (this.runnables.some((r) => r.name === spec.name)) throw new Error(`a controller named ${spec.name} exists`);
    const controller = new Controller(spec, {
      informers: this,
      clock: this.clock,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.add({
      name: spec.name,
      needLeaderElection: controller.needLeaderElection,
      start: (signal) => controller.start(signal),
    });
    return controller;
  }

  add(runnable: Runnable): void {
    if (this.state === "stopping" || this.state === "stopped") throw new Error("the manager has stopped");
    this.runnables.push(runnable);
    if (this.state !== "running") return;
    if (!this.needsLease(runnable) || this.leaderStarted) this.runRunnable(runnable);
  }

  /** A liveness check (`/healthz`). */
  addHealthCheck(check: HealthCheck): void {
    this.healthChecks.push(check);
  }

  /** A readiness check (`/readyz`). */
  addReadyCheck(check: HealthCheck): void {
    this.readyChecks.push(check);
  }

  /** Records Events as `component` (default: the manager's name). */
  eventRecorder(): EventRecorder {
    this.recorder ??= new ClusterEventRecorder({
      component: this.name,
      rest: this.rest,
      logger: this.logger,
      clock: this.clock,
    });
    return this.recorder;
  }

  /** Where `/healthz`, `/readyz` and `/metrics` are served, once started. */
  get address(): AddressInfo | undefined {
    return this.serving;
  }

  /** Whether the runnables that need the lease are running. */
  isLeader(): boolean {
    return this.leaderStarted && !this.leaderAbort.signal.aborted;
  }

  /** Resolves when this manager becomes leader (at once without leader election). */
  elected(): Promise<void> {
    if (this.leaderStarted) return Promise.resolve();
    return new Promise((resolve) => this.electedWaiters.push(resolve));
  }

  /**
   * Runs until `stop()` (or `signal`). Resolves after a graceful stop; rejects with
   * LeaderElectionLostError when the lease was lost.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== "new") throw new Error(`the manager is ${this.state}`);
    this.state = "running";
    signal?.addEventListener("abort", () => void this.stop(), { once: true });
    if (this.probe) this.serving = await this.probe.listen();
    for (const informer of this.informers.values()) this.runInformer(informer);
    for (const runnable of this.runnables) if (!this.needsLease(runnable)) this.runRunnable(runnable);
    const election = this.options.leaderElection;
    if (election) {
      const elector = new LeaderElector(this.client<Lease>(leaseType), election, {
        clock: this.clock,
        logger: this.logger,
      });
      this.elector = elector;
      this.election = elector
        .run(this.electionAbort.signal, () => this.startLeaderRunnables())
        .then((outcome) => {
          if (outcome === "lost") {
            this.lost = true;
            void this.stop();
          }
        });
    } else {
      this.startLeaderRunnables();
    }
    await this.stopped;
    if (this.lost) throw new LeaderElectionLostError(`lost the lease ${election?.namespace}/${election?.name}`);
  }

  /** Stops leader runnables (waiting for reconciles in flight), releases the lease, stops informers and probes. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.state === "new") {
      this.state = "stopped";
      this.rest.close();
      this.resolveStopped();
      return;
    }
    this.state = "stopping";
    this.logger.info("stopping");
    this.leaderAbort.abort();
    const timeoutMs = this.options.gracefulShutdownTimeoutMs ?? 30_000;
    const timeout = new AbortController();
    const finished = await Promise.race([
      Promise.allSettled(this.leaderRuns).then(() => true),
      sleep(this.clock, timeoutMs, timeout.signal).then(() => false),
    ]);
    timeout.abort();
    if (!finished) this.logger.warn("runnables did not stop in time", { timeoutMs });
    this.electionAbort.abort();
    await this.election;
    this.informerAbort.abort();
    await Promise.allSettled([...this.otherRuns, ...this.informerRuns]);
    await this.recorder?.flush();
    await this.probe?.close();
    this.rest.close();
    this.state = "stopped";
    this.logger.info("stopped");
    this.resolveStopped();
  }

  private needsLease(runnable: Runnable): boolean {
    return this.options.leaderElection !== undefined && (runnable.needLeaderElection ?? true);
  }

  private startLeaderRunnables(): void {
    if (this.leaderStarted || this.state !== "running") return;
    this.leaderStarted = true;
    for (const runnable of this.runnables) if (this.needsLease(runnable)) this.runRunnable(runnable);
    for (const resolve of this.electedWaiters.splice(0)) resolve();
  }

  private runRunnable(runnable: Runnable): void {
    if (this.started.has(runnable)) return;
    this.started.add(runnable);
    // Runnables that would need the lease stop first, even when there is no election.
    const leader = runnable.needLeaderElection ?? true;
    const run = runnable.start(leader ? this.leaderAbort.signal : this.informerAbort.signal).catch((error: unknown) => {
      this.logger.error("runnable failed", { runnable: runnable.name, error: errorFields(error) });
    });
    (leader ? this.leaderRuns : this.otherRuns).push(run);
  }

  private runInformer(informer: Informer<KubeObject>): void {
    this.informerRuns.push(informer.run(this.informerAbort.signal));
  }

  private unsyncedInformers(): string | undefined {
    const waiting = [...this.informers.entries()].filter(([, i]) => !i.hasSynced()).map(([key]) => key);
    return waiting.length ? `not synced: ${waiting.join(", ")}` : undefined;
  }

  /** The identity this manager campaigns with (with leader election). */
  get identity(): string | undefined {
    return this.elector?.identity;
  }
}
