import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toJSONSchema } from "../emit/schema.js";
import {
  assertNoErrors,
  fieldSchema,
  KIND_FILE,
  kindSource,
  onlyKind,
  parseFiles,
  specSchema,
} from "../testing/fixtures.js";

describe("supported TypeScript", () => {
  it("maps string, number and boolean, and integers through the int32/int64 aliases", () => {
    const spec = specSchema(
      "  name: string;\n  ratio: number;\n  enabled: boolean;\n  replicas: int32;\n  size: int64;",
    );
    assert.deepEqual(spec.properties, {
      name: { type: "string" },
      ratio: { type: "number" },
      enabled: { type: "boolean" },
      replicas: { type: "integer", format: "int32" },
      size: { type: "integer", format: "int64" },
    });
  });

  it("lists fields without ? as required, in declaration order", () => {
    const spec = specSchema("  b: string;\n  a?: string;\n  c: string | undefined;\n  d: string;");
    assert.deepEqual(spec.required, ["b", "d"]);
    assert.deepEqual(Object.keys(spec.properties ?? {}), ["b", "a", "c", "d"]);
  });

  it("turns JSDoc into descriptions; a field's own comment wins over its type's", () => {
    const spec = specSchema(
      "  /** The primary color. */\n  primary: Color;\n  secondary?: Color;",
      '/** A color of the rainbow. */\nexport type Color = "Red" | "Green";',
    );
    assert.equal(spec.properties?.primary?.description, "The primary color.");
    assert.equal(spec.properties?.secondary?.description, "A color of the rainbow.");
    assert.deepEqual(spec.properties?.secondary?.enum, ["Red", "Green"]);
  });

  it("reads nested objects, inline and named", () => {
    const spec = specSchema(
      "  inline: { host: string; port?: int32 };\n  named: Endpoint;",
      "/** Where to connect. */\nexport interface Endpoint {\n  host: string;\n}",
    );
    assert.deepEqual(spec.properties?.inline, {
      type: "object",
      properties: { host: { type: "string" }, port: { type: "integer", format: "int32" } },
      required: ["host"],
    });
    assert.deepEqual(spec.properties?.named, {
      description: "Where to connect.",
      type: "object",
      properties: { host: { type: "string" } },
      required: ["host"],
    });
  });

  it("reads arrays written T[], Array<T> and readonly T[]", () => {
    const spec = specSchema("  a: string[];\n  b: Array<int32>;\n  c: readonly boolean[];\n  d: string[][];");
    assert.deepEqual(spec.properties?.a, { type: "array", items: { type: "string" } });
    assert.deepEqual(spec.properties?.b, { type: "array", items: { type: "integer", format: "int32" } });
    assert.deepEqual(spec.properties?.c, { type: "array", items: { type: "boolean" } });
    assert.deepEqual(spec.properties?.d, { type: "array", items: { type: "array", items: { type: "string" } } });
  });

  it("reads Record<string, T> as a map", () => {
    assert.deepEqual(fieldSchema("  labels: Record<string, string>;", "labels"), {
      type: "object",
      additionalProperties: { type: "string" },
    });
    assert.deepEqual(fieldSchema("  ports: Record<string, { port: int32 }>;", "ports"), {
      type: "object",
      additionalProperties: {
        type: "object",
        properties: { port: { type: "integer", format: "int32" } },
        required: ["port"],
      },
    });
  });

  it("reads string-literal unions as enums, also through aliases and mixed with literals", () => {
    const spec = specSchema(
      '  a: "Red" | "Green";\n  b: Base | "Blue";\n  c: 1 | 2 | 3;\n  d: true | false;\n  e: "Only";',
      'type Base = "Red" | "Green";',
    );
    assert.deepEqual(spec.properties?.a, { type: "string", enum: ["Red", "Green"] });
    assert.deepEqual(spec.properties?.b, { type: "string", enum: ["Red", "Green", "Blue"] });
    assert.deepEqual(spec.properties?.c, { type: "integer", enum: [1, 2, 3] });
    assert.deepEqual(spec.properties?.d, { type: "boolean" });
    assert.deepEqual(spec.properties?.e, { type: "string", enum: ["Only"] });
  });

  it("reads T | null as nullable", () => {
    const spec = specSchema(
      '  note: string | null;\n  color?: "Red" | "Green" | null;\n  peer: Peer | null;',
      "interface Peer { a: string }",
    );
    assert.deepEqual(spec.properties?.note, { type: "string", nullable: true });
    assert.deepEqual(spec.properties?.color, { type: "string", enum: ["Red", "Green"], nullable: true });
    assert.equal(spec.properties?.peer?.nullable, true);
    assert.equal(spec.properties?.peer?.type, "object");
  });

  it("merges the fields of extended interfaces, the extending one's last", () => {
    const spec = specSchema(
      "  endpoint: Secure;",
      "interface Base { host: string; port?: int32 }\ninterface Tagged { tags?: string[] }\ninterface Secure extends Base, Tagged { port: int32; tls: boolean }",
    );
    const endpoint = spec.properties?.endpoint;
    assert.deepEqual(Object.keys(endpoint?.properties ?? {}), ["host", "port", "tags", "tls"]);
    assert.deepEqual(endpoint?.required, ["host", "port", "tls"]);
  });

  it("resolves types imported from other files, through re-exports, and across versions", () => {
    const result = parseFiles({
      "src/apis/wardle/v1alpha1/types.ts": "/** Shared. */\nexport interface Shared { a: string }\n",
      "src/apis/wardle/v1alpha1/index.ts":
        'export * from "./types.js";\nexport { Shared as Renamed } from "./types.js";\n',
      "src/apis/wardle/common/color.ts": 'export type Color = "Red" | "Green";\n',
      [KIND_FILE]: kindSource(
        "  direct: Shared;\n  star: Star;\n  renamed: Renamed;\n  color: Color;",
        'import type { Shared } from "./types.js";\nimport type { Shared as Star } from "./index.js";\nimport type { Renamed } from "./index";\nimport type { Color } from "../common/color.js";',
      ),
      "src/apis/wardle/v1beta1/flunder.ts": kindSource(
        "  old: OldShared;",
        'import type { Shared as OldShared } from "../v1alpha1/types.js";',
        "/** @kind\n * @storageVersion */",
      ),
    });
    assertNoErrors(result.errors);
    const kind = onlyKind(result);
    const [v1beta1, v1alpha1] = kind.versions;
    const alphaSpec = toJSONSchema(v1alpha1?.schema ?? { type: "any" }).properties?.spec;
    for (const name of ["direct", "star", "renamed"]) {
      assert.deepEqual(alphaSpec?.properties?.[name], {
        description: "Shared.",
        type: "object",
        properties: { a: { type: "string" } },
        required: ["a"],
      });
    }
    assert.deepEqual(alphaSpec?.properties?.color?.enum, ["Red", "Green"]);
    const betaSpec = toJSONSchema(v1beta1?.schema ?? { type: "any" }).properties?.spec;
    assert.equal(betaSpec?.properties?.old?.description, "Shared.");
  });

  it("maps the runtime's meta types by name, also through a namespace import", () => {
    const spec = specSchema(
      "  at: Time;\n  size: Quantity;\n  port: IntOrString;\n  selector: LabelSelector;\n  conditions: Condition[];\n  meta: meta.Time;",
      'import type * as meta from "@apiserver-kit/runtime";',
    );
    assert.deepEqual(spec.properties?.at, { type: "string", format: "date-time" });
    assert.deepEqual(spec.properties?.port, {
      anyOf: [{ type: "integer" }, { type: "string" }],
      "x-kubernetes-int-or-string": true,
    });
    assert.equal(spec.properties?.size?.["x-kubernetes-int-or-string"], true);
    assert.match(spec.properties?.size?.pattern ?? "", /\[KMGTPE\]i/);
    assert.equal(spec.properties?.selector?.["x-kubernetes-map-type"], "atomic");
    assert.deepEqual(Object.keys(spec.properties?.selector?.properties ?? {}), ["matchExpressions", "matchLabels"]);
    assert.deepEqual(spec.properties?.conditions?.items?.required, [
      "type",
      "status",
      "lastTransitionTime",
      "reason",
      "message",
    ]);
    assert.deepEqual(spec.properties?.meta, { type: "string", format: "date-time" });
  });

  it("gives the kind's own metadata `type: object` and a nested ObjectMeta its usual fields", () => {
    const result = parseFiles({ [KIND_FILE]: kindSource("  template: { metadata?: ObjectMeta; replicas: int32 };") });
    assertNoErrors(result.errors);
    const root = toJSONSchema(onlyKind(result).versions[0]?.schema ?? { type: "any" });
    assert.deepEqual(root.properties?.metadata, { type: "object" });
    assert.deepEqual(Object.keys(root.properties?.spec?.properties?.template?.properties?.metadata?.properties ?? {}), [
      "name",
      "namespace",
      "labels",
      "annotations",
      "finalizers",
    ]);
    assert.equal(root.properties?.apiVersion?.type, "string");
    assert.deepEqual(root.required, ["spec"], "apiVersion, kind and metadata are never required; spec is");
  });

  it("keeps unknown JSON where @preserveUnknownFields says so", () => {
    const spec = specSchema(
      "  /** @preserveUnknownFields */\n  raw: unknown;\n  /** @preserveUnknownFields */\n  values: Record<string, unknown>;\n  items: Raw[];",
      "/** @preserveUnknownFields */\ntype Raw = unknown;",
    );
    assert.deepEqual(spec.properties?.raw, { "x-kubernetes-preserve-unknown-fields": true });
    assert.deepEqual(spec.properties?.values, { type: "object", "x-kubernetes-preserve-unknown-fields": true });
    assert.deepEqual(spec.properties?.items, {
      type: "array",
      items: { "x-kubernetes-preserve-unknown-fields": true },
    });
  });

  it("applies a type alias's markers to every use, and lets a field override them", () => {
    const spec = specSchema(
      "  a: Port;\n  /** @maximum 1024 */\n  b: Port;",
      "/**\n * A TCP port.\n * @minimum 1\n * @maximum 65535\n */\ntype Port = int32;",
    );
    assert.deepEqual(spec.properties?.a, {
      description: "A TCP port.",
      type: "integer",
      format: "int32",
      minimum: 1,
      maximum: 65535,
    });
    assert.equal(spec.properties?.b?.maximum, 1024);
    assert.equal(spec.properties?.b?.minimum, 1);
  });

  it("accepts quoted field names", () => {
    const spec = specSchema("  \"dashed-name\": string;\n  'quoted'?: int32;");
    assert.deepEqual(Object.keys(spec.properties ?? {}), ["dashed-name", "quoted"]);
  });
});
