/**
 * `kind: List` against a server in local mode, where kubectl talks to it as to a cluster: the
 * file `kubectl get -o yaml` writes for several objects, given to `kubectl apply -f`, and the
 * List `kubectl edit` hands the editor for several objects. cli-runtime maps the List itself
 * before it flattens it (mapper.infoForData, then FlattenListVisitor), and client-go's
 * discovery REST mapper knows `v1 List` only when discovery has the core group's v1. That core
 * v1 has no resources: client-go takes it from aggregated discovery as it is, where its legacy
 * discovery would call the empty /api/v1 a failed group ("received empty response for: v1").
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hasKubectl, type Kubectl } from "../testing/clients.js";
import { startKubectlServer } from "./kubectl-server.js";

const flunder = (name: string, reference: string) =>
  `- apiVersion: wardle.example.com/v1alpha1\n  kind: Flunder\n  metadata:\n    name: ${name}\n  spec:\n    reference: ${reference}\n`;

const listYAML = (reference: string, ...names: string[]) =>
  `apiVersion: v1\nkind: List\nmetadata: {}\nitems:\n${names.map((name) => flunder(name, reference)).join("")}`;

for (const minor of [27, 33]) {
  describe(
    `kubectl 1.${minor}: kind List in local mode`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let k: Kubectl;
      let dir: string;
      startKubectlServer(
        minor,
        (_, kubectl) => {
          k = kubectl;
        },
        // As runServer sets up local mode.
        { server: { garbageCollection: false, coreGroupDiscovery: true } },
      );
      before(() => {
        dir = mkdtempSync(join(tmpdir(), "kubectl-local-list-"));
      });
      after(() => rmSync(dir, { recursive: true, force: true }));

      const references = (...names: string[]) =>
        k.ok(["get", "flunders", ...names, "-o", "jsonpath={.items[*].spec.reference}"]);

      it("applies a List file of two objects, and again the List `kubectl get -o yaml` prints of them", async () => {
        const file = join(dir, "list.yaml");
        writeFileSync(file, listYAML("first", "apply-a", "apply-b"));
        const created = await k.ok(["apply", "-f", file]);
        assert.match(created, /^flunder\.wardle\.example\.com\/apply-a created$/m);
        assert.match(created, /^flunder\.wardle\.example\.com\/apply-b created$/m);
        assert.equal(await references("apply-a", "apply-b"), "first first");

        const printed = await k.ok(["get", "flunders", "apply-a", "apply-b", "-o", "yaml"]);
        assert.match(printed, /^apiVersion: v1\nitems:/);
        assert.match(printed, /^kind: List$/m);
        writeFileSync(file, printed.replaceAll("reference: first", "reference: second"));
        const configured = await k.ok(["apply", "-f", file]);
        assert.match(configured, /^flunder\.wardle\.example\.com\/apply-a configured$/m);
        assert.match(configured, /^flunder\.wardle\.example\.com\/apply-b configured$/m);
        assert.equal(await references("apply-a", "apply-b"), "second second");
      });

      it("edits two objects at once, as the one List kubectl hands the editor", async () => {
        await k.ok(["create", "-f", "-"], { input: listYAML("before", "edit-a", "edit-b") });
        const seen = join(dir, "seen.yaml");
        const editor = join(dir, "editor.sh");
        // The editor keeps a copy of what it was given, then changes both objects.
        writeFileSync(editor, `#!/bin/sh\ncp "$1" '${seen}'\nsed -i 's/reference: before/reference: after/' "$1"\n`);
        chmodSync(editor, 0o755);
        const edited = await k.ok(["edit", "flunders", "edit-a", "edit-b"], { env: { KUBE_EDITOR: editor } });
        assert.match(edited, /^flunder\.wardle\.example\.com\/edit-a edited$/m);
        assert.match(edited, /^flunder\.wardle\.example\.com\/edit-b edited$/m);
        const given = readFileSync(seen, "utf8");
        assert.match(given, /^kind: List$/m);
        assert.match(given, /name: edit-a$/m);
        assert.match(given, /name: edit-b$/m);
        assert.equal(await references("edit-a", "edit-b"), "after after");
      });

      it("keeps discovery whole: api-resources and explain say nothing of a failed group", async () => {
        const resources = await k.run(["api-resources"]);
        assert.equal(resources.code, 0, resources.stderr);
        assert.equal(resources.stderr, "");
        assert.match(resources.stdout, /^flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder$/m);
        const explained = await k.run(["explain", "flunders.spec"]);
        assert.equal(explained.code, 0, explained.stderr);
        assert.equal(explained.stderr, "");
        assert.match(explained.stdout, /reference/);
      });
    },
  );
}
