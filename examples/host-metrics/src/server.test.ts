import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import {
  ResourceClient,
  RestClient,
  restConfigFromKubeconfigFile,
  type WireWatchEvent,
} from "@apiserver-kit/controller";
import { startTestServer, type TestServer } from "@apiserver-kit/runtime/testing";
import type { NodeMetrics } from "./apis/metrics/v1beta1/node-metrics.js";
import type { ProcessMetrics } from "./apis/metrics/v1beta1/process-metrics.js";
import { processMetricsType } from "./generated/kinds.js";
import { nodeNameOf } from "./metrics/usage.js";
import { metricsResources } from "./resources.js";
import { metricResolution } from "./server.js";

const BASE = "/apis/metrics.example.com/v1beta1";
const TABLE = { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" };

/** Polls `done` until it holds; gives up after 20 s (a safety net, not a speed check). */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("metrics.example.com, computed from this machine's /proc", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ resources: metricsResources({ resolutionMs: 200 }) });
  });
  after(() => server.close());

  it("gets this machine's NodeMetrics by its host name", async () => {
    const response = await server.request(`${BASE}/nodes/${nodeNameOf()}`);
    assert.equal(response.status, 200, response.body);
    const node = response.json<NodeMetrics>();
    assert.match(String(node.usage.cpu), /^\d+m$/);
    assert.match(String(node.usage.memory), /^\d+Ki$/);
    assert.ok(node.metadata.resourceVersion, "a resourceVersion like any object");
  });

  it("lists processes with a label selector, and renders the printer columns as a Table", async () => {
    const list = (await server.request(`${BASE}/processes?labelSelector=command%3Dnode`)).json<{
      items: ProcessMetrics[];
    }>();
    assert.ok(list.items.some((p) => p.pid === process.pid && p.metadata.name === `pid-${process.pid}`));
    assert.ok(list.items.every((p) => p.command === "node"));
    const table = (await server.request(`${BASE}/processes/pid-${process.pid}`, { headers: TABLE })).json<{
      columnDefinitions: Array<{ name: string }>;
      rows: Array<{ cells: unknown[] }>;
    }>();
    assert.deepEqual(
      table.columnDefinitions.map((c) => c.name),
      ["Name", "PID", "Command", "CPU", "Memory", "Window", "Age"],
    );
    assert.deepEqual(table.rows[0]?.cells.slice(0, 3), [`pid-${process.pid}`, process.pid, "node"]);
  });

  it("is read-only: writes answer 405 and discovery lists get, list and watch", async () => {
    const created = await server.request(`${BASE}/processes`, {
      method: "POST",
      body: { apiVersion: "metrics.example.com/v1beta1", kind: "ProcessMetrics", metadata: { name: "pid-1" } },
    });
    assert.equal(created.status, 405, created.body);
    assert.equal(created.json().reason, "MethodNotAllowed");
    assert.equal((await server.request(`${BASE}/processes/pid-1`, { method: "DELETE" })).status, 405);
    const discovery = (await server.request(BASE)).json<{ resources: Array<{ name: string; verbs: string[] }> }>();
    for (const resource of discovery.resources)
      assert.deepEqual(resource.verbs, ["get", "list", "watch"], resource.name);
  });

  it("watches: a process that starts is ADDED, one that ends is DELETED", async () => {
    const rest = new RestClient(await restConfigFromKubeconfigFile(server.kubeconfig));
    const events: WireWatchEvent[] = [];
    const watch = new ResourceClient(rest, processMetricsType).watch({ labelSelector: "command=sleep" }, (event) =>
      events.push(event),
    );
    const child = spawn("sleep", ["30"]);
    const name = `pid-${child.pid}`;
    const seen = (type: string) => events.some((e) => e.type === type && e.object.metadata?.name === name);
    try {
      await until(() => seen("ADDED"), `ADDED ${name}`);
      child.kill("SIGKILL");
      await new Promise((resolve) => child.on("close", resolve));
      await until(() => seen("DELETED"), `DELETED ${name}`);
    } finally {
      child.kill("SIGKILL");
      watch.stop();
      rest.close();
    }
  });

  it("reads --metric-resolution from the command line, falling back to 15s", () => {
    assert.equal(metricResolution(["--metric-resolution", "1m30s"]), 90_000);
    assert.equal(metricResolution([]), 15_000);
    assert.equal(metricResolution(["--metric-resolution", "soon"]), 15_000, "runServer reports the bad value");
  });
});
