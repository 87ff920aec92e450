/**
 * Server-side apply and managedFields over HTTP (issue 11): apply-patch+yaml with its options,
 * conflicts, force, creation, status isolation, dryRun, and managedFields on every write; the
 * property that applying the same configuration twice changes nothing, not even resourceVersion.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { KubeObject } from "../api/meta.js";
import type { ResourceDefinition } from "../model/resource.js";
import { ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> & { managedFields?: Entry[] } };
interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

const API = "wardle.example.com/v1alpha1";
const flunder = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: API,
  kind: "Flunder",
  metadata: { name },
  spec,
  ...extra,
});
const owners = (object: Obj) =>
  (object.metadata.managedFields ?? [])
    .map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`)
    .sort();
const fieldsOf = (object: Obj, manager: string) =>
  object.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1;

describe("server-side apply over HTTP", () => {
  let server: TestServer;
  let flunders: ResourceClient;
  before(async () => {
    server = await startTestServer();
    flunders = new ResourceClient(server, `/apis/${API}/namespaces/default/flunders`);
  });
  after(() => server.close());

  const apply = (name: string, body: unknown, query: string) => flunders.patch(name, "apply", body, query);

  it("requires a fieldManager (422) and refuses force on other patch types", async () => {
    const missing = await apply("nomgr", flunder("nomgr", { reference: "r" }), "");
    assert.equal(missing.status, 422);
    assert.match(missing.json().message as string, /fieldManager: Required value: is required for apply patch/);
    const forced = await flunders.patch("nomgr", "merge", {}, "?force=true");
    assert.equal(forced.status, 422);
    assert.match(forced.json().message as string, /force: Forbidden: may not be specified for non-apply patch/);
  });

  it("creates (201) from YAML; a second manager conflicts (409) unless forced; the same value is shared", async () => {
    const yaml = `apiVersion: ${API}\nkind: Flunder\nmetadata:\n  name: a1\n  labels:\n    team: x\nspec:\n  reference: r\n  replicas: 2\n  items:\n  - name: one\n    size: 1\n`;
    const created = await apply("a1", yaml, "?fieldManager=alice");
    assert.equal(created.status, 201, created.body);
    const object = created.json<Obj>();
    assert.deepEqual(owners(object), ["alice/Apply"]);
    assert.deepEqual(fieldsOf(object, "alice"), {
      "f:metadata": { "f:labels": { "f:team": {} } },
      "f:spec": {
        "f:items": { 'k:{"name":"one"}': { ".": {}, "f:name": {}, "f:size": {} } },
        "f:reference": {},
        "f:replicas": {},
      },
    });

    const conflict = await apply("a1", flunder("a1", { replicas: 3 }), "?fieldManager=bob");
    assert.equal(conflict.status, 409);
    const status = conflict.json();
    assert.equal(status.reason, "Conflict");
    assert.equal(status.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
    assert.deepEqual((status.details as { causes: unknown[] }).causes, [
      { reason: "FieldManagerConflict", message: 'conflict with "alice"', field: ".spec.replicas" },
    ]);

    const shared = await apply("a1", JSON.stringify(flunder("a1", { reference: "r" })), "?fieldManager=bob");
    assert.equal(shared.status, 200);
    assert.deepEqual(fieldsOf(shared.json<Obj>(), "bob"), { "f:spec": { "f:reference": {} } });

    const forced = await apply("a1", flunder("a1", { reference: "r", replicas: 3 }), "?fieldManager=bob&force=true");
    assert.equal(forced.status, 200);
    const after = forced.json<Obj>();
    assert.equal((after.spec as { replicas: number }).replicas, 3);
    assert.deepEqual(fieldsOf(after, "bob"), { "f:spec": { "f:reference": {}, "f:replicas": {} } });
    assert.deepEqual(fieldsOf(after, "alice"), {
      "f:metadata": { "f:labels": { "f:team": {} } },
      "f:spec": { "f:items": { 'k:{"name":"one"}': { ".": {}, "f:name": {}, "f:size": {} } }, "f:reference": {} },
    });

    // alice drops labels and reference: labels go (hers alone), reference stays (bob's too).
    const dropped = await apply("a1", flunder("a1", { items: [{ name: "one", size: 1 }] }), "?fieldManager=alice");
    const kept = dropped.json<Obj>();
    assert.equal(kept.metadata.labels, undefined);
    assert.deepEqual(kept.spec, { reference: "r", replicas: 3, items: [{ name: "one", size: 1 }] });
  });

  it("honours dryRun=All, preconditions and fieldValidation", async () => {
    const dry = await apply("dry", flunder("dry", { reference: "r" }), "?fieldManager=m&dryRun=All");
    assert.equal(dry.status, 201);
    assert.deepEqual(owners(dry.json<Obj>()), ["m/Apply"]);
    assert.equal((await flunders.get("dry")).status, 404);

    await apply("pre", flunder("pre", { reference: "r" }), "?fieldManager=m");
    const stale = await apply(
      "pre",
      { ...flunder("pre", { reference: "s" }), metadata: { name: "pre", resourceVersion: "1" } },
      "?fieldManager=m",
    );
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, "Conflict");

    const strict = await apply(
      "pre",
      flunder("pre", { reference: "r", bogus: 1 }),
      "?fieldManager=m&fieldValidation=Strict",
    );
    assert.equal(strict.status, 400);
    assert.match(strict.json().message as string, /unknown field "spec.bogus"/);
    const warned = await apply("pre", flunder("pre", { reference: "r", bogus: 1 }), "?fieldManager=m");
    assert.equal(warned.status, 200);
    assert.match(String(warned.headers.warning), /unknown field \\"spec.bogus\\"/);
    assert.deepEqual(fieldsOf(warned.json<Obj>(), "m"), { "f:spec": { "f:reference": {} } });
  });

  it("reports keys a configuration repeats as kube-apiserver's strict YAML decoding does", async () => {
    const send = (name: string, body: string, query: string) =>
      server.request(`/apis/${API}/namespaces/default/flunders/${name}${query}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/apply-patch+yaml" },
        body,
      });
    // JSON on one line, as kubectl sends it: every repeat is on line 1.
    const json = `{"apiVersion":"${API}","kind":"Flunder","metadata":{"name":"rep"},"spec":{"reference":"a","reference":"b","items":[{"name":"x","size":1,"size":2}]}}`;
    const strict = await send("rep", json, "?fieldManager=m&fieldValidation=Strict");
    assert.equal(strict.status, 400, strict.body);
    assert.equal(
      strict.json().message,
      'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 1: key "reference" already set in map\n  line 1: key "size" already set in map',
    );
    assert.equal((await flunders.get("rep")).status, 404, "nothing stored");
    const warned = await send("rep", json, "?fieldManager=m");
    assert.equal(warned.status, 201, warned.body);
    assert.equal(
      warned.headers.warning,
      '299 - "line 1: key \\"reference\\" already set in map", 299 - "line 1: key \\"size\\" already set in map"',
    );
    assert.equal(
      (warned.json<Obj>().spec as { reference?: string }).reference,
      "b",
      "the last value, as YAML decoding keeps it",
    );
    const ignored = await send("rep", json, "?fieldManager=m&fieldValidation=Ignore");
    assert.equal(ignored.status, 200, ignored.body);
    assert.equal(ignored.headers.warning, undefined);
    // YAML: the repeat's own line.
    const yaml = `apiVersion: ${API}\nkind: Flunder\nmetadata:\n  name: rep\nspec:\n  reference: b\n  replicas: 1\n  replicas: 2\n`;
    const yamlStrict = await send("rep", yaml, "?fieldManager=m&fieldValidation=Strict");
    assert.equal(yamlStrict.status, 400, yamlStrict.body);
    assert.match(
      String(yamlStrict.json().message),
      /unmarshal errors:\n {2}line 8: key "replicas" already set in map$/,
    );
  });

  it("keeps status and main resource apart, with a status entry for status writers", async () => {
    await apply("st", flunder("st", { reference: "r" }, { status: { phase: "Ignored" } }), "?fieldManager=m");
    const main = (await flunders.get("st")).json<Obj>();
    assert.equal(main.status, undefined);
    assert.deepEqual(fieldsOf(main, "m"), { "f:spec": { "f:reference": {} } });

    const status = await server.request(`/apis/${API}/namespaces/default/flunders/st/status?fieldManager=ctl`, {
      method: "PATCH",
      headers: { "Content-Type": "application/apply-patch+yaml" },
      body: JSON.stringify(flunder("st", { reference: "changed" }, { status: { phase: "Ready" } })),
    });
    assert.equal(status.status, 200, status.body);
    const written = status.json<Obj>();
    assert.deepEqual(written.spec, { reference: "r", replicas: 1 });
    assert.deepEqual(owners(written), ["ctl/Apply/status", "m/Apply"]);
    assert.deepEqual(written.metadata.managedFields?.find((e) => e.manager === "ctl")?.fieldsV1, {
      "f:status": { "f:phase": {} },
    });
    const missing = await server.request(`/apis/${API}/namespaces/default/flunders/nope/status?fieldManager=ctl`, {
      method: "PATCH",
      headers: { "Content-Type": "application/apply-patch+yaml" },
      body: JSON.stringify(flunder("nope", {}, { status: { phase: "x" } })),
    });
    assert.equal(missing.status, 404);
  });

  it("records every non-apply write: create, update, each patch type, status and scale", async () => {
    const created = await server.request(`/apis/${API}/namespaces/default/flunders`, {
      method: "POST",
      headers: { "User-Agent": "my-controller/1.2 (linux)" },
      body: flunder("w", { reference: "r" }),
    });
    assert.equal(created.status, 201);
    const c = created.json<Obj>();
    assert.deepEqual(owners(c), ["my-controller/Update"]);
    assert.deepEqual(fieldsOf(c, "my-controller"), { "f:spec": { ".": {}, "f:reference": {}, "f:replicas": {} } });
    assert.match(c.metadata.managedFields?.[0]?.time ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const merged = await flunders.patch("w", "merge", { spec: { color: "red" } }, "?fieldManager=painter");
    assert.deepEqual(fieldsOf(merged.json<Obj>(), "painter"), { "f:spec": { "f:color": {} } });
    const jsonPatched = await flunders.patch(
      "w",
      "json",
      [{ op: "replace", path: "/spec/color", value: "blue" }],
      "?fieldManager=jp",
    );
    assert.deepEqual(owners(jsonPatched.json<Obj>()), ["jp/Update", "my-controller/Update"]);
    const strategic = await flunders.patch(
      "w",
      "strategic",
      { spec: { items: [{ name: "i", size: 1 }] } },
      "?fieldManager=smp",
    );
    assert.deepEqual(fieldsOf(strategic.json<Obj>(), "smp"), {
      "f:spec": { "f:items": { ".": {}, 'k:{"name":"i"}': { ".": {}, "f:name": {}, "f:size": {} } } },
    });
    const current = strategic.json<Obj>();
    const updated = await flunders.update(
      "w",
      { ...current, spec: { ...(current.spec as object), reference: "q" } },
      "?fieldManager=putter",
    );
    assert.deepEqual(fieldsOf(updated.json<Obj>(), "putter"), { "f:spec": { "f:reference": {} } });

    const status = await server.request(`/apis/${API}/namespaces/default/flunders/w/status?fieldManager=kubelet`, {
      method: "PATCH",
      headers: { "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ status: { phase: "Up" } }),
    });
    const s = status.json<Obj>();
    assert.deepEqual(s.metadata.managedFields?.find((e) => e.subresource === "status")?.fieldsV1, {
      "f:status": { ".": {}, "f:phase": {} },
    });
    const scaled = await server.request(`/apis/${API}/namespaces/default/flunders/w/scale?fieldManager=hpa`, {
      method: "PATCH",
      headers: { "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { replicas: 4 } }),
    });
    assert.equal(scaled.status, 200);
    const afterScale = (await flunders.get("w")).json<Obj>();
    assert.deepEqual(
      afterScale.metadata.managedFields?.find((e) => e.subresource === "scale"),
      {
        manager: "hpa",
        operation: "Update",
        apiVersion: API,
        time: afterScale.metadata.managedFields?.find((e) => e.subresource === "scale")?.time,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:replicas": {} } },
        subresource: "scale",
      },
    );

    // [{}] clears managedFields; the object then stays untracked until the next apply.
    const cleared = await flunders.patch("w", "merge", { metadata: { managedFields: [{}] } });
    assert.equal(cleared.json<Obj>().metadata.managedFields, undefined);
    const untracked = await flunders.patch("w", "merge", { spec: { color: "green" } }, "?fieldManager=painter");
    assert.equal(untracked.json<Obj>().metadata.managedFields, undefined);
    const applied = await apply("w", flunder("w", { color: "green" }), "?fieldManager=applier");
    assert.deepEqual(owners(applied.json<Obj>()), ["applier/Apply", "before-first-apply/Update"]);
  });

  it("lists apply-patch+yaml in the OpenAPI PATCH operations", async () => {
    const doc = (await server.request(`/openapi/v3/apis/${API}`)).json<{
      paths: Record<string, { patch?: { requestBody: { content: Record<string, unknown> } } }>;
    }>();
    const patch = doc.paths[`/apis/${API}/namespaces/{namespace}/flunders/{name}`]?.patch;
    assert.ok(patch);
    assert.ok(Object.keys(patch.requestBody.content).includes("application/apply-patch+yaml"));
  });

  it("applying the same configuration twice changes nothing, not even resourceVersion (fast-check)", async () => {
    const word = fc.constantFrom("a", "b", "c");
    const spec = fc.record(
      {
        reference: word,
        replicas: fc.integer({ min: 0, max: 3 }),
        color: word,
        items: fc.uniqueArray(
          fc.record({ name: word, size: fc.integer({ min: 0, max: 2 }) }, { requiredKeys: ["name"] }),
          {
            selector: (i) => i.name,
            maxLength: 3,
          },
        ),
      },
      { requiredKeys: [] },
    );
    const labels = fc.dictionary(word, word, { maxKeys: 2 });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom("one", "two"), spec), { maxLength: 3 }),
        spec,
        labels,
        async (history, final, l) => {
          const name = `prop-${n++}`;
          for (const [manager, s] of history)
            await apply(name, flunder(name, s), `?fieldManager=${manager}&force=true`);
          const config = { ...flunder(name, final), metadata: { name, labels: l } };
          const first = await apply(name, config, "?fieldManager=final&force=true");
          assert.ok(first.status === 200 || first.status === 201, first.body);
          const second = await apply(name, config, "?fieldManager=final");
          assert.equal(second.status, 200, second.body);
          assert.deepEqual(second.json(), first.json());
          assert.equal(second.json<Obj>().metadata.resourceVersion, first.json<Obj>().metadata.resourceVersion);
        },
      ),
      // Always tried: an empty configuration with `labels: {}` (stored without it).
      { numRuns: 25, examples: [[[], {}, {}]] },
    );
  });
});

describe("server-side apply across versions", () => {
  // v2 (storage) has spec.sizeInMeters; v1 calls it spec.size.
  const rename = (object: Record<string, unknown>, from: string, to: string) => {
    const spec = { ...(object.spec as Record<string, unknown>) };
    if (from in spec) {
      spec[to] = spec[from];
      delete spec[from];
    }
    return { ...object, spec };
  };
  const definition: ResourceDefinition = {
    group: "sizes.example.com",
    names: { kind: "Box", plural: "boxes", singular: "box" },
    scope: "Namespaced",
    versions: [
      {
        name: "v1",
        served: true,
        storage: false,
        schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } },
        conversion: {
          toHub: (object) => rename(object, "size", "sizeInMeters") as KubeObject,
          fromHub: (object) => rename(object, "sizeInMeters", "size") as KubeObject,
        },
      },
      {
        name: "v2",
        served: true,
        storage: true,
        schema: {
          type: "object",
          properties: {
            spec: { type: "object", properties: { sizeInMeters: { type: "integer" }, color: { type: "string" } } },
          },
        },
      },
    ],
  };
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ resources: [definition] });
  });
  after(() => server.close());
  const applyAt = (version: string, manager: string, spec: Record<string, unknown>, force = false) =>
    server.request(
      `/apis/sizes.example.com/${version}/namespaces/default/boxes/b?fieldManager=${manager}${force ? "&force=true" : ""}`,
      {
        method: "PATCH",
        headers: { "Content-Type": "application/apply-patch+yaml" },
        body: JSON.stringify({
          apiVersion: `sizes.example.com/${version}`,
          kind: "Box",
          metadata: { name: "b" },
          spec,
        }),
      },
    );

  it("keeps each entry in its own version and finds conflicts through conversion", async () => {
    assert.equal((await applyAt("v1", "alice", { size: 3 })).status, 201);
    const conflict = await applyAt("v2", "bob", { sizeInMeters: 5, color: "red" });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json().message, 'Apply failed with 1 conflict: conflict with "alice": .spec.size');
    const forced = await applyAt("v2", "bob", { sizeInMeters: 5, color: "red" }, true);
    assert.equal(forced.status, 200);
    const entries = forced.json<Obj>().metadata.managedFields ?? [];
    assert.deepEqual(
      entries.map((e) => [e.manager, e.apiVersion, e.fieldsV1]),
      [["bob", "sizes.example.com/v2", { "f:spec": { "f:color": {}, "f:sizeInMeters": {} } }]],
      "alice lost her only field",
    );
    const asV1 = (await server.request("/apis/sizes.example.com/v1/namespaces/default/boxes/b")).json<Obj>();
    assert.deepEqual(asV1.spec, { color: "red", size: 5 });
  });
});
