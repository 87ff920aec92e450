/**
 * Strategic merge patch with real clients (issue 10): kubectl patch's default type
 * merges a list-map by key; client-side kubectl apply sends a three-way strategic merge
 * patch that turns the live object into exactly the applied manifest; the patches
 * kubectl computes (captured on the wire, not our own diff) are the oracle; the python
 * DynamicClient's default patch works.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hasKubectl, Kubectl } from "../testing/clients.js";
import { type RecordingProxy, startRecordingProxy } from "../testing/recording-proxy.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";
import { describePython } from "./python-suite.js";

const SMP = "application/strategic-merge-patch+json";

interface Item {
  name: string;
  size?: number;
}
const manifest = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>) =>
  JSON.stringify({
    apiVersion: "wardle.example.com/v1alpha1",
    kind: "Flunder",
    metadata: { name, ...(labels ? { labels } : {}) },
    spec,
  });

/** Pairs of manifests: kubectl applies the first, then the second; the server must end at the second. */
const oracleCases: Array<{
  name: string;
  first: Record<string, unknown>;
  second: Record<string, unknown>;
  firstLabels?: Record<string, string>;
  secondLabels?: Record<string, string>;
}> = [
  {
    name: "list-map: change one element, remove one, add one",
    first: {
      items: [
        { name: "a", size: 1 },
        { name: "b", size: 2 },
        { name: "c", size: 3 },
      ],
    },
    second: { items: [{ name: "a", size: 10 }, { name: "c", size: 3 }, { name: "d" }] },
  },
  {
    name: "list-map: reorder",
    first: { items: [{ name: "a" }, { name: "b" }, { name: "c" }] },
    second: { items: [{ name: "c" }, { name: "a" }, { name: "b" }] },
  },
  {
    name: "fields removed and added, a map changed",
    first: { reference: "r", color: "red", replicas: 3 },
    second: { reference: "r2", replicas: 3 },
    firstLabels: { a: "1", b: "2" },
    secondLabels: { b: "3", c: "4" },
  },
  {
    name: "a whole list removed",
    first: { reference: "r", items: [{ name: "x", size: 1 }] },
    second: { reference: "r" },
  },
];

for (const minor of [32, 33]) {
  describe(
    `kubectl 1.${minor}: strategic merge patch`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let server: TestServer;
      let proxy: RecordingProxy;
      let k: Kubectl;
      before(async () => {
        server = await startTestServer();
        proxy = await startRecordingProxy(server, join(server.dataDir, "proxy-kubeconfig"));
        k = new Kubectl(minor, proxy.kubeconfig);
      });
      after(async () => {
        k.dispose();
        await proxy.close();
        await server.close();
      });

      it("merges metadata.finalizers as a set and ownerReferences by uid, as ObjectMeta's patch strategies say", async () => {
        const owner = (uid: string) => ({ apiVersion: "v1", kind: "ConfigMap", name: `cm-${uid}`, uid });
        const created = JSON.parse(manifest("meta-merge", {}));
        created.metadata.finalizers = ["a.example.com/one"];
        created.metadata.ownerReferences = [owner("u1")];
        await k.ok(["create", "-f", "-"], { input: JSON.stringify(created) });
        await k.ok([
          "patch",
          "flunder",
          "meta-merge",
          "-p",
          JSON.stringify({ metadata: { finalizers: ["b.example.com/two"], ownerReferences: [owner("u2")] } }),
        ]);
        let meta = JSON.parse(await k.ok(["get", "flunder", "meta-merge", "-o", "json"])).metadata;
        assert.deepEqual([...meta.finalizers].sort(), ["a.example.com/one", "b.example.com/two"]);
        assert.deepEqual(meta.ownerReferences.map((o: { uid: string }) => o.uid).sort(), ["u1", "u2"]);
        await k.ok([
          "patch",
          "flunder",
          "meta-merge",
          "-p",
          JSON.stringify({
            metadata: {
              ownerReferences: [{ uid: "u1", $patch: "delete" }],
              "$deleteFromPrimitiveList/finalizers": ["a.example.com/one", "b.example.com/two"],
            },
          }),
        ]);
        meta = JSON.parse(await k.ok(["get", "flunder", "meta-merge", "-o", "json"])).metadata;
        assert.equal("finalizers" in meta, false, "the emptied list is left out, as the typed ObjectMeta leaves it");
        assert.deepEqual(meta.ownerReferences, [owner("u2")]);
        await k.ok(["delete", "flunder", "meta-merge"]);
      });

      it("patches a list-map by key with kubectl patch's default type", async () => {
        await k.ok(["create", "-f", "-"], {
          input: manifest("by-key", {
            items: [
              { name: "a", size: 1 },
              { name: "b", size: 2 },
            ],
          }),
        });
        await k.ok(["patch", "flunder", "by-key", "-p", '{"spec":{"items":[{"name":"b","size":20}]}}']);
        const patch = proxy.requests.filter((r) => r.method === "PATCH").pop();
        assert.equal(patch?.contentType, SMP);
        const object = JSON.parse(await k.ok(["get", "flunder", "by-key", "-o", "json"]));
        assert.deepEqual(object.spec.items, [
          { name: "a", size: 1 },
          { name: "b", size: 20 },
        ]);
      });

      for (const c of oracleCases) {
        it(`client-side apply ends exactly at the applied manifest: ${c.name}`, async () => {
          const name = `apply-${oracleCases.indexOf(c)}`;
          await k.ok(["apply", "-f", "-"], { input: manifest(name, c.first, c.firstLabels) });
          const before = proxy.requests.length;
          await k.ok(["apply", "-f", "-"], { input: manifest(name, c.second, c.secondLabels) });
          const patches = proxy.requests.slice(before).filter((r) => r.method === "PATCH");
          assert.equal(patches.length, 1, "kubectl sent one patch");
          assert.equal(patches[0]?.contentType, SMP, "kubectl chose a strategic merge patch from our OpenAPI");
          const live = JSON.parse(await k.ok(["get", "flunder", name, "-o", "json"]));
          const expectedSpec = { replicas: 1, ...c.second };
          assert.deepEqual(live.spec, expectedSpec, `patch sent by kubectl: ${patches[0]?.body}`);
          const labels = Object.fromEntries(Object.entries(live.metadata.labels ?? {}));
          assert.deepEqual(labels, c.secondLabels ?? {});
        });
      }
    },
  );
}

describePython("python DynamicClient: the default patch type is strategic", (test) => {
  test("merges a list-map by key", async (python) => {
    const script = `
import json, sys
from kubernetes import config, dynamic
client = dynamic.DynamicClient(config.new_client_from_config(config_file=sys.argv[1]), cache_file=sys.argv[2])
fl = client.resources.get(api_version="wardle.example.com/v1alpha1", kind="Flunder")
fl.create(namespace="default", body=${manifest("py-smp", {
      items: [
        { name: "a", size: 1 },
        { name: "b", size: 2 },
      ],
    })})
patched = fl.patch(namespace="default", name="py-smp", body={"spec": {"items": [{"name": "a", "size": 5}]}})
print(json.dumps(patched.to_dict()["spec"]["items"]))
`;
    const items = await python<Item[]>(script);
    assert.deepEqual(items, [
      { name: "a", size: 5 },
      { name: "b", size: 2 },
    ]);
  });
});
