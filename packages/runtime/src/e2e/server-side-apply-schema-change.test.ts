/**
 * Server-side apply across a schema change (issue 11): a list that was a list-map becomes
 * atomic when the types are changed and the server redeployed on the same storage. Ownership
 * recorded under the old schema is reconciled with the new one, as Kubernetes does
 * (structured-merge-diff's ReconcileFieldSetWithSchema): the manager that owned an element now
 * owns the whole list, so another manager's apply of a different list is a conflict on
 * `.spec.items` — without the reconciliation it silently replaced the first manager's items.
 * kubectl 1.33 by full path, with a fresh cache per server (the redeployed server's OpenAPI differs).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ResourceDefinition } from "../model/resource.js";
import { hasKubectl, Kubectl } from "../testing/clients.js";
import { fischerDefinition, flunderDefinition } from "../testing/fixtures.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

interface Entry {
  manager: string;
  fieldsV1: { "f:spec"?: Record<string, unknown> };
}

/** The flunder kind with spec.items atomic instead of a list-map keyed by name. */
function withAtomicItems(definition: ResourceDefinition): ResourceDefinition {
  const copy = structuredClone(definition);
  const items = copy.versions[0]?.schema?.properties?.spec?.properties?.items as Record<string, unknown>;
  items["x-kubernetes-list-type"] = "atomic";
  delete items["x-kubernetes-list-map-keys"];
  return copy;
}

const manifest = (items: string) =>
  `apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata:\n  name: shared\nspec:\n  items:\n${items}`;

describe(
  "kubectl 1.33: server-side apply after a list turned atomic",
  { skip: !hasKubectl(33) && "kubectl.1.33 is not installed" },
  () => {
    let dataDir: string;
    let server: TestServer;
    let k: Kubectl;
    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "ssa-schema-change-"));
      const first = await startTestServer({ dataDir, keepStorage: true });
      const before = new Kubectl(33, first.kubeconfig);
      try {
        await before.ok(["apply", "--server-side", "--field-manager=alice", "-f", "-"], {
          input: manifest("  - name: a\n    size: 1\n"),
        });
      } finally {
        before.dispose();
        await first.close();
      }
      // Redeployed with the changed types, on the same storage, port and credentials.
      server = await startTestServer({
        dataDir,
        port: first.port,
        storage: first.storage,
        resources: [withAtomicItems(flunderDefinition), fischerDefinition],
      });
      k = new Kubectl(33, server.kubeconfig);
    });
    after(async () => {
      k?.dispose();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const owners = async (): Promise<Entry[]> =>
      (
        JSON.parse(await k.ok(["get", "flunder", "shared", "-o", "json", "--show-managed-fields"])) as {
          metadata: { managedFields: Entry[] };
        }
      ).metadata.managedFields;

    it("the owner of an element owns the whole list: another manager's list is a conflict on .spec.items", async () => {
      const bob = manifest("  - name: b\n    size: 2\n");
      const refused = await k.run(["apply", "--server-side", "--field-manager=bob", "-f", "-"], { input: bob });
      assert.notEqual(refused.code, 0, refused.stdout);
      assert.match(refused.stderr, /Apply failed with 1 conflict: conflict with "alice": \.spec\.items/);
      const unchanged = JSON.parse(await k.ok(["get", "flunder", "shared", "-o", "json"])) as {
        spec: { items: unknown[] };
      };
      assert.deepEqual(unchanged.spec.items, [{ name: "a", size: 1 }]);
    });

    it("--force-conflicts takes the list whole; managedFields shows it owned as one field", async () => {
      await k.ok(["apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-"], {
        input: manifest("  - name: b\n    size: 2\n"),
      });
      const entries = await owners();
      const bob = entries.find((e) => e.manager === "bob");
      assert.deepEqual(bob?.fieldsV1["f:spec"], { "f:items": {} });
      const alice = entries.find((e) => e.manager === "alice");
      assert.equal(alice?.fieldsV1["f:spec"]?.["f:items"], undefined, JSON.stringify(alice));
      const object = JSON.parse(await k.ok(["get", "flunder", "shared", "-o", "json"])) as {
        spec: { items: unknown[] };
      };
      assert.deepEqual(object.spec.items, [{ name: "b", size: 2 }]);
    });
  },
);
