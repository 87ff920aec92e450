/**
 * Discovery as kube-aggregator and client-go ask for it: the aggregator's aggregated
 * discovery fetch (v2 then v2beta1 Accept, If-None-Match → 304) and its availability
 * probe (5 parallel GETs of /apis/<g>/<v> with X-Remote-* headers), authenticated with the
 * local client certificate.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AGGREGATED_DISCOVERY_V2, AGGREGATED_DISCOVERY_V2BETA1 } from "../discovery/discovery.js";
import type { ResourceDefinition } from "../model/resource.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const AGGREGATOR_ACCEPT = `${AGGREGATED_DISCOVERY_V2},${AGGREGATED_DISCOVERY_V2BETA1}`;
const CLIENT_GO_ACCEPT = `${AGGREGATED_DISCOVERY_V2},${AGGREGATED_DISCOVERY_V2BETA1},application/json`;
const GV = "/apis/wardle.example.com/v1alpha1";

interface GVK {
  group: string;
  version: string;
  kind: string;
}
interface ResourceDiscovery {
  resource: string;
  responseKind: GVK;
  scope: string;
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: Array<{ subresource: string; responseKind: GVK; verbs: string[] }>;
}
interface DiscoveryList {
  kind: string;
  apiVersion: string;
  items: Array<{
    metadata: { name: string };
    versions: Array<{ version: string; freshness: string; resources: ResourceDiscovery[] }>;
  }>;
}

describe("discovery as the aggregator and client-go fetch it", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it("answers a group version's document at its path only, not under /watch or /proxy, and to HEAD", async () => {
    for (const path of [`${GV}/watch`, `${GV}/proxy`, `${GV}/watch/`]) {
      const answer = await server.request(path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.json().reason, "NotFound", path);
    }
    const posted = await server.request(GV, { method: "POST", body: {} });
    assert.equal(posted.status, 404);
    const head = await server.request(GV, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    assert.equal((await server.request(GV)).json().groupVersion, "wardle.example.com/v1alpha1");
  });

  it("answers the aggregator's fetch with v2, a quoted ETag and Vary: Accept, then 304 on If-None-Match", async () => {
    const first = await server.request("/apis", { headers: { Accept: AGGREGATOR_ACCEPT } });
    assert.equal(first.status, 200);
    assert.equal(first.headers["content-type"], AGGREGATED_DISCOVERY_V2);
    assert.equal(first.headers.vary, "Accept");
    assert.equal(first.headers["cache-control"], "public");
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[0-9A-F]{128}"$/, "a quoted upper-case SHA-512, as Kubernetes computes it");
    const list = first.json<DiscoveryList>();
    assert.equal(list.kind, "APIGroupDiscoveryList");
    assert.equal(list.apiVersion, "apidiscovery.k8s.io/v2");

    // The aggregator sends back the ETag exactly as it received it.
    const again = await server.request("/apis", { headers: { Accept: AGGREGATOR_ACCEPT, "If-None-Match": etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body, "");
    assert.equal(again.headers.etag, etag);

    const stale = await server.request("/apis", { headers: { Accept: AGGREGATOR_ACCEPT, "If-None-Match": '"0123"' } });
    assert.equal(stale.status, 200);
  });

  it("describes every resource and subresource with responseKind, scope, freshness and exact verbs", async () => {
    const list = (await server.request("/apis", { headers: { Accept: AGGREGATOR_ACCEPT } })).json<DiscoveryList>();
    assert.deepEqual(
      list.items.map((g) => g.metadata.name),
      ["wardle.example.com"],
    );
    const version = list.items[0]?.versions[0];
    assert.equal(version?.version, "v1alpha1");
    assert.equal(version?.freshness, "Current");
    const flunders = version?.resources.find((r) => r.resource === "flunders");
    assert.deepEqual(flunders, {
      resource: "flunders",
      responseKind: { group: "wardle.example.com", version: "v1alpha1", kind: "Flunder" },
      scope: "Namespaced",
      singularResource: "flunder",
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["fl"],
      categories: ["wardle"],
      subresources: [
        {
          subresource: "status",
          responseKind: { group: "wardle.example.com", version: "v1alpha1", kind: "Flunder" },
          verbs: ["get", "patch", "update"],
        },
        {
          subresource: "scale",
          responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
          verbs: ["get", "patch", "update"],
        },
      ],
    });
    const fischers = version?.resources.find((r) => r.resource === "fischers");
    assert.equal(fischers?.scope, "Cluster");
    assert.equal(fischers?.subresources, undefined);
    for (const r of version?.resources ?? []) {
      assert.ok(r.responseKind.kind, `${r.resource} has a responseKind`);
      for (const s of r.subresources ?? []) assert.ok(s.responseKind.kind, `${r.resource}/${s.subresource}`);
    }
  });

  it("serves v2beta1 to a client that asks for it only, with its own ETag", async () => {
    const v2 = await server.request("/apis", { headers: { Accept: AGGREGATED_DISCOVERY_V2 } });
    const beta = await server.request("/apis", { headers: { Accept: AGGREGATED_DISCOVERY_V2BETA1 } });
    assert.equal(beta.status, 200);
    assert.equal(beta.headers["content-type"], AGGREGATED_DISCOVERY_V2BETA1);
    assert.equal(beta.json().apiVersion, "apidiscovery.k8s.io/v2beta1");
    assert.notEqual(beta.headers.etag, v2.headers.etag);
    const cross = await server.request("/apis", {
      headers: { Accept: AGGREGATED_DISCOVERY_V2BETA1, "If-None-Match": String(v2.headers.etag) },
    });
    assert.equal(cross.status, 200, "a v2 ETag does not validate the v2beta1 document");
  });

  it("gives client-go v2 first, legacy JSON to a plain Accept, and 406 to what it can't serve", async () => {
    const clientGo = await server.request("/apis", { headers: { Accept: CLIENT_GO_ACCEPT } });
    assert.equal(clientGo.headers["content-type"], AGGREGATED_DISCOVERY_V2);
    const noPeer = await server.request("/apis", {
      headers: { Accept: `${AGGREGATED_DISCOVERY_V2};profile=nopeer,${CLIENT_GO_ACCEPT}` },
    });
    assert.equal(noPeer.headers["content-type"], AGGREGATED_DISCOVERY_V2);
    const legacy = await server.request("/apis", { headers: { Accept: "application/json" } });
    assert.equal(legacy.headers["content-type"], "application/json");
    assert.equal(legacy.json().kind, "APIGroupList");
    const v3 = await server.request("/apis", {
      headers: { Accept: "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList" },
    });
    assert.equal(v3.status, 406);
    assert.equal(v3.json().reason, "NotAcceptable");
    const proto = await server.request(GV, { headers: { Accept: "application/vnd.kubernetes.protobuf" } });
    assert.equal(proto.status, 406);
  });

  it("passes the aggregator's availability probe: 5 parallel GETs with X-Remote headers all answer 2xx", async () => {
    const probe = () =>
      server.request(GV, {
        headers: { "X-Remote-User": "system:kube-aggregator", "X-Remote-Group": "system:masters" },
      });
    const answers = await Promise.all([probe(), probe(), probe(), probe(), probe()]);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      const list = answer.json<{ kind: string; groupVersion: string; resources: Array<{ name: string }> }>();
      assert.equal(list.kind, "APIResourceList");
      assert.equal(list.groupVersion, "wardle.example.com/v1alpha1");
      assert.ok(list.resources.some((r) => r.name === "flunders/status"));
    }
  });

  it("ignores X-Remote headers without a front-proxy certificate: the probe unauthenticated is refused", async () => {
    const spoofed = await server.request(GV, {
      anonymous: true,
      headers: { "X-Remote-User": "system:kube-aggregator", "X-Remote-Group": "system:masters" },
    });
    assert.equal(spoofed.status, 403);
    assert.match(String(spoofed.json().message), /system:anonymous/);
  });
});

describe("the core group of a server standing in for a cluster (coreGroupDiscovery, local mode)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ server: { coreGroupDiscovery: true } });
  });
  after(async () => {
    await server.close();
  });

  // What client-go's SplitGroupsAndResources reads: the group "" at v1, no resources, fresh.
  const core = [{ metadata: { creationTimestamp: null }, versions: [{ version: "v1", freshness: "Current" }] }];

  it("answers /api with aggregated discovery of the core group at v1 and no resources, ETag and 304 as /apis", async () => {
    const first = await server.request("/api", { headers: { Accept: CLIENT_GO_ACCEPT } });
    assert.equal(first.status, 200);
    assert.equal(first.headers["content-type"], AGGREGATED_DISCOVERY_V2);
    assert.equal(first.headers.vary, "Accept");
    assert.equal(first.headers["cache-control"], "public");
    assert.deepEqual(first.json(), {
      kind: "APIGroupDiscoveryList",
      apiVersion: "apidiscovery.k8s.io/v2",
      metadata: {},
      items: core,
    });
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    const again = await server.request("/api", { headers: { Accept: CLIENT_GO_ACCEPT, "If-None-Match": etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body, "");

    const beta = await server.request("/api", { headers: { Accept: AGGREGATED_DISCOVERY_V2BETA1 } });
    assert.equal(beta.headers["content-type"], AGGREGATED_DISCOVERY_V2BETA1);
    assert.deepEqual(beta.json().items, core);
    assert.notEqual(beta.headers.etag, etag);
    // /apis is unchanged: the core group is at /api only.
    const apis = (await server.request("/apis", { headers: { Accept: CLIENT_GO_ACCEPT } })).json<DiscoveryList>();
    assert.deepEqual(
      apis.items.map((g) => g.metadata.name),
      ["wardle.example.com"],
    );
  });

  it("answers /api in the legacy form with APIVersions v1 at this connection's address, and /api/v1 with no resources", async () => {
    const legacy = await server.request("/api", { headers: { Accept: "application/json" } });
    assert.equal(legacy.status, 200);
    assert.equal(legacy.headers["content-type"], "application/json");
    assert.equal(legacy.headers.vary, "Accept");
    assert.deepEqual(legacy.json(), {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `127.0.0.1:${server.port}` }],
    });
    const v1 = await server.request("/api/v1");
    assert.equal(v1.status, 200);
    assert.equal(v1.headers["content-type"], "application/json");
    assert.deepEqual(v1.json(), { kind: "APIResourceList", groupVersion: "v1", resources: [] });
    const pretty = await server.request("/api/v1?pretty=true");
    assert.equal(pretty.body, '{\n  "kind": "APIResourceList",\n  "groupVersion": "v1",\n  "resources": []\n}');
  });

  it("serves nothing under /api/v1, no other version, and 406 to what it can't encode", async () => {
    for (const path of [
      "/api/v2",
      "/api/v1/watch",
      "/api/v1/pods",
      "/api/v1/namespaces/default/events",
      "/api/v1/namespaces/default",
    ]) {
      const answer = await server.request(path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.json().reason, "NotFound", path);
    }
    const created = await server.request("/api/v1/namespaces/default/events", { method: "POST", body: {} });
    assert.equal(created.status, 404);
    const proto = await server.request("/api/v1", { headers: { Accept: "application/vnd.kubernetes.protobuf" } });
    assert.equal(proto.status, 406);
    const v3 = await server.request("/api", {
      headers: { Accept: "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList" },
    });
    assert.equal(v3.status, 406);
  });
});

describe("discovery of a kind served in two versions", () => {
  // v2 is preferred (Kubernetes' version priority), v1 is where objects are stored.
  const widget: ResourceDefinition = {
    group: "stable.example.com",
    names: { kind: "Widget", plural: "widgets", singular: "widget" },
    scope: "Namespaced",
    versions: [
      { name: "v1", served: true, storage: true, schema: { type: "object" } },
      {
        name: "v2",
        served: true,
        storage: false,
        schema: { type: "object" },
        // The same shape in both versions.
        conversion: { toHub: (o) => o, fromHub: (o) => o },
      },
    ],
  };
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ resources: [widget] });
  });
  after(async () => {
    await server.close();
  });

  it("gives both versions the storage version's storageVersionHash and prefers the higher version", async () => {
    // Kubernetes' value for stable.example.com/v1/Widget: base64 of the first 8 bytes of its SHA-256.
    const storageV1 = "2vCiI1Gcs2s=";
    for (const version of ["v1", "v2"]) {
      const list = (await server.request(`/apis/stable.example.com/${version}`)).json<{
        resources: Array<{ name: string; storageVersionHash?: string }>;
      }>();
      const widgets = list.resources.find((r) => r.name === "widgets");
      assert.equal(widgets?.storageVersionHash, storageV1, `${version} names the storage version v1`);
    }
    const group = (await server.request("/apis/stable.example.com")).json<{
      versions: Array<{ version: string }>;
      preferredVersion: { version: string };
    }>();
    assert.deepEqual(
      group.versions.map((v) => v.version),
      ["v2", "v1"],
    );
    assert.equal(group.preferredVersion.version, "v2");
    const aggregated = (
      await server.request("/apis", { headers: { Accept: AGGREGATOR_ACCEPT } })
    ).json<DiscoveryList>();
    assert.deepEqual(
      aggregated.items[0]?.versions.map((v) => v.version),
      ["v2", "v1"],
      "aggregated discovery lists the preferred version first",
    );
  });
});
