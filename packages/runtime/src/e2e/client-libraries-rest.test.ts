/**
 * The REST scenarios of issue 3 through the client libraries: selectors, pagination,
 * patches, the status subresource, dry run, finalizers, and the errors (409, 422) as
 * each library surfaces them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { startTestServer, type TestServer } from "../testing/test-server.js";
import { describePython } from "./python-suite.js";

const group = "wardle.example.com";
const version = "v1alpha1";

const pythonScript = `
import json, sys
from kubernetes import config, dynamic
from kubernetes.dynamic.exceptions import ConflictError, UnprocessibleEntityError
client = dynamic.DynamicClient(config.new_client_from_config(config_file=sys.argv[1]), cache_file=sys.argv[2])
fl = client.resources.get(api_version="${group}/${version}", kind="Flunder")
out = {}
def body(name, labels, color):
    return {"apiVersion": "${group}/${version}", "kind": "Flunder", "metadata": {"name": name, "labels": labels},
            "spec": {"reference": "r", "color": color}}
for i in range(5):
    fl.create(namespace="py", body=body("p%d" % i, {"parity": "odd" if i % 2 else "even"}, "red" if i < 2 else "blue"))
out["labels"] = sorted(i.metadata.name for i in fl.get(namespace="py", label_selector="parity=odd").items)
out["fields"] = sorted(i.metadata.name for i in fl.get(namespace="py", field_selector="spec.color=red").items)
page = fl.get(namespace="py", limit=2)
names = [i.metadata.name for i in page.items]
pages = 1
while page.metadata["continue"]:
    page = fl.get(namespace="py", limit=2, _continue=page.metadata["continue"])
    names += [i.metadata.name for i in page.items]
    pages += 1
out["paged"] = names
out["pages"] = pages
fl.patch(namespace="py", name="p0", body=[{"op": "replace", "path": "/spec/reference", "value": "json"}],
         content_type="application/json-patch+json")
fl.patch(namespace="py", name="p0", body={"metadata": {"labels": {"merged": "yes"}}}, content_type="application/merge-patch+json")
p0 = fl.get(namespace="py", name="p0")
out["patched"] = [p0.spec.reference, p0.metadata.labels["merged"]]
fl.status.patch(namespace="py", name="p0", body={"status": {"phase": "Running"}}, content_type="application/merge-patch+json")
out["status"] = fl.get(namespace="py", name="p0").status.phase
dry = fl.create(namespace="py", body=body("dry", {}, "red"), dry_run="All")
out["dry"] = [dry.metadata.name, len(fl.get(namespace="py", field_selector="metadata.name=dry").items)]
stale = p0.to_dict()
fl.patch(namespace="py", name="p0", body={"spec": {"replicas": 3}}, content_type="application/merge-patch+json")
try:
    fl.replace(namespace="py", body=stale)
    out["conflict"] = None
except ConflictError as e:
    out["conflict"] = json.loads(e.body)["reason"]
try:
    fl.create(namespace="py", body={"apiVersion": "${group}/${version}", "kind": "Flunder", "metadata": {"name": "bad"},
                                    "spec": {"replicas": -1}})
    out["invalid"] = None
except UnprocessibleEntityError as e:
    out["invalid"] = [c["field"] for c in json.loads(e.body)["details"]["causes"]]
fl.patch(namespace="py", name="p1", body={"metadata": {"finalizers": ["example.com/hold"]}}, content_type="application/merge-patch+json")
held = fl.delete(namespace="py", name="p1")
out["held"] = held.metadata.deletionTimestamp is not None
fl.patch(namespace="py", name="p1", body={"metadata": {"finalizers": None}}, content_type="application/merge-patch+json")
out["gone"] = len(fl.get(namespace="py", field_selector="metadata.name=p1").items)
print(json.dumps(out))
`;

describePython("python DynamicClient: REST scenarios", (test) => {
  test("selects, pages, patches, writes status, dry-runs, and surfaces 409 and 422", async (python) => {
    // biome-ignore lint/suspicious/noExplicitAny: the script's JSON
    const out = await python<any>(pythonScript);
    assert.deepEqual(out.labels, ["p1", "p3"]);
    assert.deepEqual(out.fields, ["p0", "p1"]);
    assert.deepEqual(out.paged, ["p0", "p1", "p2", "p3", "p4"]);
    assert.equal(out.pages, 3, "five objects in pages of two");
    assert.deepEqual(out.patched, ["json", "yes"]);
    assert.equal(out.status, "Running");
    assert.deepEqual(out.dry, ["dry", 0]);
    assert.equal(out.conflict, "Conflict");
    // The schema's minimum, then the scale subresource's own check (ValidateScaleSpec, its path as declared).
    assert.deepEqual(out.invalid, ["spec.replicas", ".spec.replicas"]);
    assert.equal(out.held, true);
    assert.equal(out.gone, 0);
  });
});

// CustomObjectsApi sends every patch as a merge patch, whatever its body: a list (meant as a JSON
// patch) and a string reach the server as merge patches that kube-apiserver refuses as shown.
const pythonCustomObjectsPatchScript = `
import json, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
api = client.CustomObjectsApi(config.new_client_from_config(config_file=sys.argv[1]))
g, v, ns, plural = "${group}", "${version}", "py-merge", "flunders"
api.create_namespaced_custom_object(g, v, ns, plural, {"apiVersion": "${group}/${version}", "kind": "Flunder",
    "metadata": {"name": "m"}, "spec": {"reference": "r"}})
out = {}
for name, body in [("list", [{"op": "replace", "path": "/spec/reference", "value": "x"}]), ("string", "{}"),
                   ("no_kind", {"kind": None})]:
    try:
        api.patch_namespaced_custom_object(g, v, ns, plural, "m", body)
        out[name] = None
    except ApiException as e:
        status = json.loads(e.body)
        out[name] = [e.status, status["reason"], status["message"], status.get("details")]
out["unchanged"] = api.get_namespaced_custom_object(g, v, ns, plural, "m")["spec"]["reference"]
print(json.dumps(out))
`;

describePython("python CustomObjectsApi: patches it sends as merge patches", (test) => {
  test("refuses a list body as kube-apiserver does (422 on patch) and a string body (400 Invalid JSON Patch)", async (python) => {
    // biome-ignore lint/suspicious/noExplicitAny: the script's JSON
    const out = await python<any>(pythonCustomObjectsPatchScript);
    // The merge patch of an array is that array, which does not decode as an object.
    const patched = '[{"op":"replace","path":"/spec/reference","value":"x"}]';
    const decodeError =
      "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type " +
      'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
    const body = `Invalid value: ${JSON.stringify(patched)}: ${decodeError}`;
    assert.deepEqual(out.list, [
      422,
      "Invalid",
      ` "" is invalid: patch: ${body}`,
      { causes: [{ reason: "FieldValueInvalid", message: body, field: "patch" }] },
    ]);
    assert.deepEqual(out.string, [400, "BadRequest", "Invalid JSON Patch", null]);
    // Decoded, an object without a kind is refused the same way.
    assert.deepEqual(out.no_kind.slice(0, 2), [422, "Invalid"]);
    assert.match(
      out.no_kind[2],
      /^ "" is invalid: patch: Invalid value: "\{.*": Object 'Kind' is missing in '\{"apiVersion":/,
    );
    assert.equal(out.no_kind[3].causes[0].field, "patch");
    assert.equal(out.unchanged, "r");
  });
});

describe("@kubernetes/client-node: REST scenarios", () => {
  let server: TestServer;
  let api: k8s.CustomObjectsApi;
  const namespace = "node";
  const plural = "flunders";
  const body = (name: string, labels: Record<string, string>, color: string) => ({
    apiVersion: `${group}/${version}`,
    kind: "Flunder",
    metadata: { name, labels },
    spec: { reference: "r", color },
  });
  before(async () => {
    server = await startTestServer();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    api = kc.makeApiClient(k8s.CustomObjectsApi);
    for (let i = 0; i < 5; i++) {
      await api.createNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        body: body(`n${i}`, { parity: i % 2 ? "odd" : "even" }, i < 2 ? "red" : "blue"),
      });
    }
  });
  after(async () => {
    await server.close();
  });
  const names = (list: { items: Array<{ metadata: { name: string } }> }) =>
    list.items.map((i) => i.metadata.name).sort();

  it("selects by labels and fields, and pages with limit and continue", async () => {
    assert.deepEqual(
      names(await api.listNamespacedCustomObject({ group, version, namespace, plural, labelSelector: "parity=odd" })),
      ["n1", "n3"],
    );
    assert.deepEqual(
      names(
        await api.listNamespacedCustomObject({ group, version, namespace, plural, fieldSelector: "spec.color=red" }),
      ),
      ["n0", "n1"],
    );
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      pages++;
      const page = await api.listNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        limit: 2,
        ...(token ? { _continue: token } : {}),
      });
      seen.push(...page.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      token = page.metadata.continue;
    } while (token);
    assert.deepEqual(seen, ["n0", "n1", "n2", "n3", "n4"]);
    assert.equal(pages, 3, "five objects in pages of two");
  });

  it("patches (its default JSON patch, and merge) and writes status", async () => {
    await api.patchNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name: "n0",
      body: [{ op: "replace", path: "/spec/reference", value: "json" }],
    });
    await api.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: "n0", body: { metadata: { labels: { merged: "yes" } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await api.patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural, name: "n0", body: { status: { phase: "Ready" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    const n0 = await api.getNamespacedCustomObject({ group, version, namespace, plural, name: "n0" });
    assert.equal(n0.spec.reference, "json");
    assert.equal(n0.metadata.labels.merged, "yes");
    assert.equal(n0.status.phase, "Ready");
  });

  it("dry-runs a create and surfaces 409 and 422 as errors with the Status", async () => {
    await api.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: body("dry", {}, "red"),
      dryRun: "All",
    });
    await assert.rejects(
      api.getNamespacedCustomObject({ group, version, namespace, plural, name: "dry" }),
      (e: { code?: number }) => e.code === 404,
    );
    await assert.rejects(
      api.createNamespacedCustomObject({ group, version, namespace, plural, body: body("n0", {}, "red") }),
      (e: { code?: number; body?: string }) => e.code === 409 && JSON.parse(String(e.body)).reason === "AlreadyExists",
    );
    await assert.rejects(
      api.createNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        body: { ...body("bad", {}, "red"), spec: { replicas: -1 } },
      }),
      (e: { code?: number; body?: string }) =>
        e.code === 422 && JSON.parse(String(e.body)).details.causes[0].field === "spec.replicas",
    );
    const stale = await api.getNamespacedCustomObject({ group, version, namespace, plural, name: "n2" });
    await api.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: "n2", body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await assert.rejects(
      api.replaceNamespacedCustomObject({ group, version, namespace, plural, name: "n2", body: stale }),
      (e: { code?: number; body?: string }) => e.code === 409 && JSON.parse(String(e.body)).reason === "Conflict",
    );
  });

  it("holds a delete while a finalizer remains", async () => {
    const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    await api.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: "n3", body: { metadata: { finalizers: ["example.com/hold"] } } },
      merge,
    );
    const held = await api.deleteNamespacedCustomObject({ group, version, namespace, plural, name: "n3" });
    assert.match(String(held.metadata?.deletionTimestamp), /Z$/, "the delete answers the object, marked");
    const still = await api.getNamespacedCustomObject({ group, version, namespace, plural, name: "n3" });
    assert.deepEqual(still.metadata.finalizers, ["example.com/hold"]);
    await api.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: "n3", body: { metadata: { finalizers: null } } },
      merge,
    );
    await assert.rejects(
      api.getNamespacedCustomObject({ group, version, namespace, plural, name: "n3" }),
      (e: { code?: number }) => e.code === 404,
    );
  });
});
