/**
 * The python `kubernetes` DynamicClient (Debian's python3-kubernetes) and
 * @kubernetes/client-node drive a server: create, get, list, watch, delete.
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
kubeconfig, cache_file = sys.argv[1], sys.argv[2]
client = dynamic.DynamicClient(config.new_client_from_config(config_file=kubeconfig), cache_file=cache_file)
flunders = client.resources.get(api_version="${group}/${version}", kind="Flunder")
fischers = client.resources.get(api_version="${group}/${version}", kind="Fischer")
out = {}
created = flunders.create(body={"apiVersion": "${group}/${version}", "kind": "Flunder",
    "metadata": {"name": "from-python"}, "spec": {"reference": "py", "replicas": 4}}, namespace="default")
out["created_rv"] = created.metadata.resourceVersion
out["get"] = flunders.get(name="from-python", namespace="default").spec.replicas
out["list"] = [i.metadata.name for i in flunders.get(namespace="default").items]
fischers.create(body={"apiVersion": "${group}/${version}", "kind": "Fischer", "metadata": {"name": "py-fischer"},
    "disallowedFlunders": ["x"]})
out["cluster_list"] = [i.metadata.name for i in fischers.get().items]
flunders.patch(name="from-python", namespace="default", body={"spec": {"replicas": 5}},
    content_type="application/merge-patch+json")
events = []
for event in flunders.watch(namespace="default", resource_version=created.metadata.resourceVersion, timeout=3):
    events.append([event["type"], event["object"].metadata.name])
    if event["type"] == "DELETED":
        break
    if len(events) == 0:
        pass
out["events"] = events
flunders.delete(name="from-python", namespace="default")
fischers.delete(name="py-fischer")
out["after_delete"] = [i.metadata.name for i in flunders.get(namespace="default").items]
print(json.dumps(out))
`;

const strictAndImpersonationScript = `
import json, sys
from kubernetes import config, dynamic
from kubernetes.dynamic.exceptions import DynamicApiError
kubeconfig, cache_file = sys.argv[1], sys.argv[2]
client = dynamic.DynamicClient(config.new_client_from_config(config_file=kubeconfig), cache_file=cache_file)
flunders = client.resources.get(api_version="${group}/${version}", kind="Flunder")
flunders.create(body={"apiVersion": "${group}/${version}", "kind": "Flunder",
    "metadata": {"name": "strict-py"}, "spec": {"reference": "py"}}, namespace="default")
out = {}
try:
    flunders.patch(name="strict-py", namespace="default", body={"spec": {"colour": "blue"}},
        content_type="application/merge-patch+json", query_params=[("fieldValidation", "Strict")])
except DynamicApiError as e:
    status = json.loads(e.body)
    out["strict"] = [e.status, status["reason"], status["details"]["causes"][0]["field"],
        status["message"].split("strict decoding error: ")[-1]]
try:
    flunders.get(name="strict-py", namespace="default", header_params={"Impersonate-User": "jane"})
except DynamicApiError as e:
    out["as_jane"] = [e.status, json.loads(e.body)["message"]]
out["as_jane_in_masters"] = flunders.get(name="strict-py", namespace="default",
    header_params={"Impersonate-User": "jane", "Impersonate-Group": "system:masters"}).metadata.name
print(json.dumps(out))
`;

// A watch that asked for bookmarks gets one shortly before its timeout, at the revision the
// resource has reached (writes elsewhere move it), so the client resumes from there.
const pythonBookmarkScript = `
import json, sys
from kubernetes import client, config, watch
api = client.CustomObjectsApi(config.new_client_from_config(config_file=sys.argv[1]))
g, v, plural = "${group}", "${version}", "flunders"
start = api.list_namespaced_custom_object(g, v, "quiet", plural)["metadata"]["resourceVersion"]
for i in range(3):
    api.create_namespaced_custom_object(g, v, "busy", plural, {"apiVersion": "${group}/${version}", "kind": "Flunder",
        "metadata": {"name": "b%d" % i}, "spec": {"reference": "r"}})
now = api.list_namespaced_custom_object(g, v, "busy", plural)["metadata"]["resourceVersion"]
events = []
for event in watch.Watch().stream(api.list_namespaced_custom_object, g, v, "quiet", plural, resource_version=start,
                                  timeout_seconds=4, allow_watch_bookmarks=True):
    events.append([event["type"], event["raw_object"]["metadata"]["resourceVersion"]])
print(json.dumps({"start": start, "now": now, "events": events}))
`;

describePython("python kubernetes watch: bookmarks", (test) => {
  test("sends a bookmark before the watch times out, at the revision writes in other namespaces reached", async (python) => {
    const out = await python<{ start: string; now: string; events: unknown[] }>(pythonBookmarkScript);
    assert.notEqual(out.start, out.now);
    assert.deepEqual(out.events, [["BOOKMARK", out.now]]);
  });
});

describePython("python kubernetes DynamicClient", (test) => {
  test("creates, gets, lists, watches and deletes", async (python) => {
    // biome-ignore lint/suspicious/noExplicitAny: the script's JSON
    const out = await python<any>(pythonScript);
    assert.match(out.created_rv, /^\d+$/);
    assert.equal(out.get, 4);
    assert.deepEqual(out.list, ["from-python"]);
    assert.deepEqual(out.cluster_list, ["py-fischer"]);
    assert.deepEqual(out.events[0], ["MODIFIED", "from-python"]);
    assert.deepEqual(out.after_delete, []);
  });

  test("gets a strict patch's 422 on field patch, and acts as another user with Impersonate-* headers", async (python) => {
    // biome-ignore lint/suspicious/noExplicitAny: the script's JSON
    const out = await python<any>(strictAndImpersonationScript);
    assert.deepEqual(out.strict, [422, "Invalid", "patch", 'unknown field "spec.colour"']);
    assert.deepEqual(out.as_jane, [
      403,
      'flunders.wardle.example.com "strict-py" is forbidden: User "jane" cannot get resource "flunders" in API group "wardle.example.com" in the namespace "default"',
    ]);
    assert.equal(out.as_jane_in_masters, "strict-py");
  });
});

describe("@kubernetes/client-node", () => {
  let server: TestServer;
  let api: k8s.CustomObjectsApi;
  let kc: k8s.KubeConfig;
  before(async () => {
    server = await startTestServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    api = kc.makeApiClient(k8s.CustomObjectsApi);
  });
  after(async () => {
    await server.close();
  });

  it("creates, gets, lists, watches and deletes", async () => {
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    let sawDelete: () => void = () => {};
    const deleted = new Promise<void>((resolve) => {
      sawDelete = resolve;
    });
    const request = await watch.watch(
      `/apis/${group}/${version}/namespaces/default/flunders`,
      {},
      (type, object: { metadata: { name: string } }) => {
        events.push(`${type} ${object.metadata.name}`);
        if (type === "DELETED") sawDelete();
      },
      () => {},
    );
    try {
      const body = {
        apiVersion: `${group}/${version}`,
        kind: "Flunder",
        metadata: { name: "from-node" },
        spec: { reference: "js" },
      };
      const created = await api.createNamespacedCustomObject({
        group,
        version,
        namespace: "default",
        plural: "flunders",
        body,
      });
      assert.equal(created.metadata.name, "from-node");
      const got = await api.getNamespacedCustomObject({
        group,
        version,
        namespace: "default",
        plural: "flunders",
        name: "from-node",
      });
      assert.equal(got.spec.replicas, 1, "the schema default is applied");
      const list = await api.listNamespacedCustomObject({ group, version, namespace: "default", plural: "flunders" });
      assert.deepEqual(
        list.items.map((i: { metadata: { name: string } }) => i.metadata.name),
        ["from-node"],
      );
      const cluster = await api.createClusterCustomObject({
        group,
        version,
        plural: "fischers",
        body: { apiVersion: `${group}/${version}`, kind: "Fischer", metadata: { name: "node-fischer" } },
      });
      assert.equal(cluster.metadata.name, "node-fischer");
      await api.deleteClusterCustomObject({ group, version, plural: "fischers", name: "node-fischer" });
      await api.deleteNamespacedCustomObject({
        group,
        version,
        namespace: "default",
        plural: "flunders",
        name: "from-node",
      });
      await deleted;
      assert.deepEqual(events, ["ADDED from-node", "DELETED from-node"]);
      await assert.rejects(
        api.getNamespacedCustomObject({ group, version, namespace: "default", plural: "flunders", name: "from-node" }),
        (error: { code?: number }) => error.code === 404,
      );
    } finally {
      request.abort();
    }
  });
});
