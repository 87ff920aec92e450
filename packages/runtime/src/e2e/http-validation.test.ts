/**
 * Validation, defaulting and pruning at the HTTP level (issue 3): ajv schema errors in
 * Kubernetes' format, fieldValidation Strict/Warn/Ignore, preserve-unknown-fields,
 * defaults on create/update/read, ratcheting, strategy hooks, CEL rules.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fieldErrors } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import type { ResourceDefinition } from "../model/resource.js";
import { openWatch, ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

interface Widget extends KubeObject {
  spec?: {
    size?: number;
    mode?: string;
    name?: string;
    stages?: Array<{ name?: string; weight?: number }>;
    extra?: Record<string, unknown>;
  };
  status?: { note?: string };
}

const hooksCalled: string[] = [];

function widgetDefinition(maxSize: number): ResourceDefinition<Widget> {
  return {
    group: "test.example.com",
    names: { kind: "Widget", plural: "widgets", singular: "widget" },
    scope: "Namespaced",
    strategy: {
      prepareForCreate(object) {
        hooksCalled.push("prepareForCreate");
        object.metadata = { ...object.metadata, labels: { ...object.metadata?.labels, created: "yes" } };
      },
      prepareForUpdate(object, old) {
        hooksCalled.push("prepareForUpdate");
        if (old.spec?.name && object.spec) object.spec.name = old.spec.name;
      },
      validate(object) {
        hooksCalled.push("validate");
        return object.spec?.name === "forbidden" ? [fieldErrors.forbidden("spec.name", "this name is reserved")] : [];
      },
    },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          type: "object",
          properties: {
            spec: {
              type: "object",
              required: ["name"],
              "x-kubernetes-validations": [
                {
                  rule: "self.size % 2 == 0 || self.mode != 'even'",
                  message: "even mode needs an even size",
                  fieldPath: ".size",
                },
              ],
              properties: {
                name: { type: "string", maxLength: 10 },
                size: { type: "integer", minimum: 1, maximum: maxSize, default: 2 },
                mode: { type: "string", enum: ["even", "any"], default: "any" },
                stages: {
                  type: "array",
                  maxItems: 3,
                  items: {
                    type: "object",
                    required: ["name"],
                    properties: {
                      name: { type: "string", pattern: "^[a-z]+$" },
                      weight: { type: "number", default: 1 },
                    },
                  },
                },
                extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
            status: { type: "object", properties: { note: { type: "string" } } },
          },
        },
      },
    ],
  };
}

const widget = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "test.example.com/v1",
  kind: "Widget",
  metadata: { name },
  spec,
  ...extra,
});

describe("HTTP: validation, defaulting, pruning", () => {
  let server: TestServer;
  let w: ResourceClient;
  before(async () => {
    server = await startTestServer({ resources: [widgetDefinition(10)] });
    w = new ResourceClient(server, "/apis/test.example.com/v1/namespaces/default/widgets");
  });
  after(async () => {
    await server.close();
  });

  it("reports schema violations as 422 Invalid with one cause per field", async () => {
    const res = await w.create(
      widget("bad", { size: 11, mode: "odd", stages: [{ name: "ok" }, { name: "Bad1" }, {}], name: 5 }),
    );
    assert.equal(res.status, 422);
    const status = res.json<{ reason: string; message: string; details: { causes: Array<Record<string, string>> } }>();
    assert.equal(status.reason, "Invalid");
    const byField = Object.fromEntries(status.details.causes.map((c) => [c.field, c]));
    assert.deepEqual(byField["spec.size"], {
      reason: "FieldValueInvalid",
      message: "Invalid value: 11: spec.size in body should be less than or equal to 10",
      field: "spec.size",
    });
    assert.deepEqual(byField["spec.mode"], {
      reason: "FieldValueNotSupported",
      message: 'Unsupported value: "odd": supported values: "even", "any"',
      field: "spec.mode",
    });
    assert.equal(
      byField["spec.stages[1].name"]?.message,
      "Invalid value: \"Bad1\": spec.stages[1].name in body should match '^[a-z]+$'",
    );
    assert.deepEqual(byField["spec.stages[2].name"], {
      reason: "FieldValueRequired",
      message: "Required value",
      field: "spec.stages[2].name",
    });
    assert.deepEqual(byField["spec.name"], {
      reason: "FieldValueTypeInvalid",
      message: 'Invalid value: "integer": spec.name in body must be of type string: "integer"',
      field: "spec.name",
    });
    assert.match(status.message, /^Widget\.test\.example\.com "bad" is invalid: \[/);
    // Type and enum errors keep the CEL rules from running, as kube-apiserver says.
    assert.deepEqual(byField["<nil>"], {
      reason: "FieldValueInvalid",
      message:
        'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      field: "<nil>",
    });
  });

  it("prunes unknown fields: Warn (default) warns, Strict refuses, Ignore drops silently", async () => {
    const warned = await w.create(
      widget("warn", { name: "a", bogus: 1, extra: { anything: { goes: true } } }, { top: 1 }),
    );
    assert.equal(warned.status, 201);
    // Two Warning headers (node's client joins them with ", ").
    assert.equal(warned.headers.warning, '299 - "unknown field \\"spec.bogus\\"", 299 - "unknown field \\"top\\""');
    const body = warned.json<Widget>();
    assert.equal((body.spec as Record<string, unknown>).bogus, undefined);
    assert.deepEqual(
      body.spec?.extra,
      { anything: { goes: true } },
      "x-kubernetes-preserve-unknown-fields keeps everything",
    );
    const strict = await w.create(widget("strict", { name: "a", bogus: 1, nope: 2 }), "?fieldValidation=Strict");
    assert.equal(strict.status, 400);
    assert.equal(strict.json().message, 'strict decoding error: unknown field "spec.bogus", unknown field "spec.nope"');
    const ignored = await w.create(widget("ignore", { name: "a", bogus: 1 }), "?fieldValidation=Ignore");
    assert.equal(ignored.status, 201);
    assert.equal(ignored.headers.warning, undefined);
    const metaUnknown = await w.create(
      { ...widget("meta", { name: "a" }), metadata: { name: "meta", colour: "red" } },
      "?fieldValidation=Strict",
    );
    assert.equal(metaUnknown.json().message, 'strict decoding error: unknown field "metadata.colour"');
    const badDirective = await w.create(widget("x", { name: "a" }), "?fieldValidation=Loud");
    assert.equal(badDirective.status, 422);
  });

  it("reports fields a JSON or YAML body names twice: Strict refuses, Warn (default) warns and keeps the last, Ignore keeps it silently", async () => {
    const body = (name: string) =>
      `{"apiVersion":"test.example.com/v1","kind":"Widget","metadata":{"name":"${name}"},` +
      `"spec":{"name":"a","size":2,"stages":[{"name":"x","name":"y"}],"size":4,"bogus":1}}`;
    const strict = await w.create(body("dup-strict"), "?fieldValidation=Strict");
    assert.equal(strict.status, 400, strict.body);
    assert.equal(
      strict.json().message,
      'strict decoding error: duplicate field "spec.stages[0].name", duplicate field "spec.size", unknown field "spec.bogus"',
    );
    const warned = await w.create(body("dup-warn"));
    assert.equal(warned.status, 201, warned.body);
    assert.equal(
      warned.headers.warning,
      '299 - "duplicate field \\"spec.stages[0].name\\"", 299 - "duplicate field \\"spec.size\\"", 299 - "unknown field \\"spec.bogus\\""',
    );
    const stored = warned.json<Widget>();
    assert.equal(stored.spec?.size, 4, "the last value, as JSON decoding keeps it");
    assert.equal(stored.spec?.stages?.[0]?.name, "y");
    const ignored = await w.create(body("dup-ignore"), "?fieldValidation=Ignore");
    assert.equal(ignored.status, 201, ignored.body);
    assert.equal(ignored.headers.warning, undefined);
    // An update (PUT) is checked the same way.
    const current = warned.json<Widget>();
    const put = await w.update(
      "dup-warn",
      JSON.stringify(current).replace('"spec":{', '"spec":{"name":"z",'),
      "?fieldValidation=Strict",
    );
    assert.equal(put.status, 400, put.body);
    assert.equal(put.json().message, 'strict decoding error: duplicate field "spec.name"');
    // YAML bodies: go-yaml's words, by line, in one error (Strict) or a warning per key (Warn).
    const yaml = (name: string) =>
      `apiVersion: test.example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n  name: a\n  size: 2\n  size: 4\n  bogus: 1\n`;
    const post = (name: string, query: string) =>
      server.request(`/apis/test.example.com/v1/namespaces/default/widgets${query}`, {
        method: "POST",
        body: yaml(name),
        headers: { "Content-Type": "application/yaml" },
      });
    const yamlStrict = await post("dup-yaml-strict", "?fieldValidation=Strict");
    assert.equal(yamlStrict.status, 400, yamlStrict.body);
    assert.equal(
      yamlStrict.json().message,
      'strict decoding error: yaml: unmarshal errors:\n  line 8: key "size" already set in map, unknown field "spec.bogus"',
    );
    const yamlWarned = await post("dup-yaml-warn", "");
    assert.equal(yamlWarned.status, 201, yamlWarned.body);
    assert.equal(
      yamlWarned.headers.warning,
      '299 - "line 8: key \\"size\\" already set in map", 299 - "unknown field \\"spec.bogus\\""',
    );
  });

  it("checks patches as kube-apiserver does: the patch's repeated fields, then the result's unknown fields; Strict answers 422 on field patch", async () => {
    // Upstream's field-validation integration test, its custom-resource patch cases.
    assert.equal((await w.create(widget("patched", { name: "a", size: 2, stages: [{ name: "x" }] }))).status, 201);
    const merge =
      '{"spec":{"unknown1":"val1","unknownDupe":"valDupe","unknownDupe":"valDupe2","size":4,"size":6,' +
      '"stages":[{"name":"x","weight":1,"weight":2,"unknownNested":"val"}]}}';
    const expected = [
      'duplicate field "spec.unknownDupe"',
      'duplicate field "spec.size"',
      'duplicate field "spec.stages[0].weight"',
      'unknown field "spec.stages[0].unknownNested"',
      'unknown field "spec.unknown1"',
      'unknown field "spec.unknownDupe"',
    ];
    const warningsOf = (res: { headers: Record<string, unknown> }) =>
      res.headers.warning === undefined ? [] : String(res.headers.warning).split(/, (?=299 - )/);
    const asWarnings = (messages: string[]) => messages.map((m) => `299 - ${JSON.stringify(m)}`);
    for (const type of ["merge", "strategic"] as const) {
      const strict = await w.patch("patched", type, merge, "?fieldValidation=Strict");
      assert.equal(strict.status, 422, strict.body);
      const status = strict.json<{
        reason: string;
        message: string;
        details: { causes: Array<Record<string, string>> };
      }>();
      assert.equal(status.reason, "Invalid");
      assert.ok(status.message.endsWith(`strict decoding error: ${expected.join(", ")}`), status.message);
      assert.ok(status.message.startsWith(' "" is invalid: patch: Invalid value: "'), status.message);
      assert.equal(status.details.causes[0]?.field, "patch");
      if (type === "merge") {
        // The patched object as JSON, keys sorted as Go writes a map, unknown fields still in it.
        assert.match(status.message, /"\{\\"apiVersion\\":\\"test\.example\.com\/v1\\",\\"kind\\":\\"Widget\\"/);
        assert.match(status.message, /\\"unknown1\\":\\"val1\\"/);
      } else {
        // A strategic merge patch shows the patch, as Go's %+v prints a map.
        assert.match(
          status.message,
          /Invalid value: "map\[spec:map\[size:6 stages:\[map\[name:x unknownNested:val weight:2\]\] unknown1:val1 unknownDupe:valDupe2\]\]"/,
        );
      }
      assert.equal((await w.get("patched")).json<Widget>().spec?.size, 2, "a refused patch changes nothing");
    }
    const warned = await w.patch("patched", "merge", merge);
    assert.equal(warned.status, 200, warned.body);
    assert.deepEqual(warningsOf(warned), asWarnings(expected));
    assert.equal(warned.json<Widget>().spec?.size, 6, "the last value, as JSON decoding keeps it");
    assert.equal(warned.json<Widget>().spec?.stages?.[0]?.weight, 2);
    const ignored = await w.patch("patched", "merge", merge.replace('"size":6', '"size":8'), "?fieldValidation=Ignore");
    assert.equal(ignored.status, 200, ignored.body);
    assert.equal(ignored.headers.warning, undefined);
    assert.equal(ignored.json<Widget>().spec?.size, 8);
    // A JSON patch's operations are decoded strictly too: a field no operation has, one named twice.
    const json = `[
      {"op": "add", "path": "/spec/unknown1", "value": "val1", "foo": "bar"},
      {"op": "add", "path": "/spec/unknown2", "path": "/spec/unknown3", "value": "val2"},
      {"op": "add", "path": "/spec/unknownDupe", "value": "valDupe"},
      {"op": "add", "path": "/spec/unknownDupe", "value": "valDupe2"},
      {"op": "replace", "path": "/spec/size", "value": 4}
    ]`;
    const jsonExpected = [
      'json patch unknown field "[0].foo"',
      'json patch duplicate field "[1].path"',
      'unknown field "spec.unknown1"',
      'unknown field "spec.unknown3"',
      'unknown field "spec.unknownDupe"',
    ];
    const jsonStrict = await w.patch("patched", "json", json, "?fieldValidation=Strict");
    assert.equal(jsonStrict.status, 422, jsonStrict.body);
    assert.ok(
      jsonStrict.json<{ message: string }>().message.endsWith(`strict decoding error: ${jsonExpected.join(", ")}`),
    );
    const jsonWarned = await w.patch("patched", "json", json, "?fieldValidation=Warn");
    assert.equal(jsonWarned.status, 200, jsonWarned.body);
    assert.deepEqual(warningsOf(jsonWarned), asWarnings(jsonExpected));
    assert.equal(jsonWarned.json<Widget>().spec?.size, 4);
    // A patch with no problems of its own, onto a clean object: nothing to say.
    const clean = await w.patch("patched", "merge", '{"spec":{"size":2}}', "?fieldValidation=Strict");
    assert.equal(clean.status, 200, clean.body);
    assert.equal(clean.headers.warning, undefined);
  });

  it("applies defaults on create and update, inside arrays too", async () => {
    const created = (await w.create(widget("defaults", { name: "d", stages: [{ name: "one" }] }))).json<Widget>();
    assert.equal(created.spec?.size, 2);
    assert.equal(created.spec?.mode, "any");
    assert.equal(created.spec?.stages?.[0]?.weight, 1);
    const updated = (
      await w.update("defaults", { ...widget("defaults", { name: "d" }), metadata: created.metadata })
    ).json<Widget>();
    assert.equal(updated.spec?.size, 2, "defaults apply to updates");
  });

  it("runs the strategy hooks: prepareForCreate, validate, prepareForUpdate", async () => {
    hooksCalled.length = 0;
    const created = (await w.create(widget("hooks", { name: "keep" }))).json<Widget>();
    assert.equal(created.metadata?.labels?.created, "yes");
    assert.deepEqual(hooksCalled, ["prepareForCreate", "validate"]);
    const renamed = await w.update("hooks", { ...widget("hooks", { name: "changed" }), metadata: created.metadata });
    assert.equal(renamed.json<Widget>().spec?.name, "keep", "prepareForUpdate kept the old name");
    const forbidden = await w.create(widget("forb", { name: "forbidden" }));
    assert.equal(forbidden.status, 422);
    assert.equal(
      forbidden.json().message,
      'Widget.test.example.com "forb" is invalid: spec.name: Forbidden: this name is reserved',
    );
  });

  it("checks CEL rules with the rule's message on its field path", async () => {
    const res = await w.create(widget("cel", { name: "c", size: 3, mode: "even" }));
    assert.equal(res.status, 422);
    assert.equal(
      res.json().message,
      'Widget.test.example.com "cel" is invalid: spec.size: Invalid value: "object": even mode needs an even size',
    );
    assert.equal((await w.create(widget("cel", { name: "c", size: 4, mode: "even" }))).status, 201);
  });

  it("clears status on create and ignores it on main-resource updates", async () => {
    const created = (await w.create(widget("st", { name: "s" }, { status: { note: "client-set" } }))).json<Widget>();
    assert.equal(created.status, undefined);
    const status = await server.request("/apis/test.example.com/v1/namespaces/default/widgets/st/status", {
      method: "PUT",
      body: {
        ...widget("st", { name: "ignored-in-status" }, { status: { note: "from-status" } }),
        metadata: created.metadata,
      },
    });
    assert.equal(status.status, 200, status.body);
    assert.equal(status.json<Widget>().status?.note, "from-status");
    assert.equal(status.json<Widget>().spec?.name, "s", "a status write leaves spec alone");
  });
});

describe("HTTP: validation ratcheting after the schema tightens", () => {
  it("lets unchanged invalid values through on update, and still refuses new ones", async () => {
    const loose = await startTestServer({ resources: [widgetDefinition(100)] });
    const dataDir = loose.dataDir;
    const storage = loose.storage;
    const w1 = new ResourceClient(loose, "/apis/test.example.com/v1/namespaces/default/widgets");
    const created = (
      await w1.create(
        widget("big", { name: "b", size: 50 }, { metadata: { name: "big", finalizers: ["example.com/x"] } }),
      )
    ).json<Widget>();
    assert.equal(created.spec?.size, 50);
    // Restart on the same storage with maximum 10.
    await loose.server.close();
    const tight = await startTestServer({ resources: [widgetDefinition(10)], storage, dataDir });
    try {
      const w2 = new ResourceClient(tight, "/apis/test.example.com/v1/namespaces/default/widgets");
      const relabel = await w2.patch("big", "merge", { metadata: { labels: { touched: "yes" }, finalizers: null } });
      assert.equal(relabel.status, 200, relabel.body);
      const grow = await w2.patch("big", "merge", { spec: { size: 60 } });
      assert.equal(grow.status, 422);
      assert.match(String(grow.json().message), /spec\.size in body should be less than or equal to 10/);
    } finally {
      await tight.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("HTTP: CEL rules ratchet after they tighten (issue 13)", () => {
  it("an unchanged value that breaks a new rule passes an update with a warning; a changed one is refused with the rule's message", async () => {
    // As Kubernetes ratchets: a rule is skipped when the value it is attached to did not change
    // (here spec.size), even when other fields of the object did.
    const loose = await startTestServer({ resources: [widgetDefinition(10)] });
    const { dataDir, storage } = loose;
    const w1 = new ResourceClient(loose, "/apis/test.example.com/v1/namespaces/default/widgets");
    assert.equal((await w1.create(widget("w", { name: "abc", size: 8 }))).status, 201);
    await loose.server.close();
    // Redeployed with a rule on spec.size that the stored size breaks.
    const tightened = widgetDefinition(10);
    const spec = (tightened.versions[0]?.schema.properties as Record<string, Record<string, unknown>>).spec;
    const size = (spec?.properties as Record<string, Record<string, unknown>> | undefined)?.size;
    assert.ok(size);
    size["x-kubernetes-validations"] = [{ rule: "self <= 5", message: "size is at most 5 now" }];
    const tight = await startTestServer({ resources: [tightened], storage, dataDir });
    try {
      const w2 = new ResourceClient(tight, "/apis/test.example.com/v1/namespaces/default/widgets");
      const relabel = await w2.patch("w", "merge", { metadata: { labels: { touched: "yes" } } });
      assert.equal(relabel.status, 200, relabel.body);
      const renamed = await w2.patch("w", "merge", { spec: { name: "xyz" } });
      assert.equal(renamed.status, 200, `a sibling field changed, spec.size did not: ${renamed.body}`);
      // The ratcheted failure still reaches the client, as a warning (kubectl prints "Warning: ...").
      assert.equal(renamed.headers.warning, '299 - "spec.size: Invalid value: \\"integer\\": size is at most 5 now"');
      const grow = await w2.patch("w", "merge", { spec: { size: 9 } });
      assert.equal(grow.status, 422, grow.body);
      const status = grow.json<{ message: string; details: { causes: Array<{ field: string; message: string }> } }>();
      assert.deepEqual(
        status.details.causes.map((c) => [c.field, c.message]),
        [["spec.size", 'Invalid value: "integer": size is at most 5 now']],
      );
      assert.equal(
        (await w2.create(widget("new", { name: "n", size: 8 }))).status,
        422,
        "a new object gets no ratchet",
      );
    } finally {
      await tight.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("CEL rules at start-up", () => {
  it("refuses to start with a rule whose estimated cost exceeds the per-call limit, with Kubernetes' message", async () => {
    const costly = widgetDefinition(10);
    const spec = (costly.versions[0]?.schema.properties as Record<string, Record<string, unknown>>).spec;
    assert.ok(spec);
    // stages has maxItems 3, tags no bound at all: a nested loop over an unbounded list.
    (spec.properties as Record<string, unknown>).tags = { type: "array", items: { type: "string" } };
    spec["x-kubernetes-validations"] = [
      { rule: "self.tags.all(a, self.tags.all(b, a == b || a != b))", message: "never cheap" },
    ];
    const dataDir = mkdtempSync(join(tmpdir(), "cel-cost-"));
    try {
      await assert.rejects(startTestServer({ resources: [costly], dataDir }), (error: Error) => {
        assert.match(error.message, /Widget\.test\.example\.com v1/);
        assert.match(error.message, /exceeds budget by factor of/);
        assert.match(error.message, /try simplifying the rule, or adding maxItems, maxProperties, and maxLength/);
        return true;
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses to start with a rule that does not compile, naming the kind, version, rule and field", async () => {
    const broken = widgetDefinition(10);
    const spec = (broken.versions[0]?.schema.properties as Record<string, Record<string, unknown>>).spec;
    assert.ok(spec);
    spec["x-kubernetes-validations"] = [{ rule: "self.nosuchfield > 1", message: "never compiles" }];
    const dataDir = mkdtempSync(join(tmpdir(), "cel-startup-"));
    try {
      await assert.rejects(startTestServer({ resources: [broken], dataDir }), (error: Error) => {
        assert.match(error.message, /^invalid resource definitions:/);
        assert.match(error.message, /Widget\.test\.example\.com v1: self\.nosuchfield > 1: /);
        // Kubernetes' CRD message: the field is the rule's place in the schema.
        assert.match(
          error.message,
          /openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self\.nosuchfield > 1": compilation failed/,
        );
        assert.match(error.message, /undefined field 'nosuchfield'/);
        return true;
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

interface Gizmo extends KubeObject {
  spec?: { size?: number; tier?: string; color?: string };
}

/** A kind with every per-kind strategy flag and hook the resource model offers for writes. */
function gizmoDefinition(colorDefault?: string): ResourceDefinition<Gizmo> {
  return {
    group: "test.example.com",
    names: { kind: "Gizmo", plural: "gizmos", singular: "gizmo" },
    scope: "Namespaced",
    strategy: {
      allowUnconditionalUpdate: true,
      default(object) {
        if (object.spec && object.spec.tier === undefined) object.spec.tier = "standard";
      },
      validateUpdate(object, old) {
        const size = object.spec?.size ?? 0;
        return size < (old.spec?.size ?? 0) ? [fieldErrors.invalid("spec.size", size, "may not decrease")] : [];
      },
      validateName: (name) => (name.includes(".") ? ["must not contain dots"] : []),
    },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          type: "object",
          properties: {
            spec: {
              type: "object",
              properties: {
                size: { type: "integer" },
                tier: { type: "string" },
                color: { type: "string", ...(colorDefault ? { default: colorDefault } : {}) },
              },
            },
          },
        },
      },
    ],
  };
}

const gizmo = (name: string, spec: Gizmo["spec"], metadata: Record<string, unknown> = {}) => ({
  apiVersion: "test.example.com/v1",
  kind: "Gizmo",
  metadata: { ...metadata, name },
  spec,
});

describe("HTTP: per-kind strategy flags and hooks", () => {
  let server: TestServer;
  let g: ResourceClient;
  before(async () => {
    server = await startTestServer({ resources: [gizmoDefinition()] });
    g = new ResourceClient(server, "/apis/test.example.com/v1/namespaces/default/gizmos");
  });
  after(async () => {
    await server.close();
  });

  it("runs the default hook on create and update", async () => {
    const created = await g.create(gizmo("d", { size: 1 }));
    assert.equal(created.status, 201);
    assert.equal(created.json<Gizmo>().spec?.tier, "standard");
    const updated = await g.update(
      "d",
      gizmo("d", { size: 2 }, { resourceVersion: created.json<Gizmo>().metadata?.resourceVersion }),
    );
    assert.equal(updated.status, 200);
    assert.equal(updated.json<Gizmo>().spec?.tier, "standard");
  });

  it("allows an update without resourceVersion when the kind says so, and still refuses a stale one", async () => {
    const created = (await g.create(gizmo("u", { size: 1 }))).json<Gizmo>();
    const unconditional = await g.update("u", gizmo("u", { size: 3 }));
    assert.equal(unconditional.status, 200, unconditional.body);
    assert.equal(unconditional.json<Gizmo>().spec?.size, 3);
    assert.equal(unconditional.json<Gizmo>().metadata?.uid, created.metadata?.uid);
    const stale = await g.update("u", gizmo("u", { size: 4 }, { resourceVersion: created.metadata?.resourceVersion }));
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, "Conflict");
  });

  it("runs validateUpdate on updates and patches, not on create", async () => {
    assert.equal((await g.create(gizmo("v", { size: 5 }))).status, 201);
    const shrink = await g.patch("v", "merge", { spec: { size: 2 } });
    assert.equal(shrink.status, 422);
    assert.equal(
      shrink.json().message,
      'Gizmo.test.example.com "v" is invalid: spec.size: Invalid value: 2: may not decrease',
    );
    assert.equal((await g.patch("v", "merge", { spec: { size: 6 } })).status, 200);
  });

  it("checks names with the kind's own rule", async () => {
    const dotted = await g.create(gizmo("a.b", { size: 1 }));
    assert.equal(dotted.status, 422);
    assert.equal(
      dotted.json().message,
      'Gizmo.test.example.com "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots',
    );
    assert.equal((await g.create(gizmo("a-b", { size: 1 }))).status, 201);
  });
});

describe("HTTP: schema defaults on read", () => {
  it("defaults objects stored before the default existed on get, list and watch, without rewriting them", async () => {
    const before = await startTestServer({ resources: [gizmoDefinition()], keepStorage: true });
    const { storage, dataDir } = before;
    const g1 = new ResourceClient(before, "/apis/test.example.com/v1/namespaces/default/gizmos");
    assert.equal((await g1.create(gizmo("old", { size: 1 }))).json<Gizmo>().spec?.color, undefined);
    await before.server.close();
    const revision = await storage.currentRevision();
    const after = await startTestServer({ resources: [gizmoDefinition("red")], storage, dataDir });
    try {
      const g2 = new ResourceClient(after, "/apis/test.example.com/v1/namespaces/default/gizmos");
      assert.equal((await g2.get("old")).json<Gizmo>().spec?.color, "red");
      assert.equal((await g2.list()).json<{ items: Gizmo[] }>().items[0]?.spec?.color, "red");
      const watch = await openWatch(after, "/apis/test.example.com/v1/namespaces/default/gizmos?watch=true");
      try {
        const [added] = await watch.waitFor(1);
        assert.equal((added?.object.spec as Gizmo["spec"])?.color, "red");
      } finally {
        watch.close();
      }
      assert.equal(await storage.currentRevision(), revision, "reading wrote nothing");
    } finally {
      await after.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
