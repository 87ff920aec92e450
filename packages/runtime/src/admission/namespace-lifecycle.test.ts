import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StatusError } from "../api/errors.js";
import type { AdmissionAttributes, AdmissionContext } from "./admission.js";
import { clusterNamespaces, type Namespace, namespaceLifecycle } from "./namespace-lifecycle.js";

const context = {} as AdmissionContext;
const create = (namespace: string, operation: AdmissionAttributes["operation"] = "CREATE"): AdmissionAttributes => ({
  operation,
  group: "wardle.example.com",
  version: "v1alpha1",
  kind: "Flunder",
  resource: "flunders",
  subresource: "",
  namespace,
  name: "",
  object: { metadata: { generateName: "f-" } },
  user: { name: "bob", groups: [] },
  dryRun: false,
});
const ns = (name: string, phase = "Active"): Namespace => ({ metadata: { name }, status: { phase } });
const refusal = async (promise: Promise<void> | void) => {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StatusError);
    return error;
  }
  assert.fail("admitted");
};

describe("NamespaceLifecycle", () => {
  const known = new Map([
    ["default", ns("default")],
    ["doomed", ns("doomed", "Terminating")],
  ]);
  const lookups: string[] = [];
  const plugin = namespaceLifecycle({
    lookup: {
      async get(name) {
        lookups.push(name);
        return known.get(name);
      },
    },
  });

  it("answers 404 for a namespace the cluster doesn't have, on create and update", async () => {
    const missing = await refusal(plugin.admit?.(create("missing"), context));
    assert.equal(missing.code, 404);
    assert.equal(missing.message, 'namespaces "missing" not found');
    assert.equal((await refusal(plugin.admit?.(create("missing", "UPDATE"), context))).code, 404);
  });

  it("answers 403 NamespaceTerminating to creates in a namespace being deleted, and lets the rest through", async () => {
    const doomed = await refusal(plugin.admit?.(create("doomed"), context));
    assert.equal(doomed.code, 403);
    assert.equal(
      doomed.message,
      'flunders.wardle.example.com "f-" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    assert.deepEqual(doomed.status.details?.causes, [
      { reason: "NamespaceTerminating", message: "namespace doomed is being terminated", field: "metadata.namespace" },
    ]);
    await plugin.admit?.(create("doomed", "UPDATE"), context);
    await plugin.admit?.(create("default"), context);
    await plugin.admit?.(create(""), context);
    assert.deepEqual(plugin.operations, ["CREATE", "UPDATE"], "deletes always pass");
  });

  it("reads an informer's cache first, waits for it to sync, and falls back to a live read", async () => {
    const store = new Map<string, Namespace>();
    let synced = false;
    lookups.length = 0;
    const withInformer = namespaceLifecycle({
      informer: { hasSynced: () => synced, store: { get: (key) => store.get(key) } },
      lookup: {
        async get(name) {
          lookups.push(name);
          return known.get(name);
        },
      },
      missingNamespaceWaitMs: 1,
    });
    assert.match((await refusal(withInformer.admit?.(create("default"), context))).message, /not yet ready/);
    synced = true;
    store.set("cached", ns("cached"));
    await withInformer.admit?.(create("cached"), context);
    assert.deepEqual(lookups, [], "served from the cache");
    await withInformer.admit?.(create("default"), context);
    assert.deepEqual(lookups, ["default"], "not in the cache yet: asked the cluster");
  });
});

describe("namespaces read from the cluster", () => {
  it("keeps a namespace that exists for its TTL and asks again for one that doesn't", async () => {
    let now = 0;
    const asked: string[] = [];
    const lookup = clusterNamespaces(
      {
        async request<T>(_method: string, path: string) {
          asked.push(path);
          return (path.endsWith("/default") ? { status: 200, body: ns("default") } : { status: 404, body: {} }) as {
            status: number;
            body: T;
          };
        },
      },
      { cacheTtlMs: 100, now: () => now },
    );
    assert.equal((await lookup.get("default"))?.metadata?.name, "default");
    await lookup.get("default");
    assert.equal(await lookup.get("gone"), undefined);
    assert.equal(await lookup.get("gone"), undefined);
    now = 101;
    await lookup.get("default");
    assert.deepEqual(asked, [
      "/api/v1/namespaces/default",
      "/api/v1/namespaces/gone",
      "/api/v1/namespaces/gone",
      "/api/v1/namespaces/default",
    ]);
  });
});
