/**
 * Every scaffold project under examples/ has its generated files and its deploy manifests in
 * step with its types (issue 9's CI rule; issue 15's examples are made with the CLI).
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ownCheckoutRoot } from "./checkout/checkout.js";
import { memoryReporter } from "./cli/reporter.js";
import { generateCommand } from "./commands/generate.js";
import { manifestsCommand } from "./commands/manifests.js";
import { PROJECT_FILE } from "./project/project-file.js";

const examplesDir = join(ownCheckoutRoot(), "examples");
const projects = existsSync(examplesDir)
  ? readdirSync(examplesDir).filter((name) => existsSync(join(examplesDir, name, PROJECT_FILE)))
  : [];

describe("examples pass scaffold generate --check", () => {
  it("finds the scaffold projects among the examples", () => {
    // A missing PROJECT file would otherwise silently drop an example from the checks below.
    for (const name of ["wardle", "host-metrics", "builds"]) assert.ok(projects.includes(name), name);
  });
  for (const name of projects) {
    it(name, () => {
      generateCommand({ cwd: join(examplesDir, name), check: true }, memoryReporter());
    });
    it(`${name}: deploy/ is what scaffold manifests makes`, () => {
      // In a scratch copy: the example's deploy/.pki (git-ignored, like deploy/serving-cert.yaml)
      // exists only where someone ran `scaffold manifests`, so a clean clone makes a new CA.
      const source = join(examplesDir, name);
      const scratch = mkdtempSync(join(tmpdir(), `example-${name}-`));
      try {
        cpSync(source, scratch, {
          recursive: true,
          filter: (path) => !/[/\\](node_modules|dist|\.data|\.pki)$/.test(path) && !path.endsWith("serving-cert.yaml"),
        });
        manifestsCommand({ cwd: scratch }, memoryReporter());
        // serving-cert.yaml holds the per-clone private key: git-ignored, never compared.
        const manifests = (dir: string) =>
          readdirSync(join(dir, "deploy")).filter((file) => file.endsWith(".yaml") && file !== "serving-cert.yaml");
        const committed = manifests(source);
        const made = manifests(scratch);
        assert.ok(made.includes("50-apiservices.yaml"));
        assert.deepEqual(made.sort(), [...committed].sort(), "run `scaffold manifests` in the example");
        for (const file of made) {
          assert.equal(
            withoutCaBundle(readFileSync(join(scratch, "deploy", file), "utf8")),
            withoutCaBundle(readFileSync(join(source, "deploy", file), "utf8")),
            `deploy/${file}: run \`scaffold manifests\` in the example`,
          );
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  }
});

/** The APIService caBundle is this clone's CA: everything else must match byte for byte. */
function withoutCaBundle(yaml: string): string {
  return yaml.replace(/^(\s*caBundle:) \S+$/gm, "$1 <this clone's CA>");
}
