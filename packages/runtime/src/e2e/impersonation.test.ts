/**
 * User impersonation with kubectl (`--as`, `--as-group`) against a server run as a user runs
 * it: local mode, its client-certificate authentication and an --authorization-policy-file.
 * The admin (system:masters) may impersonate anyone; "lead" only what the policy grants; the
 * impersonated user is then authorized as itself, and the audit log names both.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../app/run-server.js";
import type { AuditEvent } from "../audit/auditor.js";
import { issueCertificate, loadCA } from "../certs/x509.js";
import { kubeconfigYAML } from "../local/local-mode.js";
import { hasKubectl, Kubectl } from "../testing/clients.js";
import { runLocalServer } from "../testing/test-server.js";

const POLICY = `apiVersion: apiserver-kit.dev/v1alpha1
kind: AuthorizationPolicy
rules:
  - groups: ["system:authenticated"]
    verbs: ["get"]
    nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/openapi/*", "/version"]
  - groups: ["devs"]
    verbs: ["get", "list", "watch"]
    apiGroups: ["wardle.example.com"]
    resources: ["flunders"]
  - users: ["lead"]
    verbs: ["impersonate"]
    apiGroups: [""]
    resources: ["users"]
    resourceNames: ["jane"]
  - users: ["lead"]
    verbs: ["impersonate"]
    apiGroups: [""]
    resources: ["groups"]
    resourceNames: ["devs"]
`;

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: Metadata
    resources: [{ group: "wardle.example.com", resources: ["flunders"] }]
  - level: None
`;

describe("impersonation (kubectl --as)", { skip: !hasKubectl(33) && "kubectl.1.33 is not installed" }, () => {
  let dir = "";
  let running: RunningServer | undefined;
  let admin: Kubectl;
  let lead: Kubectl;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "impersonation-"));
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    writeFileSync(join(dir, "audit.yaml"), AUDIT_POLICY);
    running = await runLocalServer(dir, [
      `--authorization-policy-file=${join(dir, "policy.yaml")}`,
      `--audit-policy-file=${join(dir, "audit.yaml")}`,
      `--audit-log-path=${join(dir, "audit.log")}`,
    ]);
    if (!running) throw new Error("the server did not start");
    const kubeconfig = running.kubeconfig as string;
    admin = new Kubectl(33, kubeconfig);
    const pki = join(dir, "pki");
    const ca = { cert: readFileSync(join(pki, "ca.crt"), "utf8"), key: readFileSync(join(pki, "ca.key"), "utf8") };
    const leadCert = issueCertificate(loadCA(ca), { subject: { commonName: "lead" }, usages: ["clientAuth"] });
    const leadConfig = join(dir, "lead.kubeconfig");
    writeFileSync(
      leadConfig,
      kubeconfigYAML({ server: `https://127.0.0.1:${running.port}`, caPem: ca.cert, client: leadCert }),
    );
    lead = new Kubectl(33, leadConfig);
    await admin.ok(["create", "-f", "-"], {
      input: "apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata:\n  name: one\nspec:\n  reference: r\n",
    });
  });

  after(async () => {
    admin?.dispose();
    lead?.dispose();
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets system:masters act as any user, who is then authorized as itself", async () => {
    assert.match(await admin.ok(["get", "flunders", "--as=jane", "--as-group=devs"]), /^one\s/m);
    const refused = await admin.run(["delete", "flunder", "one", "--as=jane", "--as-group=devs"]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /flunders\.wardle\.example\.com "one" is forbidden: User "jane" cannot delete resource "flunders" in API group "wardle\.example\.com" in the namespace "default"/,
    );
    // Without --as-group, jane is only in system:authenticated, which the policy does not name.
    const alone = await admin.run(["get", "flunders", "--as=jane"]);
    assert.match(alone.stderr, /User "jane" cannot list resource "flunders"/);
  });

  it("lets another user impersonate only what the policy grants, refusing the rest with Kubernetes' 403", async () => {
    assert.match(await lead.ok(["get", "flunders", "--as=jane", "--as-group=devs"]), /^one\s/m);
    const lead403 = await lead.run(["get", "flunders"]);
    assert.match(lead403.stderr, /User "lead" cannot list resource "flunders"/, "lead itself may not list");
    const otherUser = await lead.run(["get", "flunders", "--as=bob", "--as-group=devs"]);
    assert.notEqual(otherUser.code, 0);
    assert.match(
      otherUser.stderr,
      /users "bob" is forbidden: User "lead" cannot impersonate resource "users" in API group "" at the cluster scope/,
    );
    const otherGroup = await lead.run(["get", "flunders", "--as=jane", "--as-group=ops"]);
    assert.match(
      otherGroup.stderr,
      /groups "ops" is forbidden: User "lead" cannot impersonate resource "groups" in API group "" at the cluster scope/,
    );
    const serviceAccount = await lead.run(["get", "flunders", "--as=system:serviceaccount:default:builder"]);
    assert.match(
      serviceAccount.stderr,
      /serviceaccounts "builder" is forbidden: User "lead" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"/,
    );
  });

  it("audits who authenticated as user and whom the request acted as as impersonatedUser", async () => {
    await lead.ok(["get", "flunder", "one", "--as=jane", "--as-group=devs"]);
    const events = readFileSync(join(dir, "audit.log"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditEvent);
    const get = events.find(
      (e) =>
        e.verb === "get" && e.objectRef?.name === "one" && e.stage === "ResponseComplete" && e.user.username === "lead",
    );
    assert.ok(get, "the impersonated get was audited");
    assert.deepEqual(get.impersonatedUser, { username: "jane", groups: ["devs", "system:authenticated"] });
    assert.equal(get.responseStatus?.code, 200);
  });
});
