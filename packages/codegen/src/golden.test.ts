import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Project, ts } from "ts-morph";
import { formatCodegenError } from "./errors/codegen-error.js";
import { generate } from "./generate.js";
import { createInMemoryApiProject } from "./parser/project.js";

/**
 * Golden tests: every folder under testdata/golden holds a project's `src/apis` and the files
 * `generate` must produce from it, under `expected/<name>.golden`. Run with UPDATE_GOLDENS=1 to
 * rewrite the expected files after an intended change, then review the diff.
 */
const packageRoot = fileURLToPath(new URL("../", import.meta.url));
const goldenRoot = join(packageRoot, "testdata/golden");
const repoRoot = join(packageRoot, "../..");
const updating = process.env.UPDATE_GOLDENS === "1";

function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(root, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(root);
  return files;
}

function generateCase(name: string) {
  const inputs = readTree(join(goldenRoot, name, "src"));
  const project = createInMemoryApiProject(
    Object.fromEntries(Object.entries(inputs).map(([path, text]) => [`src/${path}`, text])),
  );
  return generate(project);
}

/**
 * Type-checks generated modules against the runtime's own ResourceDefinition: the modules are
 * held in memory at a path inside this package, so `@apiserver-kit/runtime` resolves to the
 * workspace package's declarations.
 */
function typeCheckModules(modules: string[]): string[] {
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      strict: true,
      noUncheckedIndexedAccess: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts"],
      types: ["node"],
      skipLibCheck: true,
      noEmit: true,
    },
  });
  const files = modules.map((text, index) =>
    project.createSourceFile(join(packageRoot, `src/generated-check/resources${index}.ts`), text),
  );
  project.resolveSourceFileDependencies();
  return files.flatMap((file) =>
    file
      .getPreEmitDiagnostics()
      .map(
        (diagnostic) =>
          `${file.getBaseName()}: ${ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, "\n")}`,
      ),
  );
}

const biome = join(repoRoot, "node_modules/.bin/biome");

describe("golden projects", () => {
  for (const name of readdirSync(goldenRoot).sort()) {
    it(name, () => {
      const result = generateCase(name);
      assert.deepEqual(result.errors.map(formatCodegenError), []);
      for (const file of result.files) {
        const golden = join(goldenRoot, name, "expected", `${file.path.split("/").pop()}.golden`);
        if (updating) {
          mkdirSync(dirname(golden), { recursive: true });
          writeFileSync(golden, file.contents);
          continue;
        }
        assert.ok(existsSync(golden), `${golden} is missing: run the tests with UPDATE_GOLDENS=1`);
        assert.equal(
          file.contents,
          readFileSync(golden, "utf8"),
          `${file.path} differs from ${relative(repoRoot, golden)}`,
        );
      }
      const again = generateCase(name);
      assert.deepEqual(
        again.files.map((file) => file.contents),
        result.files.map((file) => file.contents),
        "generate twice gives no diff",
      );
    });
  }

  it("the generated module type-checks under strict TypeScript", () => {
    const modules = readdirSync(goldenRoot).map(
      (name) => generateCase(name).files.find((file) => file.path.endsWith(".ts"))?.contents ?? assert.fail(name),
    );
    assert.deepEqual(typeCheckModules(modules), []);
  });

  it("the type check sees the runtime's real ResourceDefinition", () => {
    const wrong = `import type { ResourceDefinition } from "@apiserver-kit/runtime";
export const d: ResourceDefinition = { group: "g", names: { kind: "K", plural: "ks", singular: "k" }, scope: "Everywhere", versions: [] };
`;
    assert.match(typeCheckModules([wrong]).join("\n"), /"Everywhere"/);
  });

  it("the generated files are already formatted", { skip: !existsSync(biome) && "biome is not installed" }, () => {
    for (const name of readdirSync(goldenRoot)) {
      for (const file of generateCase(name).files) {
        const formatted = execFileSync(
          biome,
          ["format", `--stdin-file-path=packages/codegen/src/${file.path.split("/").pop()}`],
          {
            cwd: repoRoot,
            input: file.contents,
            encoding: "utf8",
          },
        );
        assert.equal(formatted, file.contents, `${name}: ${file.path}`);
      }
    }
  });
});
