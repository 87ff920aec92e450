/**
 * Show 2 of the CLI: with `scaffold run --watch` serving, a validated, defaulted field is added to
 * a type; after the reload the server defaults and validates it. A broken type in between keeps
 * the last good server serving.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hasKubectl, Kubectl } from "@apiserver-kit/runtime/testing";
import { memoryReporter } from "../cli/reporter.js";
import { newApi } from "../commands/new-api.js";
import { CliProcess } from "../testing/cli-process.js";

const MINOR = 33;

describe("scaffold run --watch", { skip: !hasKubectl(MINOR) && `kubectl.1.${MINOR} is not installed` }, () => {
  let parent: string;
  let project: string;
  let server: CliProcess;
  before(() => {
    parent = mkdtempSync(join(tmpdir(), "scaffold-watch-"));
    project = join(parent, "paint");
    newApi({ dir: project, group: "paint.example.com", kinds: ["Brush"] }, memoryReporter());
  });
  after(async () => {
    await server?.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it("reloads a new validated, defaulted field", async () => {
    server = new CliProcess(["run", "--watch", "--port", "0", "--storage", "memory"], project);
    const [, kubeconfig = ""] = await server.waitFor(/export KUBECONFIG=(\S+)/, 0, 120_000);
    await server.waitFor(/watching src for changes/);
    const k = new Kubectl(MINOR, kubeconfig);
    const brush = (name: string, spec: object) => {
      const path = join(parent, `${name}.json`);
      writeFileSync(
        path,
        JSON.stringify({ apiVersion: "paint.example.com/v1alpha1", kind: "Brush", metadata: { name }, spec }),
      );
      return path;
    };
    try {
      await k.ok(["create", "-f", brush("before", {})]);
      assert.equal(await k.ok(["get", "brush", "before", "-o", "jsonpath={.spec.color}"]), "");

      // A type that can't be generated: reported, and the running server stays.
      const typeFile = join(project, "src/apis/paint/v1alpha1/brush.ts");
      const original = readFileSync(typeFile, "utf8");
      let mark = server.output.length;
      writeFileSync(
        typeFile,
        original.replace("  description?: string;\n}", "  description?: string;\n  color?: any;\n}"),
      );
      await server.waitFor(/UntypedField[\s\S]*keeping|warning: the API types have 1 problem/, mark);
      assert.match(await k.ok(["get", "brushes"]), /^before\s/m);

      mark = server.output.length;
      writeFileSync(
        typeFile,
        original.replace(
          "  description?: string;\n}",
          `  description?: string;
  /**
   * The brush's colour.
   * @default "green"
   */
  color?: "red" | "green" | "blue";
  /**
   * Bristle length in millimetres.
   * @minimum 1
   * @maximum 50
   */
  bristles?: int32;
}`,
        ),
      );
      await server.waitFor(/reloading: src\/apis\/paint\/v1alpha1\/brush\.ts changed/, mark);
      await server.waitFor(/export KUBECONFIG=/, mark, 120_000);
      // A fresh discovery and OpenAPI cache: the schema changed.
      k.dispose();
      const fresh = new Kubectl(MINOR, kubeconfig);
      try {
        await fresh.ok(["create", "-f", brush("after", { bristles: 10 })]);
        assert.equal(await fresh.ok(["get", "brush", "after", "-o", "jsonpath={.spec.color}"]), "green");
        const invalid = await fresh.run(["create", "-f", brush("purple", { color: "purple", bristles: 99 })]);
        assert.notEqual(invalid.code, 0);
        assert.match(
          invalid.stderr,
          /spec\.color: Unsupported value: "purple": supported values: "red", "green", "blue"/,
        );
        assert.match(
          invalid.stderr,
          /spec\.bristles: Invalid value: 99: spec\.bristles in body should be less than or equal to 50/,
        );
        assert.match(await fresh.ok(["explain", "brushes.spec.color"]), /The brush's colour\./);
      } finally {
        fresh.dispose();
      }
    } finally {
      k.dispose();
    }
  });
});
