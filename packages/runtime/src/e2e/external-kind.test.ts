/**
 * Data kept in another system, served read-through/write-through (issue 8): a kind whose
 * objects live in an "inventory" (here a Map standing in for a database or a SaaS API),
 * with the framework supplying resourceVersions, conflicts, selectors and watches.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ExternalStorage, type StoredObject } from "@apiserver-kit/storage";
import type { ResourceDefinition } from "../model/resource.js";
import { openWatch, ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const GROUP = "inventory.example.com";

/** The other system: items keyed by name, with no notion of resourceVersion. */
const inventory = new Map<string, { sku: string; count: number; labels: Record<string, string> }>();

function toObject(name: string, item: { sku: string; count: number; labels: Record<string, string> }): StoredObject {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: "Item",
    metadata: {
      name,
      namespace: "shop",
      uid: `uid-${name}`,
      creationTimestamp: "2026-01-01T00:00:00Z",
      labels: item.labels,
    },
    spec: { sku: item.sku, count: item.count },
  };
}

const storage = new ExternalStorage({
  keyPrefix: `/registry/${GROUP}/items/`,
  pollIntervalMs: 100,
  source: {
    list: () => [...inventory].map(([name, item]) => toObject(name, item)),
    async put(_key, object) {
      const spec = object.spec as { sku: string; count: number };
      inventory.set(object.metadata?.name as string, {
        sku: spec.sku,
        count: spec.count,
        labels: (object.metadata?.labels as Record<string, string>) ?? {},
      });
    },
    async remove(key) {
      inventory.delete(key.slice(key.lastIndexOf("/") + 1));
    },
  },
});

const itemDefinition: ResourceDefinition = {
  group: GROUP,
  names: { kind: "Item", plural: "items", singular: "item" },
  scope: "Namespaced",
  rest: { storage },
  versions: [
    {
      name: "v1",
      served: true,
      storage: true,
      schema: {
        type: "object",
        properties: {
          spec: {
            type: "object",
            required: ["sku"],
            properties: { sku: { type: "string" }, count: { type: "integer", minimum: 0 } },
          },
        },
      },
      additionalPrinterColumns: [{ name: "Count", type: "integer", jsonPath: ".spec.count" }],
    },
  ],
};

describe("a kind kept in another system", () => {
  let server: TestServer;
  let items: ResourceClient;
  before(async () => {
    inventory.set("apple", { sku: "A-1", count: 3, labels: { fruit: "yes" } });
    server = await startTestServer({ resources: [itemDefinition] });
    items = new ResourceClient(server, `/apis/${GROUP}/v1/namespaces/shop/items`);
  });
  after(async () => {
    await server.close();
    await storage.close();
  });

  it("reads through: an item added directly in the other system is there", async () => {
    inventory.set("pear", { sku: "P-1", count: 1, labels: { fruit: "yes" } });
    const list = (await items.list("?labelSelector=fruit%3Dyes")).json<{
      items: Array<{ metadata: { name: string } }>;
    }>();
    assert.deepEqual(list.items.map((i) => i.metadata.name).sort(), ["apple", "pear"]);
  });

  it("writes through, with resourceVersions and conflicts supplied by the framework", async () => {
    const created = await items.create({
      apiVersion: `${GROUP}/v1`,
      kind: "Item",
      metadata: { name: "plum" },
      spec: { sku: "L-1", count: 5 },
    });
    assert.equal(created.status, 201, created.body);
    assert.equal(inventory.get("plum")?.count, 5);
    const read = (await items.get("plum")).json<{ metadata: { resourceVersion: string } }>();
    const updated = await items.patch("plum", "merge", { spec: { count: 6 } });
    assert.equal(updated.status, 200);
    assert.equal(inventory.get("plum")?.count, 6);
    const stale = await items.update("plum", {
      apiVersion: `${GROUP}/v1`,
      kind: "Item",
      metadata: { name: "plum", resourceVersion: read.metadata.resourceVersion },
      spec: { sku: "L-1", count: 0 },
    });
    assert.equal(stale.status, 409);
    assert.equal(inventory.get("plum")?.count, 6, "the stale write never reached the other system");
    assert.equal((await items.delete("plum")).status, 200);
    assert.equal(inventory.has("plum"), false);
  });

  it("watches changes made behind the server's back", async () => {
    const watch = await openWatch(
      server,
      `/apis/${GROUP}/v1/namespaces/shop/items?watch=true&resourceVersion=${await storage.currentRevision()}`,
    );
    try {
      inventory.set("kiwi", { sku: "K-1", count: 9, labels: {} });
      const [event] = await watch.waitFor(1, 5000);
      assert.equal(event?.type, "ADDED");
      assert.equal(event?.object.metadata?.name, "kiwi");
      inventory.delete("kiwi");
      const events = await watch.waitFor(2, 5000);
      assert.equal(events[1]?.type, "DELETED");
    } finally {
      watch.close();
    }
  });
});
