/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-go tools/leaderelection):
 * - a candidate takes the lease when it is free, or when its holder has not renewed it
 *   for leaseDurationSeconds as measured by the candidate's own clock since it last saw
 *   the record change (no trust in other machines' clocks);
 * - the leader renews every retryPeriod and gives up leadership when renewDeadline
 *   passes without a successful renewal;
 * - writes are conditional on resourceVersion, so two candidates can't both win;
 * - on a clean stop the leader releases the lease so that another takes over at once.
 */
import { hostname } from "node:os";
import { isAlreadyExists, isConflict, isNotFound } from "../client/errors.js";
import type { ResourceClient } from "../client/resource-client.js";
import { type Clock, sleep, systemClock } from "../clock/clock.js";
import { errorFields, type Logger, silentLogger } from "../log/logger.js";
import { type Lease, type LeaseSpec, microTime } from "./lease.js";

export interface LeaderElectionOptions {
  /** Where the Lease lives. */
  namespace: string;
  name: string;
  /** Unique per candidate; default `<hostname>_<random>`. */
  identity?: string;
  /** How long a lease holds without renewal. Default 15 s (written to the Lease in whole seconds). */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Empty the lease on a clean stop. Default true. */
  releaseOnCancel?: boolean;
}

export type ElectionOutcome = "stopped" | "lost";

export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private observedSpec = "";
  private observedHolder = "";
  private observedDurationSeconds = 0;
  private observedTime = 0;
  private lease: Lease | undefined;
  private leading = false;

  constructor(
    private readonly client: ResourceClient<Lease>,
    private readonly options: LeaderElectionOptions,
    deps: { clock?: Clock; logger?: Logger; random?: () => number } = {},
  ) {
    this.identity = options.identity ?? `${hostname()}_${Math.random().toString(36).slice(2, 10)}`;
    this.leaseDurationSeconds = Math.max(1, Math.ceil((options.leaseDurationMs ?? 15_000) / 1000));
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationSeconds * 1000) {
      throw new RangeError("leaseDuration must be greater than renewDeadline");
    }
    this.clock = deps.clock ?? systemClock;
    this.logger = (deps.logger ?? silentLogger).child({
      lease: `${options.namespace}/${options.name}`,
      identity: this.identity,
    });
    this.random = deps.random ?? Math.random;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the lease ("" when free or not yet read). */
  get observedLeader(): string {
    return this.observedHolder;
  }

  /**
   * Campaigns until elected, calls `onStartedLeading`, renews until `signal` aborts
   * ("stopped", lease released) or renewal fails past the deadline ("lost").
   */
  async run(signal: AbortSignal, onStartedLeading: () => void): Promise<ElectionOutcome> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      // client-go's JitterUntil with factor 1.2.
      await sleep(this.clock, this.retryPeriodMs * (1 + this.random() * 1.2), signal);
    }
    if (signal.aborted) return "stopped";
    this.leading = true;
    this.logger.info("acquired the lease");
    onStartedLeading();
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await sleep(this.clock, this.retryPeriodMs, signal);
      if (signal.aborted) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = this.clock.now();
        continue;
      }
      if (
        this.clock.now() - lastRenew >= this.renewDeadlineMs ||
        (this.observedHolder !== this.identity && this.observedHolder !== "")
      ) {
        this.leading = false;
        this.logger.error("lost the lease", { holder: this.observedHolder });
        return "lost";
      }
    }
    this.leading = false;
    if (this.options.releaseOnCancel ?? true) await this.release();
    return "stopped";
  }

  /** One attempt to take or renew the lease (`run` loops on it); true when we hold it afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const ours: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let current: Lease;
    try {
      current = await this.client.get({ namespace: this.options.namespace, name: this.options.name });
    } catch (error) {
      if (!isNotFound(error)) {
        this.logger.warn("could not read the lease", { error: errorFields(error) });
        return false;
      }
      try {
        this.lease = await this.client.create({
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: ours,
        });
        this.observe(this.lease, now);
        return true;
      } catch (createError) {
        if (!isAlreadyExists(createError))
          this.logger.warn("could not create the lease", { error: errorFields(createError) });
        return false;
      }
    }
    this.observe(current, now);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const expired = this.observedTime + this.observedDurationSeconds * 1000 <= now;
    if (holder !== "" && holder !== this.identity && !expired) return false;
    const next: LeaseSpec =
      holder === this.identity
        ? { ...ours, acquireTime: spec.acquireTime ?? ours.acquireTime, leaseTransitions: spec.leaseTransitions ?? 0 }
        : { ...ours, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    try {
      this.lease = await this.client.update({ ...current, spec: next });
      this.observe(this.lease, this.clock.now());
      return true;
    } catch (error) {
      if (!isConflict(error)) this.logger.warn("could not update the lease", { error: errorFields(error) });
      return false;
    }
  }

  /** Remembers when the record last changed, by our clock. */
  private observe(lease: Lease, now: number): void {
    const spec = JSON.stringify(lease.spec ?? {});
    if (spec !== this.observedSpec) {
      this.observedSpec = spec;
      this.observedTime = now;
    }
    this.observedHolder = lease.spec?.holderIdentity ?? "";
    this.observedDurationSeconds = lease.spec?.leaseDurationSeconds ?? this.leaseDurationSeconds;
  }

  private async release(): Promise<void> {
    const lease = this.lease;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    const now = microTime(this.clock.now());
    try {
      await this.client.update({
        ...lease,
        spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      });
      this.logger.info("released the lease");
    } catch (error) {
      this.logger.warn("could not release the lease", { error: errorFields(error) });
    }
  }
}
