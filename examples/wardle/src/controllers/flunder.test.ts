import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  findStatusCondition,
  type KubeObject,
  ResourceClient,
  RestClient,
  restConfigFromKubeconfigFile,
} from "@apiserver-kit/controller";
import { type RunningServer, runServer } from "@apiserver-kit/runtime";
import type { Fischer } from "../apis/wardle/v1alpha1/fischer.js";
import type { Flunder } from "../apis/wardle/v1beta1/flunder.js";
import { fischerType, flunderType } from "../generated/kinds.js";
import { serverOptions } from "../server.js";
import { RESOLVED_CONDITION, referenceOf, resolvedCondition } from "./flunder.js";

describe("resolving a reference", () => {
  const meta = { name: "f", namespace: "team-a" };
  it("reads the reference from either field", () => {
    assert.deepEqual(referenceOf({ apiVersion: "", kind: "", metadata: meta, spec: { flunderReference: "x" } }), {
      kind: "Flunder",
      namespace: "team-a",
      name: "x",
    });
    assert.deepEqual(referenceOf({ apiVersion: "", kind: "", metadata: meta, spec: { fischerReference: "y" } }), {
      kind: "Fischer",
      namespace: "",
      name: "y",
    });
    assert.equal(referenceOf({ apiVersion: "", kind: "", metadata: meta }), undefined);
  });

  it("says what it found", () => {
    const reference = { kind: "Fischer", namespace: "", name: "trout" } as const;
    assert.deepEqual(resolvedCondition(reference, undefined, 3), {
      type: RESOLVED_CONDITION,
      status: "False",
      reason: "NotFound",
      message: 'fischer "trout" does not exist',
      observedGeneration: 3,
    });
    assert.equal(resolvedCondition(reference, { metadata: { name: "trout" } }, 3).reason, "Found");
    assert.equal(resolvedCondition(undefined, undefined, 1).reason, "NoReference");
  });
});

describe("the Flunder controller, in the server process", () => {
  let dataDir: string;
  let running: RunningServer | undefined;
  let rest: RestClient | undefined;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "wardle-controller-"));
    const argv = ["--secure-port=0", "--bind-address=127.0.0.1", "--storage=memory", `--data-dir=${dataDir}`];
    running = await runServer({ ...serverOptions(argv), log: () => {}, signals: false });
    assert.ok(running?.kubeconfig, "local mode writes a kubeconfig");
    rest = new RestClient(await restConfigFromKubeconfigFile(running.kubeconfig));
  });
  after(async () => {
    rest?.close();
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reports a missing Fischer, then resolves it once it is created", async () => {
    const flunders = new ResourceClient<Flunder & KubeObject>(rest as RestClient, flunderType);
    const fischers = new ResourceClient<Fischer & KubeObject>(rest as RestClient, fischerType);
    const ref = { namespace: "default", name: "hopeful" };
    await flunders.create({
      apiVersion: "wardle.example.com/v1beta1",
      kind: "Flunder",
      metadata: ref,
      spec: { fischerReference: "later" },
    });
    const missing = await waitFor(async () => {
      const condition = findStatusCondition((await flunders.get(ref)).status?.conditions, RESOLVED_CONDITION);
      return condition?.status === "False" ? condition : undefined;
    });
    assert.equal(missing.message, 'fischer "later" does not exist');
    const created = await fischers.create({
      apiVersion: "wardle.example.com/v1alpha1",
      kind: "Fischer",
      metadata: { name: "later" },
    });
    const resolved = await waitFor(async () => {
      const current = await flunders.get(ref);
      const condition = findStatusCondition(current.status?.conditions, RESOLVED_CONDITION);
      return condition?.status === "True" ? current : undefined;
    });
    assert.equal(resolved.status?.referenceUID, created.metadata.uid);
    assert.equal(resolved.status?.observedGeneration, 1);
    await fischers.delete({ name: "later" });
    const lost = await waitFor(async () => {
      const current = await flunders.get(ref);
      return current.status?.referenceUID === undefined ? current : undefined;
    });
    assert.equal(findStatusCondition(lost.status?.conditions, RESOLVED_CONDITION)?.reason, "NotFound");
  });
});

/** Polls `probe` until it returns a value; gives up after 20 s (a safety net, not a speed check). */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the controller");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
