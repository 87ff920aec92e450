/** Every scaffold project under examples/ has its generated files in step with its types (issue 9's CI rule). */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ownCheckoutRoot } from "./checkout/checkout.js";
import { memoryReporter } from "./cli/reporter.js";
import { generateCommand } from "./commands/generate.js";
import { PROJECT_FILE } from "./project/project-file.js";

const examplesDir = join(ownCheckoutRoot(), "examples");
const projects = existsSync(examplesDir)
  ? readdirSync(examplesDir).filter((name) => existsSync(join(examplesDir, name, PROJECT_FILE)))
  : [];

describe("examples pass scaffold generate --check", () => {
  it(
    "has scaffold projects to check",
    { skip: projects.length === 0 && "no example has a PROJECT file yet" },
    () => {},
  );
  for (const name of projects) {
    it(name, () => {
      generateCommand({ cwd: join(examplesDir, name), check: true }, memoryReporter());
    });
  }
});
