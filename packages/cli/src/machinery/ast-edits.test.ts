import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addArrayElement,
  ensureKindTag,
  ensureNamedImport,
  ensureProperty,
  hasKindTag,
  importsOf,
  kindsDeclaredIn,
  objectArgumentKeys,
  propertyType,
  removeKindTag,
  replaceStringLiterals,
} from "./ast-edits.js";

const INDEX = `import type { ControllerSpec, Manager } from "@apiserver-kit/controller";
import { widgetController } from "./widget.js";

/** Every controller. */
export const controllers: Array<(manager: Manager) => ControllerSpec> = [widgetController];
`;

const KIND = `import type { ObjectMeta } from "@apiserver-kit/runtime";

/**
 * A Widget.
 *
 * @kind
 * @subresource status
 */
export interface Widget {
  apiVersion: "widgets.example.com/v1alpha1";
  metadata: ObjectMeta;
  spec: WidgetSpec;
}

/** The spec. */
export interface WidgetSpec {
  /** A note. */
  note?: string;
}
`;

describe("AST edits", () => {
  it("adds a controller and its import once, in biome's order", () => {
    const once = addArrayElement("index.ts", INDEX, {
      arrayName: "controllers",
      element: "gadgetController",
      importFrom: "./gadget.js",
    });
    assert.equal(
      once,
      INDEX.replace(
        'import { widgetController } from "./widget.js";',
        'import { gadgetController } from "./gadget.js";\nimport { widgetController } from "./widget.js";',
      ).replace("[widgetController]", "[widgetController, gadgetController]"),
    );
    const twice = addArrayElement("index.ts", once, {
      arrayName: "controllers",
      element: "gadgetController",
      importFrom: "./gadget.js",
    });
    assert.equal(twice, once);
  });

  it("breaks the list over lines once it is too long", () => {
    let text = INDEX;
    for (const name of ["alpha", "bravo", "charlie", "delta"]) {
      text = addArrayElement("index.ts", text, {
        arrayName: "controllers",
        element: `${name}Controller`,
        importFrom: `./${name}.js`,
      });
    }
    assert.match(text, /= \[\n {2}widgetController,\n {2}alphaController,\n(.|\n)* {2}deltaController,\n\];\n$/);
  });

  it("says what to do when the list is not there", () => {
    assert.throws(
      () =>
        addArrayElement("index.ts", "export const x = 1;\n", {
          arrayName: "controllers",
          element: "a",
          importFrom: "./a.js",
        }),
      /has no `const controllers = \[...\]` to add a/,
    );
  });

  it("adds imports to an existing declaration or in order", () => {
    const added = ensureNamedImport("k.ts", KIND, "@apiserver-kit/runtime", "int32", true);
    assert.match(added, /^import type \{ int32, ObjectMeta \} from "@apiserver-kit\/runtime";$/m);
    assert.equal(ensureNamedImport("k.ts", added, "@apiserver-kit/runtime", "int32", true), added);
    const relative = ensureNamedImport("k.ts", KIND, "./common.js", "Port", true);
    assert.match(relative, /from "@apiserver-kit\/runtime";\nimport type \{ Port \} from ".\/common.js";/);
  });

  it("adds, finds and removes kind markers idempotently", () => {
    const scaled = ensureKindTag(
      "k.ts",
      KIND,
      "Widget",
      "subresource",
      "scale specReplicasPath=.spec.r statusReplicasPath=.status.r",
    );
    assert.match(
      scaled,
      / \* @subresource status\n \* @subresource scale specReplicasPath=\.spec\.r statusReplicasPath=\.status\.r\n \*\//,
    );
    assert.equal(ensureKindTag("k.ts", scaled, "Widget", "subresource", "scale other=paths"), scaled);
    assert.equal(ensureKindTag("k.ts", KIND, "Widget", "subresource", "status"), KIND);
    assert.ok(hasKindTag("k.ts", scaled, "Widget", "subresource", "scale"));
    const stored = ensureKindTag("k.ts", KIND, "Widget", "storageVersion");
    assert.match(stored, / \* @storageVersion\n \*\//);
    assert.equal(removeKindTag("k.ts", stored, "Widget", "storageVersion"), KIND);
    assert.throws(() => ensureKindTag("k.ts", KIND, "Gadget", "kind"), /has no interface Gadget/);
  });

  it("adds a property once, with its docs and the import it needs", () => {
    const text = ensureProperty("k.ts", KIND, "WidgetSpec", {
      name: "replicas",
      type: "int32",
      docs: "How many.",
      importType: { name: "int32", from: "@apiserver-kit/runtime" },
    });
    assert.match(text, / {2}note\?: string;\n {2}\/\*\* How many\. \*\/\n {2}replicas\?: int32;\n\}/);
    assert.match(text, /import type \{ int32, ObjectMeta \}/);
    assert.equal(ensureProperty("k.ts", text, "WidgetSpec", { name: "replicas", type: "int32" }), text);
    assert.equal(propertyType("k.ts", KIND, "Widget", "spec"), "WidgetSpec");
    assert.equal(propertyType("k.ts", KIND, "Widget", "status"), undefined);
  });

  it("rewrites apiVersion literals and lists declared kinds", () => {
    const copied = replaceStringLiterals("k.ts", KIND, "widgets.example.com/v1alpha1", "widgets.example.com/v1beta1");
    assert.match(copied, /apiVersion: "widgets\.example\.com\/v1beta1";/);
    assert.deepEqual(kindsDeclaredIn("k.ts", KIND), ["Widget"]);
    assert.deepEqual(kindsDeclaredIn("k.ts", "export interface Plain { a: string }\n"), []);
  });

  it("reads a file's imports and re-exports with their local names, and the keys of an object argument", () => {
    const text = [
      'import type { Widget } from "../apis/w/v1/widget.js";',
      'import { gadgetType as gadgets, widgetType } from "../generated/kinds.js";',
      'import * as all from "./all.js";',
      'export { helper } from "./helper.js";',
      'import { withHooks as hooked } from "./generated/register.js";',
      "export const resources = hooked({",
      "  Widget: { strategy: {} },",
      '  "Gadget": {},',
      "  // Gizmo: {},",
      "});",
      "withHooks({ NotTheCallee: {} });",
      "",
    ].join("\n");
    assert.deepEqual(importsOf("src/x.ts", text), [
      { from: "../apis/w/v1/widget.js", names: [{ name: "Widget", local: "Widget" }], line: 1, column: 1 },
      {
        from: "../generated/kinds.js",
        names: [
          { name: "gadgetType", local: "gadgets" },
          { name: "widgetType", local: "widgetType" },
        ],
        line: 2,
        column: 1,
      },
      { from: "./all.js", names: [], line: 3, column: 1 },
      { from: "./generated/register.js", names: [{ name: "withHooks", local: "hooked" }], line: 5, column: 1 },
      { from: "./helper.js", names: [{ name: "helper", local: "helper" }], line: 4, column: 1 },
    ]);
    assert.deepEqual(objectArgumentKeys("src/x.ts", text, "hooked"), [
      { name: "Widget", line: 7, column: 3 },
      { name: "Gadget", line: 8, column: 3 },
    ]);
  });
});
