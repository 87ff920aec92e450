import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../objects/meta.js";
import { IndexerConflictError, NAMESPACE_INDEX, Store } from "./store.js";

const object = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { namespace, name, labels },
});
const byApp = (o: KubeObject) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []);

describe("Store", () => {
  it("keeps objects by namespace/name and files them under every index", () => {
    const store = new Store<KubeObject>({ app: byApp });
    store.set(object("a", "one", { app: "web" }));
    store.set(object("a", "two", { app: "db" }));
    store.set(object("b", "one", { app: "web" }));
    assert.equal(store.size, 3);
    assert.equal(store.get("a/one")?.metadata?.labels?.app, "web");
    assert.equal(store.get({ namespace: "b", name: "one" })?.metadata?.namespace, "b");
    assert.deepEqual(
      store
        .byIndex(NAMESPACE_INDEX, "a")
        .map((o) => o.metadata?.name)
        .sort(),
      ["one", "two"],
    );
    assert.deepEqual(
      store
        .byIndex("app", "web")
        .map((o) => o.metadata?.namespace)
        .sort(),
      ["a", "b"],
    );
    assert.deepEqual(store.indexValues("app").sort(), ["db", "web"]);
  });

  it("moves an object between index values on update and drops it on delete", () => {
    const store = new Store<KubeObject>({ app: byApp });
    store.set(object("a", "one", { app: "web" }));
    const old = store.set(object("a", "one", { app: "db" }));
    assert.equal(old?.metadata?.labels?.app, "web");
    assert.deepEqual(store.byIndex("app", "web"), []);
    assert.equal(store.byIndex("app", "db").length, 1);
    assert.deepEqual(store.indexValues("app"), ["db"], "an emptied value is forgotten");
    assert.equal(store.delete("a/one")?.metadata?.name, "one");
    assert.equal(store.delete("a/one"), undefined);
    assert.deepEqual(store.byIndex("app", "db"), []);
    assert.equal(store.size, 0);
  });

  it("indexes existing objects when an indexer is added later, and refuses a duplicate name", () => {
    const store = new Store<KubeObject>();
    store.set(object("a", "one", { app: "web" }));
    store.addIndexers({ app: byApp });
    assert.equal(store.byIndex("app", "web").length, 1);
    assert.throws(() => store.addIndexers({ app: byApp }), IndexerConflictError);
    assert.throws(() => store.byIndex("missing", "x"), RangeError);
  });

  it("keys cluster-scoped objects by name alone", () => {
    const store = new Store<KubeObject>();
    store.set({ metadata: { name: "global" } });
    assert.deepEqual(store.keys(), ["global"]);
    assert.deepEqual(store.byIndex(NAMESPACE_INDEX, "").length, 1);
  });
});
