/**
 * Every kubectl this machine has (1.27 to 1.33), each against its own server, through the
 * everyday round: discovery, explain, create, the table, watch, merge and JSON patches,
 * client-side and server-side apply, diff, label, scale, wait, replace, a refused write,
 * and delete. The other kubectl suites go deep on a few versions; this one keeps the
 * versions between them honest.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hasKubectl, type Kubectl } from "../testing/clients.js";
import { startKubectlServer } from "./kubectl-server.js";

const flunderYAML = (name: string, replicas: number, reference = "r") =>
  `apiVersion: wardle.example.com/v1alpha1\nkind: Flunder\nmetadata:\n  name: ${name}\nspec:\n  reference: ${reference}\n  replicas: ${replicas}\n`;

for (const minor of [27, 28, 29, 30, 31, 32, 33]) {
  describe(
    `kubectl 1.${minor}: the everyday round`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let k: Kubectl;
      startKubectlServer(minor, (_server, kubectl) => {
        k = kubectl;
      });

      it("discovers, explains, creates, lists, watches, patches, applies, scales, waits and deletes", async () => {
        const resources = await k.ok(["api-resources", "--api-group=wardle.example.com"]);
        assert.match(resources, /^flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder$/m);
        assert.match(await k.ok(["explain", "flunders.spec.reference"]), /refers to/);

        const watch = k.spawn(["get", "flunders", "-w", "--output-watch-events"]);
        try {
          assert.match(
            await k.ok(["create", "-f", "-"], { input: flunderYAML("m1", 1) }),
            /flunder\.wardle\.example\.com\/m1 created/,
          );
          await watch.waitFor(/ADDED\s+m1\s+r\s+1\s/);
          assert.match(await k.ok(["get", "fl"]), /^m1\s+r\s+1\s+\d+s$/m);

          await k.ok(["patch", "flunder", "m1", "--type=merge", "-p", '{"spec":{"replicas":2}}']);
          await watch.waitFor(/MODIFIED\s+m1\s+r\s+2\s/);
          await k.ok([
            "patch",
            "flunder",
            "m1",
            "--type=json",
            "-p",
            '[{"op":"replace","path":"/spec/reference","value":"j"}]',
          ]);
          await watch.waitFor(/MODIFIED\s+m1\s+j\s+2\s/);
        } finally {
          await watch.stop();
        }

        // Client-side apply keeps its annotation; server-side apply records its manager.
        const file = join(k.cacheDir, "m2.yaml");
        writeFileSync(file, flunderYAML("m2", 1));
        assert.match(await k.ok(["apply", "-f", file]), /flunder\.wardle\.example\.com\/m2 created/);
        writeFileSync(file, flunderYAML("m2", 4));
        assert.match(await k.ok(["apply", "-f", file]), /configured/);
        const applied = JSON.parse(await k.ok(["get", "flunder", "m2", "-o", "json"]));
        assert.equal(applied.spec.replicas, 4);
        assert.match(applied.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"], /"replicas":4/);
        writeFileSync(file, flunderYAML("m3", 5));
        await k.ok(["apply", "--server-side", "--field-manager=matrix", "-f", file]);
        const managers = JSON.parse(
          await k.ok(["get", "flunder", "m3", "-o", "json", "--show-managed-fields"]),
        ).metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`);
        assert.deepEqual(managers, ["matrix/Apply"]);

        // diff asks the server for a dry-run patch: exit 1 and the change when there is one.
        writeFileSync(file, flunderYAML("m3", 6));
        const diff = await k.run(["diff", "--server-side", "--field-manager=matrix", "-f", file]);
        assert.equal(diff.code, 1, diff.stderr);
        assert.match(diff.stdout, /-\s+replicas: 5\n\+\s+replicas: 6/);
        assert.equal(JSON.parse(await k.ok(["get", "flunder", "m3", "-o", "json"])).spec.replicas, 5);

        await k.ok(["label", "flunder", "m1", "tier=gold"]);
        assert.match(
          await k.ok(["get", "flunders", "-l", "tier=gold", "-o", "name"]),
          /^flunder\.wardle\.example\.com\/m1$/m,
        );
        assert.match(await k.ok(["scale", "flunder", "m1", "--replicas=7"]), /scaled/);
        await k.ok(["wait", "flunder/m1", "--for=jsonpath={.spec.replicas}=7", "--timeout=20s"]);

        const current = JSON.parse(await k.ok(["get", "flunder", "m1", "-o", "json"]));
        current.spec.reference = "replaced";
        assert.match(await k.ok(["replace", "-f", "-"], { input: JSON.stringify(current) }), /replaced/);
        const invalid = await k.run(["patch", "flunder", "m1", "--type=merge", "-p", '{"spec":{"replicas":-1}}']);
        assert.notEqual(invalid.code, 0);
        assert.match(invalid.stderr, /spec\.replicas: Invalid value: -1/);

        assert.match(await k.ok(["delete", "flunder", "m1", "m2", "m3"]), /"m3" deleted/);
        const gone = await k.run(["get", "flunder", "m1"]);
        assert.match(gone.stderr, /flunders\.wardle\.example\.com "m1" not found/);
      });
    },
  );
}
