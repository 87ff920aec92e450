/**
 * Golden projects: each folder under testdata/golden holds the commands run (steps.json) and the
 * project they must produce (expected/). Random material (keys, certificates, the caBundle) is
 * left out or masked, and the checkout's path is written <apiserver-kit>. Run with
 * UPDATE_GOLDENS=1 to rewrite expected/ after an intended change, then review the diff.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ownCheckoutRoot } from "./checkout/checkout.js";
import { CliError } from "./cli/errors.js";
import { memoryReporter } from "./cli/reporter.js";
import { addResource } from "./commands/add-resource.js";
import { generateCommand } from "./commands/generate.js";
import { newApi } from "./commands/new-api.js";
import { runSteps, type Step } from "./testing/steps.js";

const packageRoot = fileURLToPath(new URL("../", import.meta.url));
const goldenRoot = join(packageRoot, "testdata/golden");
const checkout = ownCheckoutRoot();
const biome = join(checkout, "node_modules/.bin/biome");
const updating = process.env.UPDATE_GOLDENS === "1";
const RANDOM = /^deploy\/(\.pki\/|serving-cert\.yaml$)/;

function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path).split("\\").join("/");
      if (entry.isDirectory()) walk(path);
      else if (!RANDOM.test(rel)) files[rel] = normalize(readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return files;
}

const normalize = (text: string) =>
  text.replaceAll(checkout, "<apiserver-kit>").replace(/caBundle: [A-Za-z0-9+/=]+/g, "caBundle: <ca-bundle>");

describe("golden projects", () => {
  for (const name of readdirSync(goldenRoot).sort()) {
    it(name, () => {
      const steps = JSON.parse(readFileSync(join(goldenRoot, name, "steps.json"), "utf8")) as Step[];
      const parent = mkdtempSync(join(tmpdir(), "golden-"));
      const root = join(parent, name);
      try {
        runSteps(steps, root);
        const actual = readTree(root);
        const expectedDir = join(goldenRoot, name, "expected");
        if (updating) {
          rmSync(expectedDir, { recursive: true, force: true });
          for (const [path, text] of Object.entries(actual)) {
            mkdirSync(dirname(join(expectedDir, path)), { recursive: true });
            writeFileSync(join(expectedDir, path), text);
          }
        }
        const expected = readTree(expectedDir);
        assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), "the same files");
        for (const [path, text] of Object.entries(expected)) assert.equal(actual[path], text, path);

        // Re-running generate changes nothing; --check agrees.
        assert.deepEqual(
          generateCommand({ cwd: root }, memoryReporter()).changes.filter((c) => c.kind !== "unchanged"),
          [],
        );
        generateCommand({ cwd: root, check: true }, memoryReporter());

        if (existsSync(biome)) {
          const output = execFileSync(
            biome,
            ["check", `--config-path=${join(checkout, "biome.json")}`, "--max-diagnostics=50", "."],
            { cwd: root, encoding: "utf8" },
          );
          assert.match(output, /Checked \d+ files/);
        }
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    });
  }

  it("keeps user files and says how to start over", () => {
    const root = mkdtempSync(join(tmpdir(), "golden-user-files-"));
    try {
      runSteps([["new-api", { group: "widgets.example.com", kinds: ["Widget"] }]], root);
      const controller = join(root, "src/controllers/widget.ts");
      writeFileSync(controller, "// my own controller\n");
      assert.throws(
        () => newApi({ dir: root, group: "widgets.example.com", install: false }, memoryReporter()),
        (error: unknown) =>
          error instanceof CliError && error.code === "ProjectExists" && /--force/.test(error.fix ?? ""),
      );
      addResource({ cwd: root, kind: "Gadget" }, memoryReporter());
      assert.equal(readFileSync(controller, "utf8"), "// my own controller\n");
      assert.throws(
        () => addResource({ cwd: root, kind: "Gadget" }, memoryReporter()),
        (error: unknown) => error instanceof CliError && error.code === "KindExists",
      );
      const forced = newApi(
        { dir: root, group: "widgets.example.com", kinds: ["Widget"], install: false, force: true },
        memoryReporter(),
      );
      assert.equal(forced.changes.find((c) => c.path === "src/controllers/widget.ts")?.kind, "overwrite");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("fails generate --check when a type changed, and writes nothing on a dry run", () => {
    const root = mkdtempSync(join(tmpdir(), "golden-check-"));
    try {
      runSteps([["new-api", { group: "widgets.example.com", kinds: ["Widget"] }]], root);
      const typeFile = join(root, "src/apis/widgets/v1alpha1/widget.ts");
      writeFileSync(
        typeFile,
        readFileSync(typeFile, "utf8").replace(
          "  description?: string;",
          "  description?: string;\n  /** A colour. */\n  color?: string;",
        ),
      );
      assert.throws(
        () => generateCommand({ cwd: root, check: true }, memoryReporter()),
        (error: unknown) =>
          error instanceof CliError &&
          error.code === "GeneratedFilesStale" &&
          /src\/generated\/resources\.ts/.test(error.message),
      );
      const before = readFileSync(join(root, "src/generated/resources.ts"), "utf8");
      const dry = generateCommand({ cwd: root, dryRun: true }, memoryReporter());
      assert.ok(dry.changes.some((c) => c.path === "src/generated/resources.ts" && c.kind === "update"));
      assert.equal(readFileSync(join(root, "src/generated/resources.ts"), "utf8"), before);
      writeFileSync(typeFile, readFileSync(typeFile, "utf8").replace("color?: string;", "color?: any;"));
      assert.throws(
        () => generateCommand({ cwd: root }, memoryReporter()),
        (error: unknown) =>
          error instanceof CliError &&
          error.code === "CodegenFailed" &&
          /widget\.ts:\d+:\d+ - UntypedField/.test(error.message),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
