import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { FakeClock } from "@apiserver-kit/storage/testing";
import { RestClient } from "../client/rest-client.js";
import { jsonLogger } from "../log/logger.js";
import { startServer } from "../testing/api-server.js";
import { ClusterEventRecorder } from "./events.js";

const object = {
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name: "x", namespace: "default", uid: "u-1", resourceVersion: "7" },
};

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: jsonLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line)) }) };
}

describe("ClusterEventRecorder", () => {
  it("logs events when the server has no core/v1 Event kind (an extension API server alone)", async () => {
    const server = await startServer();
    const rest = new RestClient(await server.restConfig());
    const { lines, logger } = capture();
    const recorder = new ClusterEventRecorder({ component: "flunder-controller", rest, logger });
    try {
      assert.equal(await recorder.eventsServed(), false);
      recorder.event(object, "Warning", "InvalidReference", "y does not exist");
      recorder.event(object, "Normal", "Reconciled", "all good");
      await recorder.flush();
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg, (l.event as { reason: string }).reason, (l.object as { uid: string }).uid]),
        [
          ["warn", "event: InvalidReference", "InvalidReference", "u-1"],
          ["info", "event: Reconciled", "Reconciled", "u-1"],
        ],
      );
    } finally {
      rest.close();
      await server.dispose();
    }
  });

  it("writes core/v1 Events where the server serves them", async () => {
    const posted: Array<{ url: string; body: Record<string, unknown> }> = [];
    const api = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method === "GET" && req.url === "/api/v1") {
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ kind: "APIResourceList", groupVersion: "v1", resources: [{ name: "events" }] }));
          return;
        }
        posted.push({ url: req.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(201, { "Content-Type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    const rest = new RestClient({ server: `http://127.0.0.1:${(api.address() as AddressInfo).port}` });
    const clock = new FakeClock(Date.UTC(2025, 5, 1, 8, 30, 0, 250));
    const { lines, logger } = capture();
    const recorder = new ClusterEventRecorder({
      component: "flunder-controller",
      rest,
      logger,
      clock,
      instance: "pod-1",
    });
    try {
      recorder.event(object, "Normal", "Created", "made a part");
      await recorder.flush();
      assert.equal(lines.length, 0, "nothing logged when the write succeeds");
      assert.equal(posted.length, 1);
      const [{ url, body } = { url: "", body: {} }] = posted;
      assert.equal(url, "/api/v1/namespaces/default/events");
      assert.match(String((body.metadata as { name: string }).name), /^x\.[0-9a-f]+$/);
      assert.deepEqual(
        { ...body, metadata: undefined },
        {
          apiVersion: "v1",
          kind: "Event",
          metadata: undefined,
          involvedObject: {
            apiVersion: "wardle.example.com/v1alpha1",
            kind: "Flunder",
            namespace: "default",
            name: "x",
            uid: "u-1",
            resourceVersion: "7",
          },
          reason: "Created",
          message: "made a part",
          type: "Normal",
          source: { component: "flunder-controller" },
          firstTimestamp: "2025-06-01T08:30:00Z",
          lastTimestamp: "2025-06-01T08:30:00Z",
          count: 1,
          reportingComponent: "flunder-controller",
          reportingInstance: "pod-1",
        },
      );
    } finally {
      rest.close();
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    }
  });
});
