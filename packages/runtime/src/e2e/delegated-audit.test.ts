/**
 * The audit log for a known sequence of requests, by a policy: which requests have events,
 * at which level and stages, with what bodies — and no token, Authorization header or
 * certificate material anywhere in it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AuditEvent } from "../audit/auditor.js";
import { type AggregatedServer, startAggregatedServer, TestCluster, tlsRequest } from "../testing/aggregator/index.js";

const FLUNDERS = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
  - level: None
    users: ["system:kube-aggregator"]
  - level: RequestResponse
    verbs: ["create"]
    resources: [{ group: "wardle.example.com", resources: ["flunders"] }]
  - level: Request
    verbs: ["patch", "update"]
    resources: [{ group: "wardle.example.com", resources: ["flunders", "flunders/status"] }]
    omitStages: ["RequestReceived"]
  - level: Metadata
    omitManagedFields: true
`;

describe("audit log", () => {
  let cluster: TestCluster;
  let server: AggregatedServer;
  let dir: string;
  let logPath: string;
  const carol = { cert: "", key: "" };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "delegated-audit-"));
    logPath = join(dir, "audit", "audit.log");
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    cluster = await TestCluster.start({
      availabilityIntervalMs: 0,
      tokens: { "bob-secret-token": { name: "bob", groups: ["devs"] } },
      authorize: (spec) => ({ allowed: spec.resourceAttributes?.verb !== "delete", reason: "test policy" }),
    });
    Object.assign(carol, cluster.userCertificate("carol"));
    server = await startAggregatedServer(cluster, {
      args: [`--audit-policy-file=${join(dir, "policy.yaml")}`, `--audit-log-path=${logPath}`],
    });
  });

  after(async () => {
    await server?.stop();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("records a known sequence as the policy says, without secrets", async () => {
    const ca = cluster.pki.servingCA.cert;
    const bob: Array<[string, string]> = [["Authorization", "Bearer bob-secret-token"]];
    const direct = (path: string, options: Parameters<typeof tlsRequest>[1]) =>
      tlsRequest(`${server.url}${path}`, options);

    assert.equal((await direct("/healthz", { ca })).status, 200);
    const created = await direct(FLUNDERS, {
      ca,
      method: "POST",
      headers: bob,
      body: {
        apiVersion: "wardle.example.com/v1alpha1",
        kind: "Flunder",
        metadata: { name: "audited" },
        spec: { reference: "r1" },
      },
    });
    assert.equal(created.status, 201, created.body);
    const listed = await tlsRequest(`${cluster.url}${FLUNDERS}`, { ca: cluster.pki.clusterCA.cert, headers: bob });
    assert.equal(listed.status, 200);
    const patched = await direct(`${FLUNDERS}/audited`, {
      ca,
      method: "PATCH",
      headers: [...bob, ["Content-Type", "application/merge-patch+json"]],
      body: { spec: { reference: "r2" } },
    });
    assert.equal(patched.status, 200, patched.body);
    assert.equal((await direct(FLUNDERS, { ca, headers: [["Authorization", "Bearer not-a-token"]] })).status, 401);
    assert.equal((await direct(`${FLUNDERS}/audited`, { ca, client: carol })).status, 200);
    assert.equal((await direct(`${FLUNDERS}?watch=true&timeoutSeconds=1`, { ca, headers: bob })).status, 200);
    assert.equal((await direct(`${FLUNDERS}/audited`, { ca, method: "DELETE", headers: bob })).status, 403);

    const text = readFileSync(logPath, "utf8");
    const events = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditEvent);
    const summary = events.map((e) => [
      e.verb,
      e.stage,
      e.level,
      e.user.username ?? "",
      e.responseStatus?.code ?? 0,
      e.requestObject !== undefined,
      e.responseObject !== undefined,
    ]);
    assert.deepEqual(summary, [
      ["create", "RequestReceived", "RequestResponse", "bob", 0, false, false],
      ["create", "ResponseComplete", "RequestResponse", "bob", 201, true, true],
      ["list", "RequestReceived", "Metadata", "bob", 0, false, false],
      ["list", "ResponseComplete", "Metadata", "bob", 200, false, false],
      ["patch", "ResponseComplete", "Request", "bob", 200, true, false],
      ["list", "ResponseComplete", "Metadata", "", 401, false, false],
      ["get", "RequestReceived", "Metadata", "carol", 0, false, false],
      ["get", "ResponseComplete", "Metadata", "carol", 200, false, false],
      ["watch", "RequestReceived", "Metadata", "bob", 0, false, false],
      ["watch", "ResponseStarted", "Metadata", "bob", 200, false, false],
      ["watch", "ResponseComplete", "Metadata", "bob", 200, false, false],
      ["delete", "RequestReceived", "Metadata", "bob", 0, false, false],
      ["delete", "ResponseComplete", "Metadata", "bob", 403, false, false],
    ]);

    const [, create, listReceived] = events as [AuditEvent, AuditEvent, AuditEvent];
    assert.equal(create.kind, "Event");
    assert.equal(create.apiVersion, "audit.k8s.io/v1");
    assert.equal(create.requestURI, FLUNDERS);
    assert.deepEqual(create.objectRef, {
      resource: "flunders",
      namespace: "default",
      apiGroup: "wardle.example.com",
      apiVersion: "v1alpha1",
    });
    assert.deepEqual(create.user.groups, ["devs", "system:authenticated"]);
    assert.deepEqual((create.requestObject as { spec: unknown }).spec, { reference: "r1" });
    assert.equal((create.responseObject as { metadata: { name: string } }).metadata.name, "audited");
    assert.equal(created.headers["audit-id"], create.auditID);
    assert.deepEqual(create.annotations, {
      "authorization.k8s.io/decision": "allow",
      "authorization.k8s.io/reason": "test policy",
    });
    assert.match(create.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(create.stageTimestamp >= create.requestReceivedTimestamp);
    assert.equal(listReceived.annotations, undefined, "RequestReceived comes before authorization");
    assert.deepEqual(
      listReceived.sourceIPs?.slice(-1),
      ["127.0.0.1"],
      "the aggregator's X-Forwarded-For, then the peer",
    );
    const patch = events[4] as AuditEvent;
    assert.deepEqual(patch.requestObject, { spec: { reference: "r2" } });
    const refused = events[5] as AuditEvent;
    assert.deepEqual(refused.user, {});
    assert.equal(refused.responseStatus?.message, "Authentication failed, attempted: bearer");
    const denied = events[12] as AuditEvent;
    assert.equal(denied.annotations?.["authorization.k8s.io/decision"], "forbid");
    assert.equal(denied.responseStatus?.reason, "Forbidden");

    // Secrets: no token, no Authorization header, no certificate or key material.
    assert.ok(!text.includes("bob-secret-token"));
    assert.ok(!text.includes("not-a-token"));
    assert.ok(!/authorization":|Bearer /i.test(text.replace(/"authorization\.k8s\.io\/(decision|reason)"/g, "")));
    assert.ok(!/BEGIN (CERTIFICATE|PRIVATE KEY)/.test(text));
    for (const pem of [carol.cert, carol.key, cluster.pki.frontProxyClient.cert]) {
      for (const line of pem.split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----"))) {
        assert.ok(!text.includes(line), "no line of a certificate or key");
      }
    }
  });
});
