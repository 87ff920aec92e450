import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { generate } from "./generate.js";
import { createInMemoryApiProject, loadApiProject } from "./parser/project.js";
import { GROUP_DOC, KIND_FILE, kindSource } from "./testing/fixtures.js";

describe("generate", () => {
  it("renders the definitions module and the project model", () => {
    const result = generate(
      createInMemoryApiProject({ "src/apis/wardle/doc.ts": GROUP_DOC, [KIND_FILE]: kindSource("  a: string;") }),
      {
        outDir: "gen",
        runtimeModule: "@acme/runtime",
      },
    );
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.files.map((file) => file.path),
      ["gen/resources.ts", "gen/api-model.json"],
    );
    assert.match(result.files[0]?.contents ?? "", /from "@acme\/runtime"/);
  });

  it("renders nothing when there are errors", () => {
    const result = generate(createInMemoryApiProject({ [KIND_FILE]: kindSource("  a: any;") }));
    assert.equal(result.errors.length, 1);
    assert.deepEqual(result.files, []);
  });

  it("reads a project from disk with paths relative to its root", () => {
    const root = mkdtempSync(join(tmpdir(), "codegen-"));
    try {
      for (const [path, text] of Object.entries({
        "src/apis/wardle/doc.ts": GROUP_DOC,
        [KIND_FILE]: kindSource("  a: any;"),
        "src/server.ts": "export const notRead: number = 1;\n",
      })) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const result = generate(loadApiProject(root), { projectRoot: root });
      assert.deepEqual(
        result.errors.map((error) => [error.code, error.file]),
        [["UntypedField", KIND_FILE]],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
