/**
 * Every scaffold project under examples/ has its generated files and its deploy manifests in
 * step with its types (issue 9's CI rule; issue 15's examples are made with the CLI).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
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
      const changes = manifestsCommand({ cwd: join(examplesDir, name), dryRun: true }, memoryReporter());
      const deploy = changes.filter((change) => change.path.startsWith("deploy/"));
      assert.ok(deploy.some((change) => change.path === "deploy/50-apiservices.yaml"));
      assert.deepEqual(
        deploy.filter((change) => change.kind !== "unchanged"),
        [],
        "run `scaffold manifests` in the example",
      );
    });
  }
});
