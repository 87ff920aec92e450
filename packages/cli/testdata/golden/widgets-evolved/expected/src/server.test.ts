import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  isStatusConditionTrue,
  type KubeObject,
  ResourceClient,
  RestClient,
  restConfigFromKubeconfigFile,
} from "@apiserver-kit/controller";
import { type RunningServer, runServer } from "@apiserver-kit/runtime";
import { startTestServer, type TestServer } from "@apiserver-kit/runtime/testing";
import type { Widget } from "./apis/widgets/v1alpha1/widget.js";
import { widgetType } from "./generated/kinds.js";
import { resources } from "./resources.js";
import { serverOptions } from "./server.js";

describe("the widgets.example.com API, served by the runtime's test kit", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ resources });
  });
  after(() => server.close());

  it("lists every kind in discovery", async () => {
    const response = await server.request("/apis/widgets.example.com/v1alpha1");
    assert.equal(response.status, 200, response.body);
    const names = response.json<{ resources: Array<{ name: string }> }>().resources.map((resource) => resource.name);
    for (const plural of ["widgets"]) assert.ok(names.includes(plural), plural);
  });

  it("defaults and validates a Widget", async () => {
    const path = "/apis/widgets.example.com/v1alpha1/namespaces/default/widgets";
    const object = (spec: object) => ({
      apiVersion: "widgets.example.com/v1alpha1",
      kind: "Widget",
      metadata: { name: "widget-ns" },
      spec,
    });
    const created = await server.request(path, { method: "POST", body: object({}) });
    assert.equal(created.status, 201, created.body);
    assert.equal(created.json<Widget>().spec.replicas, 1);
    const invalid = await server.request(path, { method: "POST", body: object({ replicas: -1 }) });
    assert.equal(invalid.status, 422, invalid.body);
    assert.match(invalid.body, /spec\.replicas/);
  });
});

describe("the server with its controllers", () => {
  let dataDir: string;
  let running: RunningServer | undefined;
  let rest: RestClient | undefined;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "widgets-evolved-test-"));
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

  it("marks a new Widget Ready", async () => {
    const client = new ResourceClient<Widget & KubeObject>(rest as RestClient, widgetType);
    const metadata = { name: "ready", namespace: "default" };
    await client.create({ apiVersion: "widgets.example.com/v1alpha1", kind: "Widget", metadata, spec: {} });
    const ready = await waitFor(async () => {
      const current = await client.get(metadata);
      return isStatusConditionTrue(current.status?.conditions, "Ready") ? current : undefined;
    });
    assert.equal(ready.status?.observedGeneration, 1);
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
