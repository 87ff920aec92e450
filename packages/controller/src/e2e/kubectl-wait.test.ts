/**
 * Show 1: objects created with kubectl are reconciled; the controller's Ready condition
 * with observedGeneration satisfies `kubectl wait --for=condition=Ready` (kubectl 1.33),
 * and a spec change (new generation) is caught up.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hasKubectl, Kubectl } from "@apiserver-kit/runtime/testing";
import { ResourceClient } from "../client/resource-client.js";
import { silentLogger } from "../log/logger.js";
import { Manager } from "../manager/manager.js";
import type { RestartableServer } from "../testing/api-server.js";
import { startServer } from "../testing/api-server.js";
import { type Flunder, flunderType } from "../testing/fixtures.js";
import { readyController } from "../testing/ready-controller.js";

describe("kubectl and the controller", { skip: !hasKubectl(33) && "kubectl 1.33 is not installed" }, () => {
  let server: RestartableServer;
  let manager: Manager;
  let kubectl: Kubectl;
  let running: Promise<void>;

  before(async () => {
    server = await startServer();
    manager = new Manager({ config: await server.restConfig(), logger: silentLogger });
    const { spec } = readyController(manager.client<Flunder>(flunderType));
    manager.addController(spec);
    running = manager.start();
    kubectl = new Kubectl(33, server.kubeconfig);
  });

  after(async () => {
    await manager.stop();
    await running;
    kubectl.dispose();
    await server.dispose();
  });

  it("makes kubectl wait --for=condition=Ready succeed, and catches up a new generation", async () => {
    await kubectl.ok(["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "wardle.example.com/v1alpha1",
        kind: "Flunder",
        metadata: { name: "x", namespace: "default" },
        spec: { reference: "y" },
      }),
    });
    const waited = await kubectl.ok(["wait", "--for=condition=Ready", "flunder/x", "--timeout=20s"]);
    assert.match(waited, /flunder.wardle.example.com\/x condition met/);

    await kubectl.ok(["patch", "flunder", "x", "--type=merge", "-p", '{"spec":{"color":"red"}}']);
    const flunders = new ResourceClient<Flunder>(manager.rest, flunderType);
    const patched = await flunders.get({ namespace: "default", name: "x" });
    assert.equal(patched.metadata?.generation, 2);
    // Generation 2 is only Ready once the controller wrote observedGeneration 2 into the condition.
    await kubectl.ok(["wait", "--for=condition=Ready", "flunder/x", "--timeout=20s"]);
    const reconciled = await flunders.get({ namespace: "default", name: "x" });
    assert.equal(reconciled.status?.observedGeneration, 2);
    const ready = reconciled.status?.conditions?.find((c) => c.type === "Ready");
    assert.equal(ready?.observedGeneration, 2);
    assert.equal(ready?.status, "True");
    const jsonpath = await kubectl.ok(["get", "flunder", "x", "-o", "jsonpath={.status.phase}"]);
    assert.equal(jsonpath, "Ready");
  });
});
