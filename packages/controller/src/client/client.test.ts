import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fischerDefinition } from "@apiserver-kit/runtime/testing";
import { type RestartableServer, startServer } from "../testing/api-server.js";
import { type Flunder, flunder, flunderType } from "../testing/fixtures.js";
import { ApiError, isAlreadyExists, isNotFound, TransportError } from "./errors.js";
import { ResourceClient, type ResourceType } from "./resource-client.js";
import { RestClient } from "./rest-client.js";
import { restConfigFromKubeconfigFile, restConfigInCluster } from "./rest-config.js";

const fischerType: ResourceType = {
  group: fischerDefinition.group,
  version: "v1alpha1",
  kind: "Fischer",
  plural: "fischers",
  namespaced: false,
};

describe("clients", () => {
  let server: RestartableServer;
  let rest: RestClient;
  before(async () => {
    server = await startServer();
    rest = new RestClient(await server.restConfig());
  });
  after(async () => {
    rest.close();
    await server.dispose();
  });

  it("loads a kubeconfig (server, CA, client certificate, namespace) and talks to the server", async () => {
    const config = await server.restConfig();
    assert.equal(config.server, server.url);
    assert.equal(config.namespace, "default");
    assert.ok(config.ca && config.cert && config.key);
    assert.equal(config.authHeaders, undefined, "certificates only: no per-request headers");
    const flunders = new ResourceClient<Flunder>(rest, flunderType);
    const created = await flunders.create({ ...flunder("k"), metadata: { name: "k" } });
    assert.equal(created.metadata?.namespace, "default", "the context's namespace is the default");
  });

  it("speaks every verb for namespaced and cluster-scoped kinds, with typed errors", async () => {
    const flunders = new ResourceClient<Flunder>(rest, flunderType);
    const created = await flunders.create(flunder("v", { replicas: 2 }, "verbs"));
    assert.equal(created.metadata?.generation, 1);
    await assert.rejects(flunders.create(flunder("v", {}, "verbs")), isAlreadyExists);
    const patched = await flunders.patch(
      { namespace: "verbs", name: "v" },
      [{ op: "replace", path: "/spec/replicas", value: 3 }],
      {
        type: "json",
      },
    );
    assert.equal(patched.spec?.replicas, 3);
    const status = await flunders.patch(
      { namespace: "verbs", name: "v" },
      { status: { phase: "Patched" } },
      { subresource: "status" },
    );
    assert.equal(status.status?.phase, "Patched");
    const list = await flunders.list({ namespace: "verbs" });
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0]?.kind, "Flunder");
    await flunders.delete({ namespace: "verbs", name: "v" });
    await assert.rejects(flunders.get({ namespace: "verbs", name: "v" }), (error: unknown) => {
      assert.ok(isNotFound(error));
      assert.equal((error as ApiError).code, 404);
      assert.match((error as ApiError).message, /"v" not found/);
      return true;
    });

    const fischers = new ResourceClient(rest, fischerType);
    assert.equal(fischers.path(undefined, "f"), "/apis/wardle.example.com/v1alpha1/fischers/f");
    await fischers.create({ metadata: { name: "f" }, disallowedFlunders: ["a"] });
    assert.deepEqual((await fischers.get({ name: "f" })).disallowedFlunders, ["a"]);
    const core = new ResourceClient(rest, { group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true });
    assert.equal(core.path("ns", "p", "status"), "/api/v1/namespaces/ns/pods/p/status");
  });

  it("turns a refused connection into a TransportError and a non-Status body into an ApiError", async () => {
    const nowhere = new RestClient({ server: "http://127.0.0.1:1" });
    await assert.rejects(
      nowhere.request({ method: "GET", path: "/apis" }),
      (error: unknown) => error instanceof TransportError && error.reason === "ConnectionRefused",
    );
    nowhere.close();
    const error = ApiError.fromBody(503, "<html>busy</html>");
    assert.equal(error.reason, "ServiceUnavailable");
    assert.equal(error.message, "<html>busy</html>");
  });

  it("builds an in-cluster configuration from the service account files, token as a bearer header", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serviceaccount-"));
    try {
      const pki = join(server.dataDir, "pki");
      writeFileSync(join(dir, "ca.crt"), readFileSync(join(pki, "ca.crt")));
      writeFileSync(join(dir, "token"), "token-1");
      writeFileSync(join(dir, "namespace"), "controllers\n");
      // A loopback HTTPS server with the local serving certificate records what arrives.
      const seen: Array<string | undefined> = [];
      const https = createHttpsServer(
        {
          cert: readFileSync(join(pki, "serving.crt")),
          key: readFileSync(join(pki, "serving.key")),
        },
        (req, res) => {
          seen.push(req.headers.authorization);
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end("{}");
        },
      );
      await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
      const config = await restConfigInCluster({
        host: "127.0.0.1",
        port: (https.address() as AddressInfo).port,
        serviceAccountDir: dir,
      });
      assert.equal(config.namespace, "controllers");
      const client = new RestClient(config);
      await client.request({ method: "GET", path: "/version" });
      client.close();
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
      assert.deepEqual(seen, ["Bearer token-1"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("picks a context other than the current one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
    try {
      const path = join(dir, "config");
      writeFileSync(
        path,
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [
            { name: "one", cluster: { server: "https://one.example:6443", "insecure-skip-tls-verify": true } },
            { name: "two", cluster: { server: "https://two.example:6443/prefix/", "tls-server-name": "api.two" } },
          ],
          users: [{ name: "u", user: { token: "secret" } }],
          contexts: [
            { name: "a", context: { cluster: "one", user: "u", namespace: "ns-a" } },
            { name: "b", context: { cluster: "two", user: "u", namespace: "ns-b" } },
          ],
          "current-context": "a",
        }),
      );
      const a = await restConfigFromKubeconfigFile(path);
      assert.equal(a.server, "https://one.example:6443");
      assert.equal(a.rejectUnauthorized, false);
      const b = await restConfigFromKubeconfigFile(path, { context: "b" });
      assert.equal(b.server, "https://two.example:6443/prefix");
      assert.equal(b.namespace, "ns-b");
      assert.equal(b.servername, "api.two");
      assert.deepEqual(await b.authHeaders?.(), { Authorization: "Bearer secret" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
