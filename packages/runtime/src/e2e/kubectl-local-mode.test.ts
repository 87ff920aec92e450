/**
 * kubectl against a server in local mode, which stands in for a cluster (runServer's settings:
 * no garbage collector, an empty core v1 in discovery), and the same verbs behind a cluster.
 * - `kubectl delete --cascade=foreground|orphan`: behind a cluster the delete leaves its
 *   finalizer for kube-controller-manager's collector; in local mode it adds none and kubectl's
 *   wait for the deletion returns, as kube-apiserver with --enable-garbage-collector=false.
 * - `kind: List` (`kubectl get -o yaml` of several objects, `kubectl edit` of several): client-go
 *   maps it only in a discovered core v1.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hasKubectl, type Kubectl } from "../testing/clients.js";
import { startKubectlServer } from "./kubectl-server.js";

const flunderYAML = (name: string, finalizers = "") =>
  `apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata:\n  name: ${name}\n${finalizers}spec:\n  reference: r\n`;

for (const minor of [27, 33]) {
  describe(
    `kubectl 1.${minor}: local mode`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      describe("without a garbage collector (local mode)", () => {
        let k: Kubectl;
        startKubectlServer(minor, (_, kubectl) => (k = kubectl), {
          server: { garbageCollection: false, coreV1Discovery: true },
        });
        const dir = mkdtempSync(join(tmpdir(), "kubectl-local-mode-"));
        after(() => rmSync(dir, { recursive: true, force: true }));

        it("deletes at once for foreground and orphan, and keeps the object's own finalizers", async () => {
          for (const cascade of ["foreground", "orphan"]) {
            await k.ok(["create", "-f", "-"], { input: flunderYAML(`c-${cascade}`) });
            // kubectl waits for the object to go: it would wait for ever on a collector's finalizer.
            const out = await k.ok(["delete", "flunder", `c-${cascade}`, `--cascade=${cascade}`, "--timeout=20s"]);
            assert.match(out, new RegExp(`flunder.wardle.example.com "c-${cascade}" deleted`));
            const gone = await k.run(["get", "flunder", `c-${cascade}`]);
            assert.match(gone.stderr, /NotFound/);
          }
          await k.ok(["create", "-f", "-"], { input: flunderYAML("held", "  finalizers: [example.com/hold]\n") });
          await k.ok(["delete", "flunder", "held", "--cascade=foreground", "--wait=false"]);
          const finalizers = await k.ok(["get", "flunder", "held", "-o", "jsonpath={.metadata.finalizers}"]);
          assert.equal(finalizers, '["example.com/hold"]');
          await k.ok(["patch", "flunder", "held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
        });

        it("applies and edits a List of objects", async () => {
          assert.match(await k.ok(["api-versions"]), /^v1$/m);
          for (const name of ["l-one", "l-two"]) await k.ok(["create", "-f", "-"], { input: flunderYAML(name) });
          const list = await k.ok(["get", "flunders", "l-one", "l-two", "-o", "yaml"]);
          assert.match(list, /^kind: List$/m);
          const file = join(dir, "list.yaml");
          writeFileSync(file, list.replaceAll("reference: r", "reference: from-list"));
          const applied = await k.ok(["apply", "-f", file]);
          assert.match(applied, /flunder.wardle.example.com\/l-one configured/);
          // An editor that changes every object kubectl hands it (a List of both).
          const editor = join(dir, "editor.sh");
          writeFileSync(editor, "#!/bin/sh\nsed -i 's/reference: from-list/reference: edited/' \"$1\"\n");
          chmodSync(editor, 0o755);
          await k.ok(["edit", "flunders", "l-one", "l-two"], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
          const references = await k.ok([
            "get",
            "flunders",
            "l-one",
            "l-two",
            "-o",
            "jsonpath={.items[*].spec.reference}",
          ]);
          assert.equal(references, "edited edited");
        });
      });

      describe("with a garbage collector (cluster mode)", () => {
        let k: Kubectl;
        startKubectlServer(minor, (_, kubectl) => (k = kubectl));

        it("leaves the foregroundDeletion or orphan finalizer for the collector", async () => {
          for (const [cascade, finalizer] of [
            ["foreground", "foregroundDeletion"],
            ["orphan", "orphan"],
          ]) {
            await k.ok(["create", "-f", "-"], { input: flunderYAML(`g-${cascade}`) });
            await k.ok(["delete", "flunder", `g-${cascade}`, `--cascade=${cascade}`, "--wait=false"]);
            const left = await k.ok(["get", "flunder", `g-${cascade}`, "-o", "jsonpath={.metadata.finalizers}"]);
            assert.equal(left, `["${finalizer}"]`);
          }
        });
      });
    },
  );
}
