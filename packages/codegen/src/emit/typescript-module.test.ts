import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { ApiModel, KindModel } from "../model/api-model.js";
import { emitDefinitionsModule, GENERATED_HEADER } from "./typescript-module.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const biome = `${repoRoot}node_modules/.bin/biome`;

function kind(name: string): KindModel {
  return {
    kind: name,
    listKind: `${name}List`,
    plural: `${name.toLowerCase()}s`,
    singular: name.toLowerCase(),
    scope: "Namespaced",
    shortNames: [],
    categories: [],
    unconditionalUpdate: false,
    actionRequests: [],
    subresourceOptions: [],
    subresourceResponses: [],
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        deprecated: false,
        schema: { type: "object", properties: [] },
        subresources: { status: false },
        printerColumns: [],
        selectableFields: [],
        source: { file: "src/apis/x/v1/x.ts", line: 1, column: 1 },
      },
    ],
  };
}

describe("emitDefinitionsModule", () => {
  it("exports one constant per kind and the list of all, with a generated header", () => {
    const model: ApiModel = {
      groups: [{ name: "a.example.com", folder: "a", versions: ["v1"], kinds: [kind("Apple"), kind("Pear")] }],
    };
    const text = emitDefinitionsModule(model, { runtimeModule: "my-runtime" });
    assert.ok(text.startsWith(`${GENERATED_HEADER} from src/apis. DO NOT EDIT.`));
    assert.match(text, /import type \{ ResourceDefinition \} from "my-runtime";/);
    assert.match(text, /export const appleDefinition: ResourceDefinition = \{/);
    assert.match(
      text,
      /export const resourceDefinitions: ResourceDefinition\[\] = \[appleDefinition, pearDefinition\];\n$/,
    );
  });

  it("tells apart kinds of the same name in different groups by their folder", () => {
    const model: ApiModel = {
      groups: [
        { name: "a.example.com", folder: "apples", versions: ["v1"], kinds: [kind("Item")] },
        { name: "b.example.com", folder: "big-pears", versions: ["v1"], kinds: [kind("Item"), kind("Other")] },
      ],
    };
    const text = emitDefinitionsModule(model);
    assert.match(text, /export const applesItemDefinition/);
    assert.match(text, /export const bigPearsItemDefinition/);
    assert.match(text, /export const otherDefinition/);
  });

  it("writes an empty list for an empty model", () => {
    assert.match(emitDefinitionsModule({ groups: [] }), /= \[\];\n$/);
  });

  it("stays formatted with many kinds", { skip: !existsSync(biome) && "biome is not installed" }, () => {
    const kinds = Array.from({ length: 12 }, (_, index) => kind(`Kind${index}WithALongerName`));
    const text = emitDefinitionsModule({ groups: [{ name: "a.example.com", folder: "a", versions: ["v1"], kinds }] });
    const formatted = execFileSync(biome, ["format", "--stdin-file-path=packages/codegen/src/resources.ts"], {
      cwd: repoRoot,
      input: text,
      encoding: "utf8",
    });
    assert.equal(formatted, text);
  });
});
