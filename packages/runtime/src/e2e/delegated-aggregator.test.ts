/**
 * Behind the test aggregator (kube-aggregator's behaviour, see
 * docs/reference/test-aggregator.md): kubectl reaches the server through the aggregator's
 * proxy, authenticated by the aggregator and forwarded with its front-proxy certificate;
 * SubjectAccessReview decides and is cached; bearer tokens are reviewed when a client comes
 * directly; the availability probe and the v2 discovery fetch answer in time under write
 * load; NamespaceLifecycle refuses as Kubernetes does; an unavailable APIService shows its
 * reason and its requests get 503.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../api/meta.js";
import {
  type AggregatedServer,
  APISERVICES,
  type APIService,
  startAggregatedServer,
  TestCluster,
  tlsRequest,
} from "../testing/aggregator/index.js";
import { hasKubectl, Kubectl } from "../testing/clients.js";

const MINOR = 33;
const FLUNDERS = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
const flunder = (name: string, namespace = "default") => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name, namespace },
  spec: { reference: "x" },
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("behind the test aggregator", { skip: !hasKubectl(MINOR) && `kubectl.1.${MINOR} is not installed` }, () => {
  let cluster: TestCluster;
  let server: AggregatedServer;
  let dir: string;
  let bob: Kubectl;
  let admin: Kubectl;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "delegated-aggregator-"));
    cluster = await TestCluster.start({
      tokens: { "bob-token": { name: "bob", groups: ["devs"], uid: "u-bob" } },
      namespaces: [{ name: "doomed", phase: "Terminating" }],
      availabilityIntervalMs: 0,
      // The cluster's RBAC stand-in: bob may do anything but delete.
      authorize: (spec) =>
        spec.user === "bob" && spec.resourceAttributes?.verb === "delete"
          ? { allowed: false }
          : { allowed: true, reason: "allowed by the test cluster" },
    });
    server = await startAggregatedServer(cluster);
    bob = new Kubectl(MINOR, cluster.writeKubeconfig(join(dir, "bob"), { token: "bob-token" }));
    admin = new Kubectl(
      MINOR,
      cluster.writeKubeconfig(join(dir, "admin"), {
        certificate: cluster.userCertificate("kubernetes-admin", ["system:masters"]),
      }),
    );
  });

  after(async () => {
    bob?.dispose();
    admin?.dispose();
    await server?.stop();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("registers: the availability check passes and the APIService is Available", () => {
    const condition = server.apiService.status?.conditions?.[0];
    assert.deepEqual(
      { type: condition?.type, status: condition?.status, reason: condition?.reason, message: condition?.message },
      { type: "Available", status: "True", reason: "Passed", message: "all checks passed" },
    );
  });

  it("serves kubectl through the aggregator as the user it authenticated, asking SubjectAccessReview once per decision", async () => {
    await bob.ok(["create", "-f", "-"], { input: JSON.stringify(flunder("through-proxy")) });
    const before = cluster.accessReviews.length;
    const first = await bob.ok(["get", "flunders"]);
    const second = await bob.ok(["get", "flunders", "-o", "name"]);
    assert.match(first, /^through-proxy\s/m);
    assert.equal(second.trim(), "flunder.wardle.example.com/through-proxy");
    const lists = cluster.accessReviews
      .slice(before)
      .filter((r) => r.spec.resourceAttributes?.verb === "list" && r.spec.resourceAttributes.resource === "flunders");
    assert.equal(lists.length, 1, "the second list was decided from the cache");
    const review = lists[0]?.spec;
    assert.equal(review?.user, "bob", "the user the aggregator forwarded, not the proxy's certificate");
    assert.deepEqual(review?.groups, ["devs", "system:authenticated"]);
    assert.equal(lists[0]?.requester, "system:serviceaccount:wardle:apiserver");
    assert.equal(cluster.tokenReviews.length, 0, "the aggregator authenticated bob; the server reviewed no token");
  });

  it("serves /openapi/v2 as gnostic protobuf to kubectl 1.27 and 1.28, whose apply asks for nothing else", async (t) => {
    // client-go's OpenAPISchema (kubectl apply up to 1.28) sends only the protobuf Accept and
    // unmarshals the body as protobuf: a JSON answer fails with "proto: cannot parse invalid wire-format data".
    const oldest = [27, 28].find((minor) => hasKubectl(minor));
    if (!oldest) return t.skip("neither kubectl.1.27 nor kubectl.1.28 is installed");
    const old = new Kubectl(oldest, admin.kubeconfig);
    try {
      const applied = await old.run(["apply", "-f", "-"], { input: JSON.stringify(flunder("applied-by-old-kubectl")) });
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(applied.stdout.trim(), "flunder.wardle.example.com/applied-by-old-kubectl created");
      await old.ok(["delete", "flunder", "applied-by-old-kubectl"]);
    } finally {
      old.dispose();
    }
    const client = cluster.userCertificate("kubernetes-admin", ["system:masters"]);
    const asAdmin = (accept: string) =>
      tlsRequest(`${cluster.url}/openapi/v2`, {
        ca: cluster.pki.clusterCA.cert,
        client,
        headers: [["Accept", accept]],
      });
    const json = await asAdmin("application/json");
    assert.equal(json.status, 200);
    assert.equal(json.headers["content-type"], "application/json");
    const proto = await asAdmin("application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
    assert.equal(proto.status, 200);
    assert.equal(proto.headers["content-type"], "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    const refused = await asAdmin("text/plain");
    assert.equal(refused.status, 406, refused.body);
  });

  it("shows Kubernetes' 403 when SubjectAccessReview denies a verb, and caches the denial", async () => {
    const refused = await bob.run(["delete", "flunder", "through-proxy"]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      'Error from server (Forbidden): flunders.wardle.example.com "through-proxy" is forbidden: User "bob" cannot delete resource "flunders" in API group "wardle.example.com" in the namespace "default"',
    );
    const asked = () =>
      cluster.accessReviews.filter((r) => r.spec.user === "bob" && r.spec.resourceAttributes?.verb === "delete").length;
    const once = asked();
    await bob.run(["delete", "flunder", "through-proxy"]);
    assert.equal(asked(), once, "the denial came from the cache");
    await admin.ok(["delete", "flunder", "through-proxy"]);
  });

  it("reviews a bearer token sent directly (cached), and refuses an unknown one with 401", async () => {
    const ca = cluster.pki.servingCA.cert;
    const asBob = () =>
      tlsRequest(`${server.url}${FLUNDERS}`, { ca, headers: [["Authorization", "Bearer bob-token"]] });
    const reviews = cluster.tokenReviews.length;
    const ok = await asBob();
    assert.equal(ok.status, 200, ok.body);
    assert.equal((await asBob()).status, 200);
    const bobHash = createHash("sha256").update("bob-token").digest("hex");
    const bobReviews = cluster.tokenReviews.slice(reviews).filter((r) => r.tokenHash === bobHash);
    assert.equal(bobReviews.length, 1, "the second request used the cached review");
    assert.equal(bobReviews[0]?.authenticated, true);
    // Behind a cluster the core group is kube-apiserver's: the server itself has no /api.
    const core = await tlsRequest(`${server.url}/api`, { ca, headers: [["Authorization", "Bearer bob-token"]] });
    assert.equal(core.status, 404, core.body);
    const unknown = await tlsRequest(`${server.url}${FLUNDERS}`, { ca, headers: [["Authorization", "Bearer nobody"]] });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.json(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
  });

  it("passes the availability probe and the v2 discovery fetch within the aggregator's 5 s under write load", async (t) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    let stop = false;
    let written = 0;
    const failures: string[] = [];
    const writer = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const body = JSON.stringify(flunder(`load-${worker}-${i}`));
        const [status, answer] = await new Promise<[number, string]>((resolve) => {
          const req = request(
            `${cluster.url}${FLUNDERS}`,
            {
              method: "POST",
              agent,
              ca: cluster.pki.clusterCA.cert,
              headers: { Authorization: "Bearer bob-token", "Content-Type": "application/json" },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (chunk: Buffer) => chunks.push(chunk));
              res.on("end", () => resolve([res.statusCode ?? 0, Buffer.concat(chunks).toString()]));
            },
          );
          req.on("error", (error) => {
            failures.push(error.message);
            resolve([0, ""]);
          });
          req.end(body);
        });
        if (status === 201) written++;
        else if (status !== 429) failures.push(`status ${status}: ${answer.slice(0, 300)}`);
      }
    };
    const writers = Array.from({ length: 8 }, (_, i) => writer(i));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const probes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const condition = await cluster.aggregator.checkAvailability(server.apiServiceName);
        probes.push(performance.now() - started);
        assert.equal(condition.status, "True", condition.message);
      }
      const fetched = await cluster.aggregator.fetchDiscovery(server.apiServiceName);
      assert.equal(fetched.outcome, "Fetched", fetched.error);
      assert.match(fetched.etag ?? "", /^".+"$/);
      const items = (fetched.document?.items as Array<{ metadata: { name: string } }>) ?? [];
      assert.deepEqual(
        items.map((i) => i.metadata.name),
        ["wardle.example.com"],
      );
      const again = await cluster.aggregator.fetchDiscovery(server.apiServiceName);
      assert.equal(again.outcome, "NotModified", "the stored ETag matched: 304");
      t.diagnostic(
        `under load (${written} creates so far): probes ${probes.map((p) => p.toFixed(0)).join("/")} ms, discovery ${fetched.durationMs.toFixed(0)} ms then ${again.durationMs.toFixed(0)} ms (304)`,
      );
    } finally {
      stop = true;
      await Promise.all(writers);
      agent.destroy();
    }
    assert.ok(written > 0, "the load did write");
    assert.deepEqual(failures, []);
  });

  it("refuses creates in a missing namespace (404) and in a terminating one (403), as NamespaceLifecycle does", async () => {
    const missing = await bob.run(["create", "-f", "-"], { input: JSON.stringify(flunder("x", "missing")) });
    assert.equal(
      missing.stderr.trim(),
      'Error from server (NotFound): error when creating "STDIN": namespaces "missing" not found',
    );
    const doomed = await bob.run(["create", "-f", "-"], { input: JSON.stringify(flunder("x", "doomed")) });
    assert.equal(
      doomed.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": flunders.wardle.example.com "x" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    const raw = await tlsRequest(`${cluster.url}/apis/wardle.example.com/v1alpha1/namespaces/doomed/flunders`, {
      method: "POST",
      ca: cluster.pki.clusterCA.cert,
      headers: [["Authorization", "Bearer bob-token"]],
      body: flunder("x", "doomed"),
    });
    assert.deepEqual(raw.json<{ details: unknown }>().details, {
      name: "x",
      group: "wardle.example.com",
      kind: "flunders",
      causes: [
        {
          reason: "NamespaceTerminating",
          message: "namespace doomed is being terminated",
          field: "metadata.namespace",
        },
      ],
    });
    cluster.setNamespacePhase("fresh", "Active");
    await bob.ok(["create", "-f", "-"], { input: JSON.stringify(flunder("x", "fresh")) });
  });

  it("marks an APIService whose server doesn't answer FailedDiscoveryCheck; its requests get 503", async () => {
    const port = await closedPort();
    cluster.registerService("broken", "api", port);
    const broken = await cluster.createAPIService({
      group: "broken.example.com",
      version: "v1",
      service: { namespace: "broken", name: "api", port: 443 },
      caBundle: Buffer.from(cluster.pki.servingCA.cert).toString("base64"),
    });
    const condition = broken.status?.conditions?.[0];
    assert.equal(condition?.status, "False");
    assert.equal(condition?.reason, "FailedDiscoveryCheck");
    assert.match(
      condition?.message ?? "",
      new RegExp(
        `^failing or missing response from https://127\\.0\\.0\\.1:${port}/apis/broken\\.example\\.com/v1: Get "https://127\\.0\\.0\\.1:${port}/apis/broken\\.example\\.com/v1": connect ECONNREFUSED`,
      ),
    );
    // What `scaffold doctor --kubeconfig` reads: the APIService in its wire format.
    const shown = JSON.parse(
      await admin.ok(["get", "apiservice", "v1.broken.example.com", "-o", "json"]),
    ) as APIService;
    assert.equal(shown.kind, "APIService");
    assert.equal(shown.apiVersion, "apiregistration.k8s.io/v1");
    assert.deepEqual(shown.status?.conditions?.[0], condition);
    // kubectl get prints the columns kube-apiserver's APIService printer gives.
    const printed = (await admin.ok(["get", "apiservice", "v1.broken.example.com"])).trim().split("\n");
    assert.match(printed[0] ?? "", /^NAME\s+SERVICE\s+AVAILABLE\s+AGE$/);
    assert.match(printed[1] ?? "", /^v1\.broken\.example\.com\s+broken\/api\s+False \(FailedDiscoveryCheck\)\s+\d+s$/);
    const all = await admin.ok(["get", "apiservices"]);
    const ours = all.split("\n").find((line) => line.startsWith(`${server.apiService.metadata?.name} `));
    assert.deepEqual(ours?.split(/\s+/).slice(1, 3), ["wardle/api", "True"], all);
    const raw = await tlsRequest(`${cluster.url}/apis/broken.example.com/v1`, {
      ca: cluster.pki.clusterCA.cert,
      headers: [["Authorization", "Bearer bob-token"]],
    });
    assert.equal(raw.status, 503);
    assert.equal(raw.body, "service unavailable\n");
    const viaKubectl = await bob.run(["get", "--raw", "/apis/broken.example.com/v1"]);
    assert.match(
      viaKubectl.stderr,
      /Error from server \(ServiceUnavailable\): the server is currently unable to handle the request/,
    );

    const missing = await cluster.createAPIService({
      group: "nowhere.example.com",
      version: "v1",
      service: { namespace: "nowhere", name: "api", port: 443 },
    });
    assert.deepEqual(
      [missing.status?.conditions?.[0]?.reason, missing.status?.conditions?.[0]?.message],
      ["ServiceNotFound", 'service/api in "nowhere" is not present'],
    );
  });

  it("lists and watches by field and label selector, so kubectl wait on one APIService waits for that one", async () => {
    // Unavailable APIServices (the test above) sort before the server's own; a list that ignored
    // kubectl wait's fieldSelector=metadata.name=... would report one of those instead.
    const name = server.apiService.metadata?.name ?? "";
    assert.ok((await admin.ok(["get", "apiservices", "-o", "name"])).trim().split("\n").length > 1);
    const waited = await admin.ok(["wait", "--for=condition=Available", `apiservice/${name}`, "--timeout=20s"]);
    assert.equal(waited.trim(), `apiservice.apiregistration.k8s.io/${name} condition met`);
    const selected = await admin.ok(["get", "apiservices", "--field-selector", `metadata.name=${name}`, "-o", "name"]);
    assert.equal(selected.trim(), `apiservice.apiregistration.k8s.io/${name}`);
    const others = await admin.ok(["get", "apiservices", "--field-selector", `metadata.name!=${name}`, "-o", "name"]);
    assert.ok(!others.includes(name) && others.includes("v1.broken.example.com"), others);
    await admin.ok(["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "labelled", labels: { team: "a" } },
      }),
    });
    assert.equal((await admin.ok(["get", "namespaces", "-l", "team=a", "-o", "name"])).trim(), "namespace/labelled");
    // A watch by label: a change that takes an object out of the selection is its DELETED, one
    // that brings an object in its ADDED; changes outside the selection are not sent.
    const asAdmin = {
      ca: cluster.pki.clusterCA.cert,
      client: cluster.userCertificate("kubernetes-admin", ["system:masters"]),
    };
    const list = await tlsRequest(`${cluster.url}/api/v1/namespaces`, asAdmin);
    const from = list.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    const namespace = (name: string, team: string) =>
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { team } } });
    await admin.ok(["replace", "-f", "-"], { input: namespace("labelled", "b") });
    await admin.ok(["create", "-f", "-"], { input: namespace("labelled-too", "a") });
    await admin.ok(["create", "-f", "-"], { input: namespace("elsewhere", "b") });
    const watched = await tlsRequest(
      `${cluster.url}/api/v1/namespaces?watch=true&labelSelector=team%3Da&resourceVersion=${from}&timeoutSeconds=1`,
      asAdmin,
    );
    const events = watched.body
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; object: KubeObject });
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata?.name, e.object.metadata?.labels?.team]),
      [
        ["DELETED", "labelled", "a"],
        ["ADDED", "labelled-too", "a"],
      ],
    );
    const unsupported = await admin.run(["get", "apiservices", "--field-selector", "spec.group=x"]);
    assert.equal(unsupported.code, 1);
    assert.match(unsupported.stderr, /\(BadRequest\).*field label not supported: spec\.group/);
  });

  it("passes the probe but answers 503 when the serving certificate lacks the Service's name", async () => {
    // The same server behind a Service whose DNS name its certificate doesn't carry.
    cluster.registerService("elsewhere", "other", server.running.port);
    const name = server.apiServiceName;
    const original = cluster.apiService(name);
    const moved = {
      ...original,
      spec: { ...original.spec, service: { namespace: "elsewhere", name: "other", port: 443 } },
    };
    cluster.objects.update(APISERVICES, "", name, moved);
    try {
      // The probe skips certificate checks (as kube-aggregator's): it passes.
      assert.equal((await cluster.aggregator.checkAvailability(name)).status, "True");
      const proxied = await tlsRequest(`${cluster.url}${FLUNDERS}`, {
        ca: cluster.pki.clusterCA.cert,
        headers: [["Authorization", "Bearer bob-token"]],
      });
      assert.equal(proxied.status, 503);
      assert.match(proxied.body, /other\.elsewhere\.svc.* is not in the cert's altnames: DNS:api\.wardle\.svc/);
      const viaKubectl = await bob.run(["get", "flunders"]);
      assert.match(viaKubectl.stderr, /ServiceUnavailable|unable to handle the request/);
    } finally {
      cluster.objects.update(APISERVICES, "", name, { ...cluster.apiService(name), spec: original.spec });
      await cluster.aggregator.checkAvailability(name);
    }
    assert.match(await bob.ok(["get", "flunders", "-o", "name"]), /flunder/);
  });
});
