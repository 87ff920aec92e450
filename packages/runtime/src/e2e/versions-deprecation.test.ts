/**
 * Deprecated versions (`deprecated` / `deprecationWarning` on a version, the codegen's
 * `+kubebuilder:deprecatedversion`): every request to such a version carries a Warning header
 * as apiextensions-apiserver sends it — the version's own text, or "<group>/<version> <Kind> is
 * deprecated; use <group>/<newer> <Kind>" — whatever the verb or outcome, before the request's
 * own warnings; requests to the other versions carry none. kubectl 1.33 prints it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Auditor } from "../audit/auditor.js";
import type { ResourceDefinition, VersionDefinition } from "../model/resource.js";
import { hasKubectl, Kubectl } from "../testing/clients.js";
import { openWatch, ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const GROUP = "deprecation.example.com";

const version = (name: string, extra: Partial<VersionDefinition> = {}): VersionDefinition => ({
  name,
  served: true,
  storage: false,
  schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } },
  // The same fields in every version: the objects convert as they are.
  conversion: { toHub: (object) => object, fromHub: (object) => object },
  ...extra,
});

const gadgets: ResourceDefinition = {
  group: GROUP,
  names: { kind: "Gadget", plural: "gadgets", singular: "gadget" },
  scope: "Namespaced",
  versions: [
    version("v1alpha1", { deprecated: true }),
    version("v1beta1", { deprecated: true, deprecationWarning: "v1beta1 gadgets go away in 2027; move to v1" }),
    { ...version("v1", { storage: true }), conversion: undefined },
  ],
};

const gadget = (apiVersion: string, name: string, spec: Record<string, unknown> = { size: 1 }) => ({
  apiVersion: `${GROUP}/${apiVersion}`,
  kind: "Gadget",
  metadata: { name },
  spec,
});

const DEFAULT_WARNING = `299 - "${GROUP}/v1alpha1 Gadget is deprecated; use ${GROUP}/v1 Gadget"`;
const OWN_WARNING = '299 - "v1beta1 gadgets go away in 2027; move to v1"';

describe("deprecated versions", () => {
  let server: TestServer;
  const audited: Array<{ stage: string; requestURI: string; annotations?: Record<string, string> }> = [];
  const client = (v: string) => new ResourceClient(server, `/apis/${GROUP}/${v}/namespaces/default/gadgets`);
  before(async () => {
    const audit = new Auditor({
      policy: { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "Metadata" }] },
      backend: { write: (line) => audited.push(JSON.parse(line)), close: () => {} },
    });
    server = await startTestServer({ resources: [gadgets], server: { audit } });
  });
  after(async () => {
    await server.close();
  });

  it("warns on every verb of a deprecated version, with the default text naming the version to use", async () => {
    const alpha = client("v1alpha1");
    const created = await alpha.create(gadget("v1alpha1", "a"));
    assert.equal(created.status, 201, created.body);
    assert.equal(created.headers.warning, DEFAULT_WARNING);
    for (const response of [
      await alpha.get("a"),
      await alpha.list(),
      await alpha.patch("a", "merge", { spec: { size: 2 } }),
      await alpha.get("missing"),
      await alpha.delete("a"),
    ]) {
      assert.equal(response.headers.warning, DEFAULT_WARNING, `${response.status} ${response.body}`);
    }
  });

  it("uses the version's own text, on a watch too", async () => {
    const list = await client("v1beta1").list();
    assert.equal(list.headers.warning, OWN_WARNING);
    const watch = await openWatch(server, `/apis/${GROUP}/v1beta1/namespaces/default/gadgets?watch=true`);
    try {
      assert.equal(watch.status, 200);
      assert.equal(watch.headers.warning, OWN_WARNING);
    } finally {
      watch.close();
    }
  });

  it("puts the request's own warnings after the deprecation's", async () => {
    const created = await client("v1alpha1").create(gadget("v1alpha1", "b", { size: 1, bogus: true }));
    assert.equal(created.status, 201, created.body);
    assert.equal(created.headers.warning, `${DEFAULT_WARNING}, 299 - "unknown field \\"spec.bogus\\""`);
  });

  it("annotates the audit event and sets kube-apiserver's gauge, for the deprecated versions only", async () => {
    await client("v1alpha1").get("a");
    await client("v1").list();
    const completed = (uri: string) =>
      audited.find((e) => e.stage === "ResponseComplete" && e.requestURI === uri)?.annotations ?? {};
    assert.equal(completed(`/apis/${GROUP}/v1alpha1/namespaces/default/gadgets/a`)["k8s.io/deprecated"], "true");
    assert.equal(completed(`/apis/${GROUP}/v1/namespaces/default/gadgets`)["k8s.io/deprecated"], undefined);
    const metrics = (await server.request("/metrics")).body;
    const gauge = (v: string) =>
      `apiserver_requested_deprecated_apis{group="${GROUP}",version="${v}",resource="gadgets",subresource="",removed_release=""} 1`;
    assert.ok(
      metrics.includes(gauge("v1alpha1")),
      metrics
        .split("\n")
        .filter((l) => l.includes("deprecated"))
        .join("\n"),
    );
    assert.ok(metrics.includes(gauge("v1beta1")));
    assert.ok(!metrics.includes(gauge("v1")));
  });

  it("does not warn on the versions that are not deprecated", async () => {
    const v1 = client("v1");
    const created = await v1.create(gadget("v1", "c"));
    assert.equal(created.status, 201, created.body);
    assert.equal(created.headers.warning, undefined);
    assert.equal((await v1.list()).headers.warning, undefined);
  });
});

describe("kubectl 1.33: deprecated versions", { skip: !hasKubectl(33) && "kubectl.1.33 is not installed" }, () => {
  let server: TestServer;
  let k: Kubectl;
  before(async () => {
    server = await startTestServer({ resources: [gadgets] });
    k = new Kubectl(33, server.kubeconfig);
  });
  after(async () => {
    k.dispose();
    await server.close();
  });

  it("prints the warning of a deprecated version, and none for the preferred one", async () => {
    const created = await k.run(["create", "-f", "-"], { input: JSON.stringify(gadget("v1alpha1", "k")) });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, new RegExp(`Warning: ${GROUP}/v1alpha1 Gadget is deprecated; use ${GROUP}/v1 Gadget`));
    const preferred = await k.run(["get", "gadgets", "k"]);
    assert.equal(preferred.code, 0, preferred.stderr);
    assert.doesNotMatch(preferred.stderr, /Warning/);
    const old = await k.run(["get", `gadgets.v1beta1.${GROUP}`, "k"]);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stderr, /Warning: v1beta1 gadgets go away in 2027; move to v1/);
  });
});
