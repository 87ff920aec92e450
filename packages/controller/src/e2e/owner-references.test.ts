/**
 * Show 5: a controller that owns FlunderParts. Changing an owned object enqueues its
 * owner (through the controller owner reference), whose reconcile puts the part back;
 * parts without a controller reference to a Flunder enqueue nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isNotFound } from "../client/errors.js";
import type { ResourceClient } from "../client/resource-client.js";
import { setControllerReference, setOwnerReference } from "../helpers/owner-references.js";
import { silentLogger } from "../log/logger.js";
import { Manager } from "../manager/manager.js";
import type { KubeObject } from "../objects/meta.js";
import { type RestartableServer, startServer } from "../testing/api-server.js";
import { type Flunder, flunder, flunderPartType, flunderType } from "../testing/fixtures.js";
import { eventually } from "../testing/wait.js";

interface FlunderPart extends KubeObject {
  spec?: { size?: number };
}

describe("owned objects", () => {
  let server: RestartableServer;
  let manager: Manager;
  let running: Promise<void>;
  let flunders: ResourceClient<Flunder>;
  let parts: ResourceClient<FlunderPart>;
  const reconciled: string[] = [];

  before(async () => {
    server = await startServer();
    manager = new Manager({ config: await server.restConfig(), logger: silentLogger });
    flunders = manager.client<Flunder>(flunderType);
    parts = manager.client<FlunderPart>(flunderPartType);
    manager.addController({
      name: "flunder-parts",
      for: flunderType,
      owns: [flunderPartType],
      async reconcile(_ctx, request) {
        reconciled.push(request.name);
        let owner: Flunder;
        try {
          owner = await flunders.get(request);
        } catch (error) {
          if (isNotFound(error)) return;
          throw error;
        }
        // Flunders referring to "no-part" have no part: the tests use them as quiet owners.
        if (owner.spec?.reference === "no-part") return;
        const want = owner.spec?.replicas ?? 1;
        const name = `${request.name}-part`;
        try {
          const part = await parts.get({ namespace: request.namespace, name });
          if (part.spec?.size !== want) await parts.update({ ...part, spec: { size: want } });
        } catch (error) {
          if (!isNotFound(error)) throw error;
          const part: FlunderPart = { metadata: { name, namespace: request.namespace }, spec: { size: want } };
          setControllerReference(owner, part);
          await parts.create(part);
        }
      },
    });
    running = manager.start();
  });

  after(async () => {
    await manager.stop();
    await running;
    await server.dispose();
  });

  it("maps a change of an owned object to its owner's key", async () => {
    await flunders.create(flunder("owner", { replicas: 3 }));
    await eventually(
      async () =>
        (await parts.get({ namespace: "default", name: "owner-part" }).catch(() => undefined))?.spec?.size === 3,
      () => `reconciled ${reconciled}`,
    );
    const part = await parts.get({ namespace: "default", name: "owner-part" });
    assert.equal(part.metadata?.ownerReferences?.[0]?.kind, "Flunder");
    assert.equal(part.metadata?.ownerReferences?.[0]?.controller, true);
    const before = reconciled.length;

    // Someone changes the owned object: its owner is reconciled and puts it back.
    await parts.update({ ...part, spec: { size: 99 } });
    await eventually(
      async () => (await parts.get({ namespace: "default", name: "owner-part" })).spec?.size === 3,
      () => `part not restored; reconciled ${reconciled}`,
    );
    assert.ok(reconciled.slice(before).includes("owner"), "the owner's key was enqueued");
    assert.ok(!reconciled.includes("owner-part"), "the part's own key is never a request of this controller");
  });

  it("ignores parts without a controller reference to a Flunder", async () => {
    const third = await flunders.create(flunder("third", { reference: "no-part" }));
    const marker = await flunders.create(flunder("marker", { reference: "no-part" }));
    await eventually(
      () => reconciled.includes("third") && reconciled.includes("marker"),
      () => `reconciled ${reconciled}`,
    );
    const count = reconciled.length;
    const loose: FlunderPart = { metadata: { name: "loose", namespace: "default" }, spec: { size: 1 } };
    const plain: FlunderPart = { metadata: { name: "plain", namespace: "default" }, spec: { size: 1 } };
    setOwnerReference(third, plain);
    const markerPart: FlunderPart = { metadata: { name: "marker-part", namespace: "default" }, spec: { size: 1 } };
    setControllerReference(marker, markerPart);
    await parts.create(loose);
    await parts.create(plain);
    // Parts arrive in order on one watch and one worker takes keys in order: once the
    // marker's owner is reconciled, anything the first two parts enqueued would have been too.
    await parts.create(markerPart);
    await eventually(
      () => reconciled.slice(count).includes("marker"),
      () => "marker not reconciled",
    );
    assert.deepEqual(
      reconciled.slice(count),
      ["marker"],
      "neither the loose part nor a non-controller reference enqueued anything",
    );
  });
});
