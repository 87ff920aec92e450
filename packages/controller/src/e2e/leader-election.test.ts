/**
 * Show 4: two managers campaign for one coordination.k8s.io/v1 Lease served by the
 * runtime (no kube-apiserver here): only the leader reconciles; when it stops, it
 * releases the lease and the other takes over. The expiry rule (a silent holder is
 * replaced once the lease duration has passed on the candidate's own clock) is checked
 * with fake clocks against the same server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeClock } from "@apiserver-kit/storage/testing";
import { ResourceClient } from "../client/resource-client.js";
import { LeaderElector } from "../leaderelection/leader-elector.js";
import { type Lease, leaseType } from "../leaderelection/lease.js";
import { silentLogger } from "../log/logger.js";
import { LeaderElectionLostError, Manager } from "../manager/manager.js";
import { type RestartableServer, startServer } from "../testing/api-server.js";
import { type Flunder, flunder, flunderType } from "../testing/fixtures.js";
import { readyController } from "../testing/ready-controller.js";
import { eventually } from "../testing/wait.js";

describe("leader election", () => {
  let server: RestartableServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  it("lets only the leader reconcile; the other takes over when it stops", async () => {
    const config = await server.restConfig();
    const election = {
      namespace: "default",
      name: "flunder-controller",
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 100,
    };
    const make = (identity: string) => {
      const manager = new Manager({ config, logger: silentLogger, leaderElection: { ...election, identity } });
      const { spec, log } = readyController(manager.client<Flunder>(flunderType));
      manager.addController(spec);
      return { manager, log, running: manager.start() };
    };
    const a = make("manager-a");
    await a.manager.elected();
    const b = make("manager-b");
    const flunders = new ResourceClient<Flunder>(a.manager.rest, flunderType);
    const leases = new ResourceClient<Lease>(a.manager.rest, leaseType);
    try {
      for (const name of ["one", "two", "three"]) await flunders.create(flunder(name));
      await eventually(
        () => a.log.readyGenerations.size === 3,
        () => `a reconciled ${[...a.log.readyGenerations.keys()]}`,
      );
      // b has its informer synced and keys in hand, yet does not reconcile.
      await eventually(
        () => b.manager.informer(flunderType).store.size === 3,
        () => "b's cache did not sync",
      );
      assert.equal(b.log.requests.length, 0);
      assert.equal(b.manager.isLeader(), false);
      const held = await leases.get({ namespace: "default", name: "flunder-controller" });
      assert.equal(held.spec?.holderIdentity, "manager-a");
      assert.equal(held.spec?.leaseDurationSeconds, 3);

      await a.manager.stop();
      await a.running;
      const released = await leases.get({ namespace: "default", name: "flunder-controller" });
      assert.ok(released.spec?.holderIdentity === "" || released.spec?.holderIdentity === "manager-b");

      await b.manager.elected();
      assert.equal(b.manager.isLeader(), true);
      const bFlunders = new ResourceClient<Flunder>(b.manager.rest, flunderType);
      await bFlunders.create(flunder("four"));
      await bFlunders.patch({ namespace: "default", name: "one" }, { spec: { color: "green" } });
      await eventually(
        () => b.log.readyGenerations.get("default/four") === 1 && b.log.readyGenerations.get("default/one") === 2,
        () => `b reconciled ${JSON.stringify([...b.log.readyGenerations])}`,
      );
      assert.equal(
        a.log.requests.some((r) => r.name === "four"),
        false,
        "the stopped leader reconciled nothing more",
      );
      const bLeases = new ResourceClient<Lease>(b.manager.rest, leaseType);
      const taken = await bLeases.get({ namespace: "default", name: "flunder-controller" });
      assert.equal(taken.spec?.holderIdentity, "manager-b");
      assert.equal(taken.spec?.leaseTransitions, 1);
    } finally {
      await a.manager.stop();
      await b.manager.stop();
      await Promise.allSettled([a.running, b.running]);
    }
  });

  it("stops the manager and rejects start() when another holder takes the lease", async () => {
    const config = await server.restConfig();
    const manager = new Manager({
      config,
      logger: silentLogger,
      leaderElection: {
        namespace: "default",
        name: "stolen",
        identity: "victim",
        leaseDurationMs: 3000,
        renewDeadlineMs: 2000,
        retryPeriodMs: 50,
      },
    });
    let reconcilerSignal: AbortSignal | undefined;
    manager.add({
      name: "leader-work",
      start: async (signal) => {
        reconcilerSignal = signal;
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      },
    });
    const running = manager.start();
    await manager.elected();
    const leases = new ResourceClient<Lease>(manager.rest, leaseType);
    const lease = await leases.get({ namespace: "default", name: "stolen" });
    // Someone else writes the lease as theirs (a partition healed the wrong way, a bug elsewhere).
    await leases.update({
      ...lease,
      spec: { ...lease.spec, holderIdentity: "intruder", renewTime: new Date().toISOString() },
    });
    await assert.rejects(
      running,
      (error: unknown) => error instanceof LeaderElectionLostError && error.reason === "LeaderElectionLost",
    );
    assert.equal(reconcilerSignal?.aborted, true, "leader work was told to stop");
    assert.equal(manager.isLeader(), false);
    const after = await leases.get({ namespace: "default", name: "stolen" });
    assert.equal(after.spec?.holderIdentity, "intruder", "a manager that lost the lease does not release it");
  });

  it("replaces a holder that stopped renewing only after the lease duration, by the candidate's clock", async () => {
    const config = await server.restConfig();
    const manager = new Manager({ config, logger: silentLogger });
    const leases = manager.client<Lease>(leaseType);
    const options = { namespace: "default", name: "expiry", leaseDurationMs: 15_000, renewDeadlineMs: 10_000 };
    const xClock = new FakeClock();
    const yClock = new FakeClock(5_000_000);
    const x = new LeaderElector(leases, { ...options, identity: "x" }, { clock: xClock });
    const y = new LeaderElector(leases, { ...options, identity: "y" }, { clock: yClock });
    try {
      assert.equal(await x.tryAcquireOrRenew(), true, "x creates the lease");
      assert.equal(await y.tryAcquireOrRenew(), false, "held by x");
      await yClock.advance(10_000);
      await xClock.advance(10_000);
      assert.equal(await x.tryAcquireOrRenew(), true, "x renews: the record changes");
      await yClock.advance(14_999);
      assert.equal(
        await y.tryAcquireOrRenew(),
        false,
        "24.999 s after y first saw x, but y sees the renewal only now: its clock for x starts over",
      );
      await yClock.advance(14_999);
      assert.equal(await y.tryAcquireOrRenew(), false, "14.999 s since y saw the record change");
      await yClock.advance(1);
      assert.equal(await y.tryAcquireOrRenew(), true, "15 s without a change: y takes the lease");
      assert.equal(await x.tryAcquireOrRenew(), false, "x sees y as the holder");
      const lease = await leases.get({ namespace: "default", name: "expiry" });
      assert.equal(lease.spec?.holderIdentity, "y");
      assert.equal(lease.spec?.leaseTransitions, 1);
      assert.match(lease.spec?.renewTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, "MicroTime");
    } finally {
      await manager.stop();
    }
  });
});
