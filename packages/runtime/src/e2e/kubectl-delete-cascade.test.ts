/**
 * `kubectl delete --cascade=foreground|orphan` with and without a garbage collector: behind a
 * cluster (kube-controller-manager's collector) the delete leaves its finalizer for the
 * collector; in local mode (no collector, `garbageCollection: false`) it adds none and kubectl's
 * wait for the deletion returns, as kube-apiserver with --enable-garbage-collector=false.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasKubectl, type Kubectl } from "../testing/clients.js";
import { startKubectlServer } from "./kubectl-server.js";

const flunderYAML = (name: string, finalizers = "") =>
  `apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata:\n  name: ${name}\n${finalizers}spec:\n  reference: r\n`;

for (const minor of [27, 33]) {
  describe(
    `kubectl 1.${minor}: delete --cascade`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      describe("without a garbage collector (local mode)", () => {
        let k: Kubectl;
        startKubectlServer(
          minor,
          (_, kubectl) => {
            k = kubectl;
          },
          { server: { garbageCollection: false } },
        );

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
      });

      describe("with a garbage collector (cluster mode)", () => {
        let k: Kubectl;
        startKubectlServer(minor, (_, kubectl) => {
          k = kubectl;
        });

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
