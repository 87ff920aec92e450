import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createClusterPki } from "../testing/aggregator/pki.js";
import { ClusterClient, ClusterRequestError } from "./cluster-client.js";

describe("the cluster client's retries", () => {
  const pki = createClusterPki();
  let server: Server;
  let url: string;
  // How many of the next connections the cluster breaks before answering.
  let breakNext = 0;
  let answered = 0;

  before(async () => {
    server = createServer({ cert: pki.apiserver.cert, key: pki.apiserver.key }, (req, res) => {
      if (breakNext > 0) {
        breakNext--;
        req.socket.destroy();
        return;
      }
      answered++;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Namespace", metadata: { name: "default" } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const client = (retryDelaysMs?: number[]) => {
    const waits: number[] = [];
    const c = new ClusterClient(
      { server: url, ca: pki.clusterCA.cert },
      {
        ...(retryDelaysMs ? { retryDelaysMs } : {}),
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    );
    return { c, waits };
  };

  it("retries a connection the cluster closed before answering, with Kubernetes' webhook backoff", async () => {
    const { c, waits } = client();
    breakNext = 2;
    answered = 0;
    const { status, body } = await c.request<{ metadata: { name: string } }>("GET", "/api/v1/namespaces/default");
    assert.equal(status, 200);
    assert.equal(body.metadata.name, "default");
    assert.equal(answered, 1);
    assert.deepEqual(waits, [500, 750]);
    c.close();
  });

  it("gives up with a Transport error once the delays are spent", async () => {
    const { c, waits } = client([1, 2]);
    breakNext = 3;
    answered = 0;
    await assert.rejects(c.request("GET", "/api/v1/namespaces/default"), (error: unknown) => {
      assert.ok(error instanceof ClusterRequestError);
      assert.equal(error.code, "Transport");
      assert.match(error.message, /socket hang up|ECONNRESET/);
      return true;
    });
    assert.deepEqual(waits, [1, 2]);
    assert.equal(answered, 0);
    assert.equal(breakNext, 0, "three attempts in all");
    c.close();
  });

  it("does not retry an answer, even an error status, nor a request that timed out", async () => {
    const { c, waits } = client();
    breakNext = 0;
    const { status } = await c.request("GET", "/api/v1/namespaces/default");
    assert.equal(status, 200);
    assert.deepEqual(waits, []);
    c.close();
    const slow = createServer({ cert: pki.apiserver.cert, key: pki.apiserver.key }, () => {});
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const sleeps: number[] = [];
    const timing = new ClusterClient(
      { server: `https://127.0.0.1:${(slow.address() as AddressInfo).port}`, ca: pki.clusterCA.cert },
      { timeoutMs: 100, sleep: async (ms) => void sleeps.push(ms) },
    );
    await assert.rejects(timing.request("GET", "/version"), /no answer within 100 ms/);
    assert.deepEqual(sleeps, []);
    timing.close();
    slow.closeAllConnections();
    slow.close();
  });
});
