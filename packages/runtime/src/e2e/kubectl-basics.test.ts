/**
 * The walking skeleton, judged by real kubectl binaries: discovery, explain, create,
 * get, watch, replace and delete on a namespaced and a cluster-scoped kind.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hasKubectl, Kubectl } from "../testing/clients.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";
import { startKubectlServer } from "./kubectl-server.js";

function manifest(dir: string, name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

const flunder = (name: string, reference: string, replicas = 1) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name },
  spec: { reference, replicas },
});

const fischer = (name: string, disallowed: string[]) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Fischer",
  metadata: { name },
  disallowedFlunders: disallowed,
});

for (const minor of [32, 33]) {
  describe(
    `kubectl 1.${minor}: the everyday verbs on both kinds`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let k: Kubectl;
      startKubectlServer(minor, (_server, kubectl) => {
        k = kubectl;
      });

      it("lists both kinds in api-resources with short names and scope", async () => {
        const out = await k.ok(["api-resources", "--api-group=wardle.example.com"]);
        assert.match(out, /^flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder$/m);
        assert.match(out, /^fischers\s+fi\s+wardle\.example\.com\/v1alpha1\s+false\s+Fischer$/m);
      });

      it("explains fields with their descriptions", async () => {
        const spec = await k.ok(["explain", "flunders.spec"]);
        assert.match(spec, /FlunderSpec is the desired state of a Flunder\./);
        assert.match(spec, /reference\s+<string>/);
        assert.match(spec, /The name of the flunder or fischer this flunder refers to\./);
        const nested = await k.ok(["explain", "flunders.spec.items.name"]);
        assert.match(nested, /The item's name\./);
        const cluster = await k.ok(["explain", "fischers.disallowedFlunders"]);
        assert.match(cluster, /Names of flunders that may not be created\./);
        const meta = await k.ok(["explain", "flunders.metadata.labels"]);
        assert.match(meta, /organize and select objects/);
      });

      it("creates, gets, watches, replaces and deletes a namespaced object", async () => {
        const watch = k.spawn(["get", "flunders", "-w", "--output-watch-events"]);
        try {
          const path = manifest(k.cacheDir, "f.json", flunder("one", "bar", 2));
          assert.match(await k.ok(["create", "-f", path]), /flunder\.wardle\.example\.com\/one created/);
          await watch.waitFor(/ADDED\s+one\s+bar\s+2\s/);

          const table = await k.ok(["get", "flunders"]);
          assert.match(table, /^NAME\s+REFERENCE\s+REPLICAS\s+AGE$/m);
          assert.match(table, /^one\s+bar\s+2\s+\d+s$/m);

          const yaml = await k.ok(["get", "flunder", "one", "-o", "yaml"]);
          assert.match(yaml, /^kind: Flunder$/m);
          assert.match(yaml, /^ {2}uid: [0-9a-f-]{36}$/m);
          assert.match(yaml, /^ {2}generation: 1$/m);
          assert.match(yaml, /^ {2}resourceVersion: "\d+"$/m);

          // describe reads the object (and, from a cluster's core API, its events: none here).
          const described = await k.ok(["describe", "flunder", "one"]);
          assert.match(described, /^Name:\s+one$/m);
          assert.match(described, /^Namespace:\s+default$/m);
          assert.match(described, /^API Version:\s+wardle\.example\.com\/v1alpha1$/m);
          assert.match(described, /^ {2}Reference:\s+bar$/m);
          assert.match(described, /^ {2}Replicas:\s+2$/m);

          const current = JSON.parse(await k.ok(["get", "flunder", "one", "-o", "json"]));
          current.spec.replicas = 5;
          const replaced = manifest(k.cacheDir, "f2.json", current);
          assert.match(await k.ok(["replace", "-f", replaced]), /flunder\.wardle\.example\.com\/one replaced/);
          await watch.waitFor(/MODIFIED\s+one\s+bar\s+5\s/);
          const after = JSON.parse(await k.ok(["get", "flunder", "one", "-o", "json"]));
          assert.equal(after.metadata.generation, 2);

          assert.match(await k.ok(["delete", "flunder", "one"]), /flunder\.wardle\.example\.com "one" deleted/);
          await watch.waitFor(/DELETED\s+one\s+bar\s+5\s/);
          const gone = await k.run(["get", "flunder", "one"]);
          assert.notEqual(gone.code, 0);
          assert.match(gone.stderr, /flunders\.wardle\.example\.com "one" not found/);
        } finally {
          await watch.stop();
        }
      });

      it("creates, gets, watches, replaces and deletes a cluster-scoped object", async () => {
        const watch = k.spawn(["get", "fischers", "-w", "--output-watch-events"]);
        try {
          const path = manifest(k.cacheDir, "fi.json", fischer("ban", ["evil"]));
          assert.match(await k.ok(["create", "-f", path]), /fischer\.wardle\.example\.com\/ban created/);
          await watch.waitFor(/ADDED\s+ban\s+\["evil"\]/);
          assert.match(await k.ok(["get", "fischers"]), /^ban\s+\["evil"\]\s+\d+s$/m);
          const yaml = await k.ok(["get", "fischer", "ban", "-o", "yaml"]);
          assert.doesNotMatch(yaml, /namespace:/);
          const current = JSON.parse(await k.ok(["get", "fischer", "ban", "-o", "json"]));
          current.disallowedFlunders = ["evil", "worse"];
          assert.match(await k.ok(["replace", "-f", manifest(k.cacheDir, "fi2.json", current)]), /replaced/);
          await watch.waitFor(/MODIFIED\s+ban\s+\["evil","worse"\]/);
          assert.match(await k.ok(["delete", "fischer", "ban"]), /fischer\.wardle\.example\.com "ban" deleted/);
          await watch.waitFor(/DELETED\s+ban/);
        } finally {
          await watch.stop();
        }
      });
    },
  );
}

describe(
  "kubectl 1.27: discovery, get, watch and delete",
  { skip: !hasKubectl(27) && "kubectl.1.27 is not installed" },
  () => {
    let server: TestServer;
    let k: Kubectl;
    before(async () => {
      server = await startTestServer();
      k = new Kubectl(27, server.kubeconfig);
      // kubectl 1.27 creates with client-side validation from the protobuf OpenAPI v2; seed over HTTP instead.
      for (const name of ["a", "b"]) {
        const res = await server.request("/apis/wardle.example.com/v1alpha1/namespaces/default/flunders", {
          method: "POST",
          body: flunder(name, "ref"),
        });
        assert.equal(res.status, 201);
      }
    });
    after(async () => {
      k.dispose();
      await server.close();
    });

    it("lists api-resources", async () => {
      const out = await k.ok(["api-resources", "--api-group=wardle.example.com"]);
      assert.match(out, /^flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder$/m);
      assert.match(out, /^fischers\s+fi\s+wardle\.example\.com\/v1alpha1\s+false\s+Fischer$/m);
    });

    it("gets with printer columns", async () => {
      const out = await k.ok(["get", "fl"]);
      assert.match(out, /^a\s+ref\s+1\s+\d+s$/m);
      assert.match(out, /^b\s+ref\s+1\s+\d+s$/m);
    });

    it("watches and deletes", async () => {
      const watch = k.spawn(["get", "flunders", "-w", "--output-watch-events"]);
      try {
        await watch.waitFor(/ADDED\s+a\s+ref/);
        assert.match(await k.ok(["delete", "flunder", "a"]), /"a" deleted/);
        await watch.waitFor(/DELETED\s+a\s+ref/);
      } finally {
        await watch.stop();
      }
    });
  },
);
