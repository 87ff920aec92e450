import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCodegenError } from "../errors/codegen-error.js";
import { fieldSchema, KIND_FILE, kindSource, lineOf, parseFiles, parseSpec, singleError } from "../testing/fixtures.js";

/** `/** @tag text *\/` above a field. */
const marked = (tags: string[], field: string) =>
  `  /**\n${tags.map((tag) => `   * ${tag}\n`).join("")}   */\n  ${field}`;

describe("field and type markers", () => {
  it("@minimum, @maximum and @multipleOf", () => {
    assert.deepEqual(fieldSchema(marked(["@minimum 1", "@maximum 10", "@multipleOf 2"], "n: int32;"), "n"), {
      type: "integer",
      format: "int32",
      minimum: 1,
      maximum: 10,
      multipleOf: 2,
    });
    assert.deepEqual(fieldSchema(marked(["@minimum -0.5"], "x: number;"), "x"), { type: "number", minimum: -0.5 });
  });

  it("@exclusiveMinimum and @exclusiveMaximum set the bound and the exclusive flag", () => {
    assert.deepEqual(fieldSchema(marked(["@exclusiveMinimum 0", "@exclusiveMaximum 1"], "ratio: number;"), "ratio"), {
      type: "number",
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1,
      exclusiveMaximum: true,
    });
  });

  it("@minLength, @maxLength, @pattern and @format on strings", () => {
    assert.deepEqual(
      fieldSchema(
        marked(["@minLength 1", "@maxLength 63", "@pattern ^[a-z]+$", "@format hostname"], "host: string;"),
        "host",
      ),
      { type: "string", format: "hostname", minLength: 1, maxLength: 63, pattern: "^[a-z]+$" },
    );
  });

  it("@minItems and @maxItems on arrays", () => {
    assert.deepEqual(fieldSchema(marked(["@minItems 1", "@maxItems 3"], "tags: string[];"), "tags"), {
      type: "array",
      minItems: 1,
      maxItems: 3,
      items: { type: "string" },
    });
  });

  it("@minProperties and @maxProperties on maps and objects", () => {
    assert.deepEqual(
      fieldSchema(marked(["@minProperties 1", "@maxProperties 5"], "labels: Record<string, string>;"), "labels"),
      {
        type: "object",
        minProperties: 1,
        maxProperties: 5,
        additionalProperties: { type: "string" },
      },
    );
  });

  it("@default takes JSON, and bare text for strings", () => {
    assert.deepEqual(fieldSchema(marked(['@default "Red"'], 'color?: "Red" | "Green";'), "color").default, "Red");
    assert.deepEqual(fieldSchema(marked(["@default Red"], 'color?: "Red" | "Green";'), "color").default, "Red");
    assert.deepEqual(fieldSchema(marked(["@default 3"], "n?: int32;"), "n").default, 3);
    assert.deepEqual(fieldSchema(marked(['@default {"a": 1}'], "m?: Record<string, int32>;"), "m").default, { a: 1 });
    assert.deepEqual(fieldSchema(marked(['@default ["x"]'], "l?: string[];"), "l").default, ["x"]);
  });

  it("@preserveUnknownFields and @embeddedResource", () => {
    assert.deepEqual(
      fieldSchema(
        marked(["@embeddedResource", "@preserveUnknownFields"], "template: Record<string, unknown>;"),
        "template",
      ),
      { type: "object", "x-kubernetes-preserve-unknown-fields": true, "x-kubernetes-embedded-resource": true },
    );
    assert.deepEqual(
      fieldSchema(
        marked(["@embeddedResource"], "object: Embedded;"),
        "object",
        "interface Embedded { apiVersion: string; kind: string; metadata?: ObjectMeta }",
      )["x-kubernetes-embedded-resource"],
      true,
    );
  });

  it("@listType with @listMapKey, and @mapType", () => {
    const ports = fieldSchema(
      marked(["@listType map", "@listMapKey name", "@listMapKey protocol"], "ports: Port[];"),
      "ports",
      'interface Port { name: string; protocol: "TCP" | "UDP"; port: int32 }',
    );
    assert.equal(ports["x-kubernetes-list-type"], "map");
    assert.deepEqual(ports["x-kubernetes-list-map-keys"], ["name", "protocol"]);
    assert.equal(fieldSchema(marked(["@listType set"], "tags: string[];"), "tags")["x-kubernetes-list-type"], "set");
    assert.equal(
      fieldSchema(marked(["@listType atomic"], "args: string[];"), "args")["x-kubernetes-list-type"],
      "atomic",
    );
    assert.equal(
      fieldSchema(marked(["@mapType atomic"], "labels: Record<string, string>;"), "labels")["x-kubernetes-map-type"],
      "atomic",
    );
    assert.equal(
      fieldSchema(marked(["@mapType granular"], "o: { a: string };"), "o")["x-kubernetes-map-type"],
      "granular",
    );
  });

  it("@patchStrategy and @patchMergeKey", () => {
    const schema = fieldSchema(
      marked(["@patchStrategy merge", "@patchMergeKey name"], "items: Item[];"),
      "items",
      "interface Item { name: string }",
    );
    assert.equal(schema["x-kubernetes-patch-strategy"], "merge");
    assert.equal(schema["x-kubernetes-patch-merge-key"], "name");
  });

  it("@validation rules with every key, on fields, types and kinds", () => {
    const schema = fieldSchema(
      marked(
        [
          '@validation rule="self.min <= self.max" message="min must not exceed max"',
          "@validation rule=`self.name.startsWith('x')` messageExpression=`'bad: ' + self.name` reason=FieldValueForbidden fieldPath=.name optionalOldSelf=true",
        ],
        "range: Range;",
      ),
      "range",
      "interface Range { min: int32; max: int32; name: string }",
    );
    assert.deepEqual(schema["x-kubernetes-validations"], [
      { rule: "self.min <= self.max", message: "min must not exceed max" },
      {
        rule: "self.name.startsWith('x')",
        messageExpression: "'bad: ' + self.name",
        reason: "FieldValueForbidden",
        fieldPath: ".name",
        optionalOldSelf: true,
      },
    ]);
    const typed = fieldSchema(
      "  r: Ranged;",
      "r",
      '/** @validation rule="self.a > 0" */\ninterface Ranged { a: int32 }',
    );
    assert.deepEqual(typed["x-kubernetes-validations"], [{ rule: "self.a > 0" }]);
  });

  it("@validation on the kind applies to the root schema", () => {
    const text = kindSource(
      "  a: int32;",
      "",
      '/**\n * @kind\n * @validation rule="self.metadata.name.size() < 20"\n */',
    );
    const result = parseFiles({ [KIND_FILE]: text });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.model.groups[0]?.kinds[0]?.versions[0]?.schema.validations, [
      { rule: "self.metadata.name.size() < 20" },
    ]);
  });
});

/** Each case: the field with its markers, extra declarations, expected code and a message fragment. */
const MISUSES: Array<{ name: string; field: string; extra?: string; code: string; message: RegExp; hint?: RegExp }> = [
  {
    name: "@minimum on a string",
    field: marked(["@minimum 1"], "s: string;"),
    code: "MarkerNotApplicable",
    message: /integer or number/,
  },
  {
    name: "@minimum on an array (items need an alias)",
    field: marked(["@minimum 1"], "ports: int32[];"),
    code: "MarkerNotApplicable",
    message: /not to a array/,
    hint: /type alias for the item type/,
  },
  {
    name: "@minimum not a number",
    field: marked(["@minimum one"], "n: int32;"),
    code: "InvalidMarker",
    message: /needs a number/,
  },
  {
    name: "@minimum fractional on an integer",
    field: marked(["@minimum 1.5"], "n: int32;"),
    code: "InvalidMarker",
    message: /whole number/,
  },
  {
    name: "@multipleOf zero",
    field: marked(["@multipleOf 0"], "n: int32;"),
    code: "InvalidMarker",
    message: /greater than 0/,
  },
  {
    name: "@maxLength negative",
    field: marked(["@maxLength -1"], "s: string;"),
    code: "InvalidMarker",
    message: /non-negative/,
  },
  {
    name: "@pattern invalid",
    field: marked(["@pattern [a-"], "s: string;"),
    code: "InvalidMarker",
    message: /regular expression/,
  },
  {
    name: "@format unknown",
    field: marked(["@format colour"], "s: string;"),
    code: "InvalidMarker",
    message: /format/,
    hint: /hostname/,
  },
  {
    name: "@minItems on a map",
    field: marked(["@minItems 1"], "m: Record<string, string>;"),
    code: "MarkerNotApplicable",
    message: /array/,
  },
  {
    name: "@maxProperties on a string",
    field: marked(["@maxProperties 1"], "s: string;"),
    code: "MarkerNotApplicable",
    message: /object or map/,
  },
  {
    name: "@default not JSON",
    field: marked(["@default {oops"], "n?: int32;"),
    code: "InvalidDefault",
    message: /not JSON/,
  },
  {
    name: "@default of the wrong type",
    field: marked(["@default 3"], "s?: string;"),
    code: "InvalidDefault",
    message: /expected a string/,
  },
  {
    name: "@default outside the enum",
    field: marked(["@default Blue"], 'c?: "Red" | "Green";'),
    code: "InvalidDefault",
    message: /not one of "Red", "Green"/,
  },
  {
    name: "@default missing a required field",
    field: marked(['@default {"a": 1}'], "o?: { a: int32; b: string };"),
    code: "InvalidDefault",
    message: /\.b is required/,
  },
  {
    name: "@preserveUnknownFields on a string",
    field: marked(["@preserveUnknownFields"], "s: string;"),
    code: "MarkerNotApplicable",
    message: /object/,
  },
  {
    name: "a flag with an argument",
    field: marked(["@preserveUnknownFields yes"], "o: { a: string };"),
    code: "InvalidMarker",
    message: /no argument/,
  },
  {
    name: "@listType unknown",
    field: marked(["@listType bag"], "l: string[];"),
    code: "InvalidMarker",
    message: /one of atomic, set, map/,
  },
  {
    name: "@listType map without keys",
    field: marked(["@listType map"], "l: { a: string }[];"),
    code: "InvalidListType",
    message: /@listMapKey/,
  },
  {
    name: "@listMapKey without map",
    field: marked(["@listMapKey a"], "l: { a: string }[];"),
    code: "InvalidListType",
    message: /@listType map/,
  },
  {
    name: "@listMapKey naming a missing field",
    field: marked(["@listType map", "@listMapKey b"], "l: { a: string }[];"),
    code: "InvalidListType",
    message: /no field b/,
  },
  {
    name: "@listMapKey naming an optional field",
    field: marked(["@listType map", "@listMapKey a"], "l: { a?: string }[];"),
    code: "InvalidListType",
    message: /required or have a @default/,
  },
  {
    name: "@listType set of objects",
    field: marked(["@listType set"], "l: { a: string }[];"),
    code: "InvalidListType",
    message: /scalar items/,
    hint: /@listType map/,
  },
  {
    name: "@mapType unknown",
    field: marked(["@mapType half"], "m: Record<string, string>;"),
    code: "InvalidMarker",
    message: /one of atomic, granular/,
  },
  {
    name: "@patchStrategy unknown",
    field: marked(["@patchStrategy squash"], "l: string[];"),
    code: "InvalidMarker",
    message: /must be one of/,
  },
  {
    name: "@patchMergeKey naming a missing field",
    field: marked(["@patchMergeKey id"], "l: { name: string }[];"),
    code: "InvalidMarker",
    message: /no such field/,
  },
  {
    name: "@validation without a rule",
    field: marked(['@validation message="x"'], "n: int32;"),
    code: "InvalidMarker",
    message: /rule=/,
  },
  {
    name: "@validation with an unknown key",
    field: marked(['@validation rule="self > 0" severity=high'], "n: int32;"),
    code: "InvalidMarker",
    message: /unknown key severity/,
  },
  {
    name: "@validation with a bad reason",
    field: marked(['@validation rule="self > 0" reason=Oops'], "n: int32;"),
    code: "InvalidMarker",
    message: /reason must be one of/,
  },
  {
    name: "@validation with an unclosed quote",
    field: marked(['@validation rule="self > 0'], "n: int32;"),
    code: "InvalidMarker",
    message: /not closed/,
  },
  {
    name: "a marker given twice",
    field: marked(["@minimum 1", "@minimum 2"], "n: int32;"),
    code: "DuplicateMarker",
    message: /more than once/,
  },
  {
    name: "@minimum with @exclusiveMinimum",
    field: marked(["@minimum 1", "@exclusiveMinimum 0"], "n: int32;"),
    code: "ConflictingMarkers",
    message: /both set the lower bound/,
  },
  {
    name: "@minLength above @maxLength",
    field: marked(["@minLength 5", "@maxLength 2"], "s: string;"),
    code: "ConflictingMarkers",
    message: /greater than/,
  },
  {
    name: "an unknown marker with a near name",
    field: marked(["@maxLenght 3"], "s: string;"),
    code: "UnknownMarker",
    message: /not a marker/,
    hint: /@maxLength/,
  },
  {
    name: "kubebuilder's @nullable",
    field: marked(["@nullable"], "s: string;"),
    code: "UnknownMarker",
    message: /not a marker/,
    hint: /\| null/,
  },
  {
    name: "kubebuilder's @enum",
    field: marked(["@enum A;B"], "s: string;"),
    code: "UnknownMarker",
    message: /not a marker/,
    hint: /string-literal union/,
  },
  {
    name: "@uniqueItems",
    field: marked(["@uniqueItems"], "l: string[];"),
    code: "UnknownMarker",
    message: /not a marker/,
    hint: /@listType set/,
  },
  {
    name: "a kind marker on a field",
    field: marked(["@scope Cluster"], "s: string;"),
    code: "MarkerNotApplicable",
    message: /@kind interface/,
  },
  {
    name: "the group marker on a field",
    field: marked(["@group x.io"], "s: string;"),
    code: "MarkerNotApplicable",
    message: /doc\.ts/,
  },
];

describe("marker misuse is a typed error at the marker's line", () => {
  for (const misuse of MISUSES) {
    it(misuse.name, () => {
      const text = kindSource(misuse.field, misuse.extra ?? "");
      const result = parseFiles({ [KIND_FILE]: text });
      const error = singleError(result, misuse.code as never);
      assert.match(error.message, misuse.message, formatCodegenError(error));
      if (misuse.hint) assert.match(error.hint ?? "", misuse.hint);
      // At one of the marker lines, or at the field (for checks made on the finished field).
      const fieldLines = misuse.field.split("\n").filter((line) => line.includes("@") || !line.trim().startsWith("*"));
      const expectedLines = fieldLines.filter((line) => line.trim() !== "/**").map((line) => lineOf(text, line.trim()));
      assert.ok(
        expectedLines.includes(error.line),
        `${formatCodegenError(error)} not at ${expectedLines.join(" or ")}`,
      );
    });
  }

  it("ignores ordinary documentation tags", () => {
    const result = parseSpec(marked(["@see https://example.com", "@example 42", "@deprecated use b"], "a?: int32;"));
    assert.deepEqual(result.errors, []);
  });
});
