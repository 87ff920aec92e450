/**
 * OpenAPI as real kubectl binaries consume it: `explain` of nested fields (v3, and v2 read
 * from the gnostic protobuf), `create -f` with kubectl's default validation, and an
 * unknown field refused. kubectl 1.27 and 1.28 download the protobuf v2 before any create.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hasKubectl, type Kubectl } from "../testing/clients.js";
import { startKubectlServer } from "./kubectl-server.js";

const flunder = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name },
  spec,
});

for (const minor of [27, 28, 32, 33]) {
  describe(
    `kubectl 1.${minor} reads this server's OpenAPI`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let k: Kubectl;
      startKubectlServer(minor, (_server, kubectl) => {
        k = kubectl;
      });

      it("explains nested fields with their descriptions", async () => {
        const nested = await k.ok(["explain", "flunders.spec.items.name"]);
        assert.match(nested, /The item's name\./);
        const meta = await k.ok(["explain", "flunders.metadata.labels"]);
        assert.match(meta, /organize and select objects/);
        const cluster = await k.ok(["explain", "fischers.disallowedFlunders"]);
        assert.match(cluster, /Names of flunders that may not be created\./);
      });

      it("explains from the protobuf OpenAPI v2 as well", async () => {
        const out = await k.ok(["explain", "flunders.spec.items", "--output=plaintext-openapiv2"]);
        assert.match(out, /RESOURCE: items <\[\]Object>/);
        assert.match(out, /name\s+<string> -required-\n\s+The item's name\./);
        const meta = await k.ok(["explain", "flunders.metadata.labels", "--output=plaintext-openapiv2"]);
        assert.match(meta, /FIELD:\s+labels <map\[string\]string>/);
      });

      it("creates with the default validation and refuses an unknown field with the server's message", async () => {
        const good = join(k.cacheDir, "good.json");
        writeFileSync(good, JSON.stringify(flunder("good", { reference: "a", items: [{ name: "x", size: 1 }] })));
        const created = await k.run(["create", "-f", good, "-v=6"]);
        assert.equal(created.code, 0, created.stderr);
        assert.match(created.stdout, /flunder\.wardle\.example\.com\/good created/);
        // Strict validation goes to the server: kubectl found fieldValidation on the PATCH operation.
        // (1.33 logs `verb="POST" url="…"`, older versions `POST https://…`.)
        assert.match(
          created.stderr,
          /POST"? (url=")?https:\/\/\S+\/flunders\?fieldManager=kubectl-create&fieldValidation=Strict"? (status=")?201/,
        );
        if (minor <= 28) assert.match(created.stderr, /GET https:\/\/\S+\/openapi\/v2\?timeout=\S+ 200 OK/);

        const bad = join(k.cacheDir, "bad.json");
        writeFileSync(bad, JSON.stringify(flunder("bad", { reference: "a", bogus: 1 })));
        const refused = await k.run(["create", "-f", bad]);
        assert.equal(refused.code, 1);
        assert.match(
          refused.stderr,
          /Error from server \(BadRequest\).*strict decoding error: unknown field "spec\.bogus"/,
        );
        assert.equal((await k.run(["get", "flunder", "bad"])).code, 1, "nothing was created");
      });
    },
  );
}
