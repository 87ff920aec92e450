import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryStorage } from "@apiserver-kit/storage";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import { ApiResource } from "../model/api-model.js";
import { flunderDefinition } from "../testing/fixtures.js";
import { GenericStore, type RequestContext } from "./generic-store.js";

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
