/**
 * Server-side apply with a real kubectl (1.32 and 1.33), issue 11's second show: conflicts
 * between field managers, --force-conflicts, owners in managedFields, removal of a dropped
 * field only when nobody else owns it, `kubectl diff --server-side`, and the switch from
 * client-side to server-side apply keeping ownership as kubectl expects.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasKubectl, type Kubectl } from "../testing/clients.js";
import { startKubectlServer } from "./kubectl-server.js";

interface Entry {
  manager: string;
  operation: string;
  fieldsV1: Record<string, Record<string, unknown>>;
}
interface Flunder {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: Entry[] };
  spec: Record<string, unknown>;
}

const manifest = (name: string, spec: string, labels = "") =>
  `apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata:\n  name: ${name}\n${labels}spec:\n${spec}`;

for (const minor of [32, 33]) {
  describe(
    `kubectl 1.${minor}: server-side apply`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let k: Kubectl;
      startKubectlServer(minor, (_server, kubectl) => {
        k = kubectl;
      });
      const get = async (name: string): Promise<Flunder> =>
        JSON.parse(await k.ok(["get", "flunder", name, "-o", "json", "--show-managed-fields"])) as Flunder;
      const owner = (f: Flunder, manager: string) => f.metadata.managedFields?.find((e) => e.manager === manager);

      it("two managers: a conflict names the field, --force-conflicts takes it, managedFields shows the owners", async () => {
        const alice = manifest("shared", "  reference: r\n  replicas: 2\n", "  labels:\n    team: x\n");
        await k.ok(["apply", "--server-side", "--field-manager=alice", "-f", "-"], { input: alice });
        const bob = manifest("shared", "  reference: r\n  replicas: 3\n");
        const refused = await k.run(["apply", "--server-side", "--field-manager=bob", "-f", "-"], { input: bob });
        assert.notEqual(refused.code, 0);
        assert.match(refused.stderr, /Apply failed with 1 conflict: conflict with "alice": \.spec\.replicas/);
        assert.match(refused.stderr, /--force-conflicts/);
        await k.ok(["apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-"], { input: bob });
        const forced = await get("shared");
        assert.equal(forced.spec.replicas, 3);
        assert.deepEqual(owner(forced, "bob")?.fieldsV1, { "f:spec": { "f:reference": {}, "f:replicas": {} } });
        assert.deepEqual(owner(forced, "alice")?.fieldsV1, {
          "f:metadata": { "f:labels": { "f:team": {} } },
          "f:spec": { "f:reference": {} },
        });
        assert.equal(owner(forced, "alice")?.operation, "Apply");
        const shown = await k.ok(["get", "flunder", "shared", "-o", "yaml", "--show-managed-fields"]);
        assert.match(shown, /manager: alice/);
        assert.match(shown, /manager: bob/);
      });

      it("a field dropped from a configuration is removed only when nobody else owns it", async () => {
        // alice drops reference (bob owns it too) and the label (hers alone).
        await k.ok(["apply", "--server-side", "--field-manager=alice", "-f", "-"], {
          input: manifest("shared", "  color: red\n"),
        });
        const after = await get("shared");
        assert.equal(after.spec.reference, "r", "still bob's");
        assert.equal(after.metadata.labels?.team, undefined, "alice's alone: removed");
        assert.equal(after.spec.color, "red");
        // bob drops reference too: now it goes.
        await k.ok(["apply", "--server-side", "--field-manager=bob", "-f", "-"], {
          input: manifest("shared", "  replicas: 3\n"),
        });
        assert.equal((await get("shared")).spec.reference, undefined);
      });

      it("kubectl diff --server-side shows the change an apply would make", async () => {
        const changed = manifest("shared", "  color: blue\n");
        const diff = await k.run(["diff", "--server-side", "--field-manager=alice", "-f", "-"], { input: changed });
        assert.equal(diff.code, 1, diff.stderr);
        assert.match(diff.stdout, /^-\s+color: red$/m);
        assert.match(diff.stdout, /^\+\s+color: blue$/m);
        assert.equal((await get("shared")).spec.color, "red", "diff changes nothing");
        const same = await k.run(["diff", "--server-side", "--field-manager=alice", "-f", "-"], {
          input: manifest("shared", "  color: red\n"),
        });
        assert.equal(same.code, 0, same.stdout + same.stderr);
      });

      it("switching from client-side to server-side apply keeps ownership as kubectl expects", async () => {
        await k.ok(["apply", "-f", "-"], { input: manifest("migrated", "  reference: r\n  replicas: 1\n") });
        const csa = await get("migrated");
        assert.ok(csa.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]);
        assert.equal(owner(csa, "kubectl-client-side-apply")?.operation, "Update");
        // No conflict although kubectl-client-side-apply owns the fields it changes.
        await k.ok(["apply", "--server-side", "-f", "-"], {
          input: manifest("migrated", "  reference: r\n  replicas: 2\n"),
        });
        const ssa = await get("migrated");
        assert.equal(ssa.spec.replicas, 2);
        const kubectl = owner(ssa, "kubectl");
        assert.equal(kubectl?.operation, "Apply");
        assert.deepEqual(kubectl?.fieldsV1["f:spec"], { "f:reference": {}, "f:replicas": {} });
        const leftover = owner(ssa, "kubectl-client-side-apply")?.fieldsV1["f:spec"] ?? {};
        assert.equal("f:replicas" in leftover, false, "the client-side manager no longer owns what kubectl took");
        // Dropping a field now prunes it, since kubectl owns it alone.
        await k.ok(["apply", "--server-side", "-f", "-"], { input: manifest("migrated", "  replicas: 2\n") });
        assert.equal((await get("migrated")).spec.reference, undefined);
      });
    },
  );
}
