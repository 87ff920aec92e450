import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { generate } from "../generate.js";
import type { TypeModel } from "../model/api-model.js";
import { createInMemoryApiProject } from "../parser/project.js";
import { assertNoErrors, KIND_FILE, kindSource, parseFiles } from "../testing/fixtures.js";
import { emitApiReference } from "./api-reference.js";

const golden = fileURLToPath(new URL("../../testdata/golden/", import.meta.url));

function goldenModel(name: string) {
  const root = join(golden, name);
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path, "utf8");
    }
  };
  walk(join(root, "src"));
  const result = generate(createInMemoryApiProject(files));
  assert.deepEqual(result.errors, []);
  return result.model;
}

/** Every field's description as its schema carries it (the field's own, else its type's). */
function descriptions(type: TypeModel, out: Set<string>, seen = new Set<TypeModel>()): Set<string> {
  if (seen.has(type) || type.wellKnown === "ObjectMeta") return out;
  seen.add(type);
  for (const field of type.properties ?? []) {
    const text = field.description ?? field.type.description;
    if (text) out.add(text);
    descriptions(field.type, out, seen);
  }
  if (type.items) descriptions(type.items, out, seen);
  if (type.values) descriptions(type.values, out, seen);
  return out;
}

describe("API reference pages", () => {
  for (const name of ["wardle", "markers"]) {
    it(`${name}: one page per group-version holding every description`, () => {
      const model = goldenModel(name);
      const pages = emitApiReference(model);
      for (const group of model.groups) {
        for (const version of group.versions) {
          const page = pages.find((file) => file.path === `docs/api/${group.name}-${version}.md`);
          assert.ok(page, `${group.name}/${version}`);
          for (const kind of group.kinds) {
            const kv = kind.versions.find((v) => v.name === version);
            if (!kv) continue;
            assert.match(page.contents, new RegExp(`^## ${kind.kind}$`, "m"));
            const texts = descriptions(kv.schema, new Set());
            if (kv.schema.description) texts.add(kv.schema.description);
            assert.ok(texts.size > 3);
            for (const text of texts) {
              const flat = text
                .replace(/\s*\n\s*/g, " ")
                .trim()
                .replace(/\|/g, "\\|");
              assert.ok(page.contents.includes(flat), `${kind.kind} ${version}: "${flat}"`);
            }
          }
        }
      }
      assert.match(pages.at(-1)?.contents ?? "", /^# API reference$/m);
    });
  }

  it("shows types, constraints and printer columns", () => {
    const pages = emitApiReference(goldenModel("wardle"), { outDir: "api" });
    const v1alpha1 = pages.find((file) => file.path === "api/wardle.example.com-v1alpha1.md")?.contents ?? "";
    assert.match(
      v1alpha1,
      /^\| `spec.referenceType` \| string \| {2}\| The type of the reference\. One of: `Flunder`, `Fischer`\. Default: `"Flunder"`\. \|$/m,
    );
    assert.match(v1alpha1, /^\| Reference \| string \| `.spec.reference` \|$/m);
    assert.match(v1alpha1, /^\| Scope \| Cluster \|$/m);
    assert.match(v1alpha1, /^\| `status.conditions` \| array of Condition \| {2}\|.*A map list keyed by `type`\. \|$/m);
  });

  it("documents each action's request body under its kind", () => {
    const result = parseFiles({
      [KIND_FILE]: kindSource("  color?: string;"),
      "src/apis/wardle/v1alpha1/flunder-approve-request.ts":
        "/**\n * Approves a Flunder.\n * @actionRequest kind=Flunder action=approve\n */\nexport interface FlunderApproveRequest {\n  /**\n   * Who approves.\n   * @maxLength 63\n   */\n  approver: string;\n}\n",
      "src/apis/wardle/v1alpha1/flunder-reset-request.ts":
        "/** @actionRequest kind=Flunder action=reset */\nexport interface FlunderResetRequest {}\n",
    });
    assertNoErrors(result.errors);
    const page = emitApiReference(result.model)[0]?.contents ?? "";
    const approve = page.slice(page.indexOf("### Action `approve`"));
    assert.match(
      approve,
      /^### Action `approve`\n\n`POST \.\.\.\/flunders\/<name>\/approve` takes a `FlunderApproveRequest` \(wardle\.example\.com\/v1alpha1\), checked before the action runs\.\n\nApproves a Flunder\.\n\n\| Field \| Type \| Required \| Description \|\n\| --- \| --- \| --- \| --- \|\n\| `approver` \| string \| yes \| Who approves\. Maximum length: 63\. \|\n/,
    );
    assert.match(page, /### Action `reset`\n\n.*\n\nIt has no fields: send `\{\}`\./);
    assert.ok(page.indexOf("### Fields") < page.indexOf("### Action `approve`"), "after the kind's fields");
  });
});
