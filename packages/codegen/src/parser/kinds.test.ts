import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toResourceDefinitions } from "../emit/resource-definitions.js";
import { formatCodegenError } from "../errors/codegen-error.js";
import {
  assertNoErrors,
  GROUP_DOC,
  KIND_FILE,
  kindSource,
  lineOf,
  onlyKind,
  parseFiles,
  singleError,
} from "../testing/fixtures.js";
import { parseApis } from "./parse-apis.js";
import { createInMemoryApiProject } from "./project.js";

const kindDoc = (...tags: string[]) => `/**\n * A Flunder.\n${tags.map((tag) => ` * ${tag}\n`).join("")} */`;
const SPEC = "  replicas?: int32;\n  color?: string;\n  selector?: string;\n  big?: { deep: string };";
const withKindTags = (...tags: string[]) =>
  parseFiles({ [KIND_FILE]: kindSource(SPEC, "", kindDoc("@kind", ...tags)) });

describe("kinds", () => {
  it("defaults: Namespaced, plural and singular from the kind, the only version stored and served", () => {
    const result = withKindTags();
    assertNoErrors(result.errors);
    const [definition] = toResourceDefinitions(result.model);
    assert.deepEqual(
      { ...definition, versions: definition?.versions.map(({ schema: _schema, ...rest }) => rest) },
      {
        group: "wardle.example.com",
        names: { kind: "Flunder", plural: "flunders", singular: "flunder", listKind: "FlunderList" },
        scope: "Namespaced",
        versions: [{ name: "v1alpha1", served: true, storage: true }],
      },
    );
    assert.equal(definition?.versions[0]?.schema.description, "A Flunder.");
  });

  it("@scope, @plural, @singular, @shortName and @category", () => {
    const result = withKindTags(
      "@scope Cluster",
      "@plural flunderz",
      "@singular flundie",
      "@shortName fl",
      "@shortName flu",
      "@category all",
      "@category wardle",
    );
    assertNoErrors(result.errors);
    const kind = onlyKind(result);
    assert.deepEqual(
      [kind.scope, kind.plural, kind.singular, kind.shortNames, kind.categories],
      ["Cluster", "flunderz", "flundie", ["fl", "flu"], ["all", "wardle"]],
    );
  });

  it("@printColumn, checked against the schema", () => {
    const result = withKindTags(
      "@printColumn name=Replicas type=integer jsonPath=.spec.replicas",
      '@printColumn name=Color type=string jsonPath=.spec.color description="The color" priority=1 format=byte',
      "@printColumn name=Age type=date jsonPath=.metadata.creationTimestamp",
      '@printColumn name=Ready type=string jsonPath=`.status.conditions[?(@.type=="Ready")].status`',
    );
    assertNoErrors(result.errors);
    assert.deepEqual(onlyKind(result).versions[0]?.printerColumns, [
      { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
      { name: "Color", type: "string", jsonPath: ".spec.color", description: "The color", format: "byte", priority: 1 },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
      { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    ]);
    const missing = singleError(withKindTags("@printColumn name=X type=string jsonPath=.spec.nope"), "InvalidJSONPath");
    assert.match(missing.message, /spec has no field nope/);
    assert.match(
      singleError(withKindTags("@printColumn name=X type=text jsonPath=.spec.color"), "InvalidMarker").message,
      /type=/,
    );
    assert.match(
      singleError(withKindTags("@printColumn type=string jsonPath=.spec.color"), "InvalidMarker").message,
      /name=/,
    );
  });

  it("@subresource status and scale, with their paths checked", () => {
    const result = withKindTags(
      "@subresource status",
      "@subresource scale specReplicasPath=.spec.replicas statusReplicasPath=.status.replicas labelSelectorPath=.status.selector",
    );
    assertNoErrors(result.errors);
    assert.deepEqual(toResourceDefinitions(result.model)[0]?.versions[0]?.subresources, {
      status: {},
      scale: {
        specReplicasPath: ".spec.replicas",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".status.selector",
      },
    });
    const wrongPlace = withKindTags(
      "@subresource scale specReplicasPath=.status.replicas statusReplicasPath=.status.replicas",
    );
    assert.match(singleError(wrongPlace, "InvalidJSONPath").message, /under \.spec\./);
    const wrongType = withKindTags(
      "@subresource scale specReplicasPath=.spec.color statusReplicasPath=.status.replicas",
    );
    assert.match(singleError(wrongType, "InvalidJSONPath").message, /must be integer, not string/);
    assert.match(
      singleError(withKindTags("@subresource scale specReplicasPath=.spec.replicas"), "InvalidMarker").message,
      /statusReplicasPath/,
    );
    assert.match(
      singleError(withKindTags("@subresource exec"), "InvalidMarker").hint ?? "",
      /scaffold add subresource/,
    );
    assert.equal(
      singleError(withKindTags("@subresource status", "@subresource status"), "DuplicateMarker").code,
      "DuplicateMarker",
    );
  });

  it("@subresource status needs a status field", () => {
    const text = `import type { ObjectMeta } from "@apiserver-kit/runtime";\n/**\n * @kind\n * @subresource status\n */\nexport interface Flunder { apiVersion: string; kind: string; metadata: ObjectMeta; spec?: { a?: string } }\n`;
    const error = singleError(parseFiles({ [KIND_FILE]: text }), "InvalidSubresource");
    assert.equal(error.line, lineOf(text, "@subresource status"));
  });

  it("@selectableField: simple paths to string, integer or boolean fields, at most 8", () => {
    const result = withKindTags("@selectableField .spec.color", "@selectableField .spec.replicas");
    assertNoErrors(result.errors);
    assert.deepEqual(toResourceDefinitions(result.model)[0]?.versions[0]?.selectableFields, [
      { jsonPath: ".spec.color" },
      { jsonPath: ".spec.replicas" },
    ]);
    assert.match(singleError(withKindTags("@selectableField .spec.big"), "InvalidJSONPath").message, /not object/);
    assert.match(singleError(withKindTags("@selectableField .metadata.name"), "InvalidJSONPath").message, /metadata/);
    assert.match(
      singleError(withKindTags("@selectableField .spec.tags[0]"), "InvalidJSONPath").message,
      /simple paths/,
    );
    const nine = Array.from({ length: 9 }, () => "@selectableField .spec.color");
    assert.match(singleError(withKindTags(...nine), "InvalidMarker").message, /at most 8/);
  });

  it("@unconditionalUpdate becomes the strategy flag", () => {
    const result = withKindTags("@unconditionalUpdate");
    assertNoErrors(result.errors);
    assert.deepEqual(toResourceDefinitions(result.model)[0]?.strategy, { allowUnconditionalUpdate: true });
  });

  it("@storageVersion picks the stored version among several; @unserved and @deprecated mark versions", () => {
    const result = parseFiles({
      "src/apis/wardle/v1alpha1/flunder.ts": kindSource(
        SPEC,
        "",
        kindDoc("@kind", "@deprecated use v1beta1", "@unserved"),
      ),
      "src/apis/wardle/v1beta1/flunder.ts": kindSource(SPEC, "", kindDoc("@kind", "@storageVersion")),
      "src/apis/wardle/v1/flunder.ts": kindSource(SPEC, "", kindDoc("@kind", "@deprecated")),
    });
    assertNoErrors(result.errors);
    assert.deepEqual(
      toResourceDefinitions(result.model)[0]?.versions.map(({ schema: _schema, ...rest }) => rest),
      [
        { name: "v1", served: true, storage: false, deprecated: true },
        { name: "v1beta1", served: true, storage: true },
        { name: "v1alpha1", served: false, storage: false, deprecated: true, deprecationWarning: "use v1beta1" },
      ],
    );
    assert.deepEqual(result.model.groups[0]?.versions, ["v1", "v1beta1", "v1alpha1"]);
  });

  it("several versions need exactly one @storageVersion", () => {
    const none = parseFiles({
      "src/apis/wardle/v1alpha1/flunder.ts": kindSource(SPEC),
      "src/apis/wardle/v1beta1/flunder.ts": kindSource(SPEC),
    });
    assert.match(singleError(none, "StorageVersion").message, /mark exactly one/);
    const both = parseFiles({
      "src/apis/wardle/v1alpha1/flunder.ts": kindSource(SPEC, "", kindDoc("@kind", "@storageVersion")),
      "src/apis/wardle/v1beta1/flunder.ts": kindSource(SPEC, "", kindDoc("@kind", "@storageVersion")),
    });
    assert.match(singleError(both, "StorageVersion").message, /only one version is stored/);
  });

  it("kind-level names must agree across versions", () => {
    const result = parseFiles({
      "src/apis/wardle/v1alpha1/flunder.ts": kindSource(SPEC, "", kindDoc("@kind", "@scope Cluster", "@shortName fl")),
      "src/apis/wardle/v1beta1/flunder.ts": kindSource(
        SPEC,
        "",
        kindDoc("@kind", "@storageVersion", "@scope Namespaced"),
      ),
    });
    const error = singleError(result, "ConflictingKindMarkers");
    assert.match(error.message, /v1alpha1 says @scope Cluster but v1beta1 says Namespaced/);
    assert.deepEqual(onlyKind(result).shortNames, ["fl"], "a name given in one version applies to all");
  });

  it("two kinds may not share a resource name", () => {
    const other = kindSource(SPEC, "", kindDoc("@kind", "@plural flunders")).replace(/Flunder/g, "Fischer");
    const result = parseFiles({ [KIND_FILE]: kindSource(SPEC), "src/apis/wardle/v1alpha1/fischer.ts": other });
    assert.match(singleError(result, "DuplicateResourceName").message, /both answer to "flunders"/);
  });

  it("a kind may not be named like another kind's list", () => {
    const list = kindSource(SPEC).replace(/Flunder/g, "FlunderList");
    const result = parseFiles({ [KIND_FILE]: kindSource(SPEC), "src/apis/wardle/v1alpha1/flunder-list.ts": list });
    const error = singleError(result, "DuplicateKind");
    assert.match(error.message, /FlunderList is also the list kind of Flunder/);
    assert.equal(error.file, "src/apis/wardle/v1alpha1/flunder-list.ts");
  });

  it("a kind declared twice in one version is an error", () => {
    const result = parseFiles({ [KIND_FILE]: kindSource(SPEC), "src/apis/wardle/v1alpha1/again.ts": kindSource(SPEC) });
    assert.ok(
      result.errors.some((error) => error.code === "DuplicateKind"),
      result.errors.map(formatCodegenError).join("\n"),
    );
  });

  it("apiVersion, kind and metadata are checked", () => {
    const noMeta = `/** @kind */\nexport interface Flunder { apiVersion: string; kind: string; spec: { a: string } }\n`;
    assert.match(singleError(parseFiles({ [KIND_FILE]: noMeta }), "InvalidKind").message, /no metadata/);
    const wrongLiteral = kindSource(SPEC).replace("apiVersion: string", 'apiVersion: "wardle.example.com/v1"');
    assert.match(
      singleError(parseFiles({ [KIND_FILE]: wrongLiteral }), "InvalidKind").message,
      /wardle\.example\.com\/v1alpha1/,
    );
    const rightLiteral = kindSource(SPEC)
      .replace("apiVersion: string", 'apiVersion: "wardle.example.com/v1alpha1"')
      .replace("kind: string", 'kind: "Flunder"');
    assertNoErrors(parseFiles({ [KIND_FILE]: rightLiteral }).errors);
    const ownMeta = kindSource(SPEC, "interface ObjectMeta { name: string }").replace(
      /import type \{[^}]*\} from "@apiserver-kit\/runtime";\n/,
      'import type { int32, Condition } from "@apiserver-kit/runtime";\n',
    );
    assert.match(
      singleError(parseFiles({ [KIND_FILE]: ownMeta }), "InvalidKind").message,
      /ObjectMeta from @apiserver-kit\/runtime/,
    );
    const notExported = kindSource(SPEC).replace("export interface Flunder ", "interface Flunder ");
    assert.match(singleError(parseFiles({ [KIND_FILE]: notExported }), "InvalidKind").message, /not exported/);
    const alias = `import type { ObjectMeta } from "@apiserver-kit/runtime";\n/** @kind */\nexport type Flunder = { apiVersion: string; kind: string; metadata: ObjectMeta };\n`;
    assert.match(singleError(parseFiles({ [KIND_FILE]: alias }), "InvalidKind").message, /interface/);
  });

  it("kinds live only in version folders", () => {
    const result = parseFiles({ "src/apis/wardle/common/flunder.ts": kindSource(SPEC) });
    assert.equal(singleError(result, "KindOutsideVersion").file, "src/apis/wardle/common/flunder.ts");
  });

  it("kind markers are checked: arguments, duplicates, names", () => {
    assert.match(singleError(withKindTags("@scope Global"), "InvalidMarker").message, /Namespaced or Cluster/);
    assert.match(singleError(withKindTags("@plural Flunders"), "InvalidMarker").message, /lower-case DNS label/);
    assert.equal(
      singleError(withKindTags("@storageVersion", "@storageVersion"), "DuplicateMarker").code,
      "DuplicateMarker",
    );
    assert.match(singleError(withKindTags("@storageVersion now"), "InvalidMarker").message, /no argument/);
  });

  it("the group comes from @group in the group folder's doc.ts, else from the folder name", () => {
    const fromDoc = parseFiles({ [KIND_FILE]: kindSource(SPEC) });
    assert.equal(fromDoc.model.groups[0]?.name, "wardle.example.com");
    const fromFolder = parseApis(createInMemoryApiProject({ "src/apis/wardle.io/v1/flunder.ts": kindSource(SPEC) }));
    assertNoErrors(fromFolder.errors);
    assert.deepEqual(
      [fromFolder.model.groups[0]?.name, fromFolder.model.groups[0]?.folder],
      ["wardle.io", "wardle.io"],
    );
    const described = parseApis(
      createInMemoryApiProject({
        "src/apis/wardle/doc.ts":
          "/**\n * Package wardle holds the wardle API.\n *\n * @group wardle.example.com\n */\nexport {};\n",
        [KIND_FILE]: kindSource(SPEC),
      }),
    );
    assert.equal(described.model.groups[0]?.description, "Package wardle holds the wardle API.");
    const bad = parseApis(createInMemoryApiProject({ "src/apis/Wardle_/v1/flunder.ts": kindSource(SPEC) }));
    assert.match(singleError(bad, "InvalidGroup").hint ?? "", /doc\.ts/);
    const badTag = parseApis(
      createInMemoryApiProject({
        "src/apis/wardle/doc.ts": "/** @group Not_A_Group */\n",
        [KIND_FILE]: kindSource(SPEC),
      }),
    );
    assert.equal(singleError(badTag, "InvalidGroup").file, "src/apis/wardle/doc.ts");
  });

  it("orders groups and kinds by name and ignores test files and files outside src/apis", () => {
    const result = parseApis(
      createInMemoryApiProject({
        "src/apis/wardle/doc.ts": GROUP_DOC,
        "src/apis/wardle/v1alpha1/zebra.ts": kindSource(SPEC).replace(/Flunder/g, "Zebra"),
        "src/apis/wardle/v1alpha1/apple.ts": kindSource(SPEC).replace(/Flunder/g, "Apple"),
        "src/apis/wardle/v1alpha1/apple.test.ts": "/** @kind */\nexport interface Broken { fn(): void }\n",
        "src/apis/alpha.io/v1/thing.ts": kindSource(SPEC).replace(/Flunder/g, "Thing"),
        "src/server.ts": "/** @kind */\nexport interface NotAnApi { fn(): void }\n",
      }),
    );
    assertNoErrors(result.errors);
    assert.deepEqual(
      result.model.groups.map((group) => [group.name, group.kinds.map((kind) => kind.kind)]),
      [
        ["alpha.io", ["Thing"]],
        ["wardle.example.com", ["Apple", "Zebra"]],
      ],
    );
  });
});
