import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryStorage } from "@apiserver-kit/storage";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import { ApiResource } from "../model/api-model.js";
import { flunderDefinition } from "../testing/fixtures.js";
import { deletionFinalizers, GenericStore, type RequestContext } from "./generic-store.js";

const ctx: RequestContext = {
  user: { username: "admin", groups: ["system:masters"] },
  namespace: "default",
  subresource: "",
  dryRun: false,
  warnings: [],
} as unknown as RequestContext;

const flunder = (name: string): KubeObject => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name, namespace: "default" },
});

describe("GenericStore.delete", () => {
  const setUp = async () => {
    const store = new GenericStore(new ApiResource(flunderDefinition), new MemoryStorage());
    const created = await store.create(ctx, flunder("raced"));
    // A write (a controller's) lands between the delete's read and its conditional delete, once.
    let raced = false;
    const writeBetween = async () => {
      if (raced) return;
      raced = true;
      await store.update(ctx, "raced", (current) => {
        const next = structuredClone(current) as KubeObject;
        next.metadata = { ...next.metadata, labels: { touched: "yes" } };
        return next;
      });
    };
    return { store, created, writeBetween };
  };

  it("reads again and deletes when the object was written after it was read, without preconditions", async () => {
    const { store, writeBetween } = await setUp();
    const result = await store.delete(ctx, "raced", {}, writeBetween);
    assert.equal(result.deleted, true);
    assert.equal(result.object.metadata?.labels?.touched, "yes", "the deleted state is the one written meanwhile");
    await assert.rejects(store.get(ctx, "raced"), (e) => e instanceof StatusError && e.status.code === 404);
  });

  it("answers the caller's resourceVersion precondition with a 409 once the object changed", async () => {
    const { store, created, writeBetween } = await setUp();
    const resourceVersion = created.metadata?.resourceVersion as string;
    await assert.rejects(
      store.delete(ctx, "raced", { preconditions: { resourceVersion } }, writeBetween),
      (e) =>
        e instanceof StatusError &&
        e.status.code === 409 &&
        e.message.includes(`Precondition failed: ResourceVersion in precondition: ${resourceVersion}, `),
    );
  });
});

describe("GenericStore.update of an object being deleted", () => {
  it("refuses new finalizers in kube-apiserver's words and lets finalizers go", async () => {
    const store = new GenericStore(new ApiResource(flunderDefinition), new MemoryStorage());
    await store.create(ctx, { ...flunder("going"), metadata: { name: "going", finalizers: ["example.com/a"] } });
    const marked = await store.delete(ctx, "going");
    assert.equal(marked.deleted, false);
    const withFinalizers = (finalizers: string[]) => (current: KubeObject | null) => {
      const next = structuredClone(current) as KubeObject;
      next.metadata = { ...next.metadata, finalizers };
      return next;
    };
    await assert.rejects(
      store.update(ctx, "going", withFinalizers(["example.com/a", "example.com/z", "example.com/new"])),
      (e) =>
        e instanceof StatusError &&
        e.status.code === 422 &&
        e.message ===
          'Flunder.wardle.example.com "going" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/new", "example.com/z"}',
    );
    const removed = await store.update(ctx, "going", withFinalizers([]));
    assert.equal(removed.deleted, true);
  });
});

describe("deletionFinalizers", () => {
  it("decides the garbage collector's finalizers as deletionFinalizersForGarbageCollection", () => {
    const cases: Array<[readonly string[], Parameters<typeof deletionFinalizers>[1], string[]]> = [
      [[], {}, []],
      [[], { propagationPolicy: "Background" }, []],
      [[], { propagationPolicy: "Orphan" }, ["orphan"]],
      [[], { orphanDependents: true }, ["orphan"]],
      [["x"], { propagationPolicy: "Foreground" }, ["x", "foregroundDeletion"]],
      // A policy replaces the other finalizer; Background and orphanDependents=false take both out.
      [["orphan", "x"], { propagationPolicy: "Foreground" }, ["x", "foregroundDeletion"]],
      [["foregroundDeletion", "x"], { propagationPolicy: "Background" }, ["x"]],
      [["orphan", "x"], { orphanDependents: false }, ["x"]],
      // No policy: the object's own finalizer stays, in its place.
      [["orphan", "x"], {}, ["orphan", "x"]],
      [["foregroundDeletion"], {}, ["foregroundDeletion"]],
      [["x", "orphan"], { propagationPolicy: "Orphan" }, ["x", "orphan"]],
    ];
    for (const [existing, options, expected] of cases) {
      assert.deepEqual(deletionFinalizers(existing, options), expected, `${existing} with ${JSON.stringify(options)}`);
    }
  });

  it("adds neither with no garbage collector, and keeps the object's own", async () => {
    const store = new GenericStore(new ApiResource(flunderDefinition), new MemoryStorage(), undefined, {
      garbageCollection: false,
    });
    await store.create(ctx, flunder("gone"));
    assert.equal((await store.delete(ctx, "gone", { propagationPolicy: "Foreground" })).deleted, true);
    const held = flunder("held");
    held.metadata = { ...held.metadata, finalizers: ["example.com/hold", "orphan"] };
    await store.create(ctx, held);
    const marked = await store.delete(ctx, "held", { propagationPolicy: "Foreground" });
    assert.equal(marked.deleted, false);
    assert.deepEqual(marked.object.metadata?.finalizers, ["example.com/hold", "orphan"]);
  });
});

describe("GenericStore writing an object stored before a default was added", () => {
  it("reads it with the default, as kube-apiserver decodes what it reads: a metadata change bumps no generation", async () => {
    const store = new GenericStore(new ApiResource(flunderDefinition), new MemoryStorage());
    // Stored without spec.replicas, as a write from before the schema's default of 1 was.
    await store.create(ctx, { ...flunder("old"), spec: { reference: "x" } } as KubeObject);
    let seen: KubeObject | null = null;
    const labelled = await store.update(ctx, "old", (current) => {
      seen = current;
      // What the handler sends back: the object as read, labelled, defaulted as every write is.
      const next = structuredClone(current) as KubeObject & { spec: Record<string, unknown> };
      next.metadata = { ...next.metadata, labels: { team: "a" } };
      next.spec.replicas ??= 1;
      return next;
    });
    assert.deepEqual(
      (seen as KubeObject | null)?.spec,
      { reference: "x", replicas: 1 },
      "the stored object, defaulted",
    );
    assert.equal(labelled.object.metadata?.generation, 1, "only metadata changed");
    const scaled = await store.update(ctx, "old", (current) => {
      const next = structuredClone(current) as KubeObject & { spec: Record<string, unknown> };
      next.spec.replicas = 2;
      return next;
    });
    assert.equal(scaled.object.metadata?.generation, 2, "a spec change still counts");
  });

  it("marks an object with finalizers for deletion as it reads it, defaulted", async () => {
    const storage = new MemoryStorage();
    const store = new GenericStore(new ApiResource(flunderDefinition), storage);
    await store.create(ctx, {
      ...flunder("held"),
      metadata: { name: "held", finalizers: ["example.com/hold"] },
      spec: { reference: "x" },
    } as KubeObject);
    const result = await store.delete(ctx, "held");
    assert.equal(result.deleted, false);
    const stored = (await storage.get("/registry/wardle.example.com/flunders/default/held")) as KubeObject;
    assert.ok(stored.metadata?.deletionTimestamp);
    assert.deepEqual(stored.spec, { reference: "x", replicas: 1 }, "written as read: with the schema's default");
  });
});
