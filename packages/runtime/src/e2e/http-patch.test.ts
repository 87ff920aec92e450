/**
 * Subresources and patches at the HTTP level (issue 3): status and scale, JSON patch,
 * merge patch, strategic merge patch, unsupported patch types.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

type Obj = {
  metadata: Record<string, unknown>;
  spec: { reference?: string; replicas?: number; items?: Array<{ name: string; size?: number }> };
  status?: { replicas?: number; phase?: string };
};
const gv = "/apis/wardle.example.com/v1alpha1";
const flunder = (name: string, spec: Record<string, unknown> = { reference: "r" }) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name },
  spec,
});

describe("HTTP: subresources and patches", () => {
  let server: TestServer;
  let fl: ResourceClient;
  before(async () => {
    server = await startTestServer();
    fl = new ResourceClient(server, `${gv}/namespaces/default/flunders`);
  });
  after(async () => {
    await server.close();
  });

  it("reads and writes status only through /status", async () => {
    await fl.create(flunder("st"));
    const patched = await fl.patch("st/status", "merge", {
      status: { phase: "Ready", replicas: 1 },
      spec: { reference: "ignored" },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.json<Obj>().status?.phase, "Ready");
    assert.equal(patched.json<Obj>().spec.reference, "r");
    assert.equal(patched.json<Obj>().metadata.generation, 1, "status writes don't bump generation");
    const status = (await fl.get("st/status")).json<Obj>();
    assert.equal(status.status?.phase, "Ready");
    const main = await fl.patch("st", "merge", { status: { phase: "Hacked" } });
    assert.equal(main.json<Obj>().status?.phase, "Ready");
    assert.equal(
      (await server.request(`${gv}/namespaces/default/flunders/st/status`, { method: "DELETE" })).status,
      405,
    );
    assert.equal((await fl.get("st/nonsense")).status, 404);
  });

  it("maps autoscaling/v1 Scale onto the replica paths", async () => {
    await fl.create(flunder("sc", { reference: "r", replicas: 2 }));
    await fl.patch("sc/status", "merge", { status: { replicas: 2 } });
    const scale = (await fl.get("sc/scale")).json<{
      kind: string;
      apiVersion: string;
      spec: { replicas: number };
      status: { replicas: number };
      metadata: { name: string; resourceVersion: string };
    }>();
    assert.equal(scale.kind, "Scale");
    assert.equal(scale.apiVersion, "autoscaling/v1");
    assert.deepEqual(scale.spec, { replicas: 2 });
    assert.deepEqual(scale.status, { replicas: 2 });
    const patched = await fl.patch("sc/scale", "merge", { spec: { replicas: 5 } });
    assert.equal(patched.status, 200);
    assert.equal(patched.json<{ spec: { replicas: number } }>().spec.replicas, 5);
    assert.equal((await fl.get("sc")).json<Obj>().spec.replicas, 5);
    const put = await server.request(`${gv}/namespaces/default/flunders/sc/scale`, {
      method: "PUT",
      body: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "sc" }, spec: { replicas: 3 } },
    });
    assert.equal(put.json<{ spec: { replicas: number } }>().spec.replicas, 3);
    const negative = await fl.patch("sc/scale", "merge", { spec: { replicas: -1 } });
    assert.equal(negative.status, 422);
    assert.match(String(negative.json().message), /spec\.replicas/);
    const stale = await server.request(`${gv}/namespaces/default/flunders/sc/scale`, {
      method: "PUT",
      body: {
        apiVersion: "autoscaling/v1",
        kind: "Scale",
        metadata: { name: "sc", resourceVersion: scale.metadata.resourceVersion },
        spec: { replicas: 1 },
      },
    });
    assert.equal(stale.status, 409);
  });

  it("decodes a Scale into autoscaling/v1's int32 replicas: out of range or another type is refused in the decoder's words", async () => {
    await fl.create(flunder("sc-int32", { reference: "r", replicas: 2 }));
    const replicas = async () => (await fl.get("sc-int32")).json<Obj>().spec.replicas;
    type Invalid = { message: string; reason: string; details: { causes: Array<{ field: string; message: string }> } };
    // JSON and merge patches: the patched Scale's JSON fails to decode, 422 on the field `patch`.
    const decodeError = (value: string, field: string, type: string) =>
      `json: cannot unmarshal ${value} into Go struct field ${field} of type ${type}`;
    for (const [type, patch, error] of [
      [
        "merge",
        { spec: { replicas: 3000000000 } },
        decodeError("number 3000000000", "ScaleSpec.spec.replicas", "int32"),
      ],
      [
        "merge",
        { spec: { replicas: -2147483649 } },
        decodeError("number -2147483649", "ScaleSpec.spec.replicas", "int32"),
      ],
      ["merge", { spec: { replicas: "3" } }, decodeError("string", "ScaleSpec.spec.replicas", "int32")],
      ["merge", { status: { selector: 5 } }, decodeError("number", "ScaleStatus.status.selector", "string")],
      [
        "json",
        [{ op: "replace", path: "/spec/replicas", value: 2.5 }],
        decodeError("number 2.5", "ScaleSpec.spec.replicas", "int32"),
      ],
      ["json", [{ op: "replace", path: "/spec", value: [] }], decodeError("array", "Scale.spec", "v1.ScaleSpec")],
    ] as const) {
      const res = await fl.patch("sc-int32/scale", type, patch);
      assert.equal(res.status, 422, `${JSON.stringify(patch)}: ${res.body}`);
      const status = res.json<Invalid>();
      assert.equal(status.reason, "Invalid");
      assert.equal(status.details.causes.length, 1);
      assert.equal(status.details.causes[0]?.field, "patch");
      assert.ok(status.message.startsWith(' "" is invalid: patch: Invalid value: "{'), status.message);
      assert.ok(status.message.endsWith(`}": ${error}`), status.message);
    }
    // A PUT's body fails to decode: 400, as transformDecodeError words it, before anything else.
    const put = (spec: unknown, status?: unknown) =>
      server.request(`${gv}/namespaces/default/flunders/sc-int32/scale?fieldValidation=Strict`, {
        method: "PUT",
        body: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "sc-int32" }, spec, status, extra: 1 },
      });
    for (const [spec, status, error] of [
      [{ replicas: 3000000000 }, undefined, decodeError("number 3000000000", "ScaleSpec.spec.replicas", "int32")],
      [{ replicas: true }, undefined, decodeError("bool", "ScaleSpec.spec.replicas", "int32")],
      [
        { replicas: 1 },
        { replicas: 1, selector: ["a"] },
        decodeError("array", "ScaleStatus.status.selector", "string"),
      ],
    ] as const) {
      const res = await put(spec, status);
      assert.equal(res.status, 400, res.body);
      assert.deepEqual(
        { reason: res.json().reason, message: res.json().message },
        { reason: "BadRequest", message: `Scale in version "v1" cannot be handled as a Scale: ${error}` },
      );
    }
    assert.equal(await replicas(), 2, "refused writes changed nothing");
    // A strategic merge patch's result is converted from a map: an integer becomes an int32 as Go
    // converts it (3000000000 wraps to -1294967296, refused as negative); other types are refused.
    const wrapped = await fl.patch("sc-int32/scale", "strategic", { spec: { replicas: 3000000000 } });
    assert.equal(wrapped.status, 422, wrapped.body);
    assert.equal(
      wrapped.json().message,
      'Scale.autoscaling "sc-int32" is invalid: spec.replicas: Invalid value: -1294967296: must be greater than or equal to 0',
    );
    for (const [value, error] of [
      ['"3"', "unrecognized type: int32"],
      ["2.5", "cannot convert float64 to int32"],
    ] as const) {
      const res = await fl.patch("sc-int32/scale", "strategic", `{"spec":{"replicas":${value}}}`);
      assert.equal(res.status, 422, res.body);
      assert.equal(
        res.json().message,
        ` "" is invalid: patch: Invalid value: "map[spec:map[replicas:${value === '"3"' ? "3" : value}]]": ${error}`,
      );
    }
    assert.equal(await replicas(), 2, "refused writes changed nothing");
    // Absent or null is int32's zero, as for the typed Scale: a merge patch's null scales to 0.
    const zero = await fl.patch("sc-int32/scale", "merge", { spec: { replicas: null } });
    assert.equal(zero.status, 200, zero.body);
    assert.equal(await replicas(), 0);
    // ScaleSpec's replicas is omitempty (ScaleStatus's is not): zero replicas read as an empty spec.
    assert.deepEqual(zero.json<{ spec: unknown; status: unknown }>().spec, {});
    const read = (await fl.get("sc-int32/scale")).json<{ spec: unknown; status: unknown }>();
    assert.deepEqual([read.spec, read.status], [{}, { replicas: 0 }]);
  });

  it("refuses int32 replicas written with a fraction or an exponent (1e3, 3.0), naming the number as written", async () => {
    await fl.create(flunder("sc-literal", { reference: "r", replicas: 2 }));
    const replicas = async () => (await fl.get("sc-literal")).json<Obj>().spec.replicas;
    const decodeError = (literal: string, field = "ScaleSpec.spec.replicas") =>
      `json: cannot unmarshal number ${literal} into Go struct field ${field} of type int32`;
    // A PUT's body: 400, as the overflow is.
    const scaleText = (spec: string, status = "{}") =>
      `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"sc-literal"},"spec":${spec},"status":${status}}`;
    for (const [spec, status, error] of [
      ['{"replicas":1e3}', "{}", decodeError("1e3")],
      ['{"replicas":3.0}', "{}", decodeError("3.0")],
      ['{"replicas":1E+1}', "{}", decodeError("1E+1")],
      ['{"replicas":7,"replicas":-0.0}', "{}", decodeError("-0.0")],
      ['{"replicas":1}', '{"replicas":2e0}', decodeError("2e0", "ScaleStatus.status.replicas")],
    ] as const) {
      const res = await server.request(`${gv}/namespaces/default/flunders/sc-literal/scale`, {
        method: "PUT",
        body: scaleText(spec, status),
      });
      assert.equal(res.status, 400, `${spec}: ${res.body}`);
      assert.deepEqual(
        { reason: res.json().reason, message: res.json().message },
        { reason: "BadRequest", message: `Scale in version "v1" cannot be handled as a Scale: ${error}` },
      );
    }
    // JSON and merge patches: the patched Scale's JSON keeps the patch's literal, 422 on `patch`.
    for (const [type, patch, error] of [
      ["merge", '{"spec":{"replicas":1e3}}', decodeError("1e3")],
      ["merge", '{"spec":{"replicas":4.00}}', decodeError("4.00")],
      ["merge", '{"spec":{"replicas":1},"status":{"replicas":1.0}}', decodeError("1.0", "ScaleStatus.status.replicas")],
      ["json", '[{"op":"replace","path":"/spec/replicas","value":3.0}]', decodeError("3.0")],
      ["json", '[{"op":"add","path":"/spec","value":{"replicas":5e0}}]', decodeError("5e0")],
      [
        "json",
        '[{"op":"add","path":"/status/replicas","value":4.0},{"op":"move","from":"/status/replicas","path":"/spec/replicas"}]',
        decodeError("4.0"),
      ],
    ] as const) {
      const res = await fl.patch("sc-literal/scale", type, patch);
      assert.equal(res.status, 422, `${patch}: ${res.body}`);
      const status = res.json<{ reason: string; message: string; details: { causes: Array<{ field: string }> } }>();
      assert.equal(status.reason, "Invalid");
      assert.deepEqual(
        status.details.causes.map((c) => c.field),
        ["patch"],
      );
      assert.ok(status.message.startsWith(' "" is invalid: patch: Invalid value: "{'), status.message);
      assert.ok(status.message.endsWith(`}": ${error}`), status.message);
    }
    // A strategic merge patch is read with PreserveInts: a number written with '.' or an exponent
    // is a float64, which the unstructured converter refuses for an int32.
    for (const [literal, shown] of [
      ["1e3", "1000"],
      ["3.0", "3"],
    ]) {
      const res = await fl.patch("sc-literal/scale", "strategic", `{"spec":{"replicas":${literal}}}`);
      assert.equal(res.status, 422, res.body);
      assert.equal(
        res.json().message,
        ` "" is invalid: patch: Invalid value: "map[spec:map[replicas:${shown}]]": cannot convert float64 to int32`,
      );
    }
    assert.equal(await replicas(), 2, "refused writes changed nothing");
    // Integers as written still scale, by every route.
    assert.equal((await fl.patch("sc-literal/scale", "merge", '{"spec":{"replicas":3}}')).status, 200);
    assert.equal((await fl.patch("sc-literal/scale", "strategic", '{"spec":{"replicas":4}}')).status, 200);
    assert.equal(
      (await fl.patch("sc-literal/scale", "json", '[{"op":"replace","path":"/spec/replicas","value":5}]')).status,
      200,
    );
    const put = await server.request(`${gv}/namespaces/default/flunders/sc-literal/scale`, {
      method: "PUT",
      body: scaleText('{"replicas":6}'),
    });
    assert.equal(put.status, 200, put.body);
    assert.equal(await replicas(), 6);
  });

  it("decodes a Scale strictly, as any object: a misspelt field warns (Warn) or is refused (Strict)", async () => {
    await fl.create(flunder("sc-strict", { reference: "r", replicas: 2 }));
    const typo = '{"spec":{"replica":7}}';
    const warned = await fl.patch("sc-strict/scale", "merge", typo);
    assert.equal(warned.status, 200, warned.body);
    assert.equal(warned.headers.warning, '299 - "unknown field \\"spec.replica\\""');
    assert.equal(warned.json<{ spec: { replicas: number } }>().spec.replicas, 2, "the misspelt field changed nothing");
    const strict = await fl.patch("sc-strict/scale", "merge", typo, "?fieldValidation=Strict");
    assert.equal(strict.status, 422, strict.body);
    assert.match(
      strict.json<{ message: string }>().message,
      /patch: Invalid value: .*strict decoding error: unknown field "spec.replica"$/,
    );
    const repeated = await fl.patch("sc-strict/scale", "merge", '{"spec":{"replicas":3,"replicas":4}}');
    assert.equal(repeated.headers.warning, '299 - "duplicate field \\"spec.replicas\\""');
    assert.equal(repeated.json<{ spec: { replicas: number } }>().spec.replicas, 4);
    const put = await server.request(`${gv}/namespaces/default/flunders/sc-strict/scale?fieldValidation=Strict`, {
      method: "PUT",
      body: {
        apiVersion: "autoscaling/v1",
        kind: "Scale",
        metadata: { name: "sc-strict" },
        spec: { replicas: 3, min: 1 },
      },
    });
    assert.equal(put.status, 400, put.body);
    assert.equal(put.json<{ message: string }>().message, 'strict decoding error: unknown field "spec.min"');
    assert.equal((await fl.get("sc-strict")).json<Obj>().spec.replicas, 4, "refused writes changed nothing");
  });

  it("applies JSON patches, refusing malformed ones (400) and ones that don't apply (422)", async () => {
    await fl.create(flunder("jp"));
    const ok = await fl.patch("jp", "json", [
      { op: "add", path: "/spec/items", value: [{ name: "a" }] },
      { op: "replace", path: "/spec/reference", value: "patched" },
      { op: "add", path: "/metadata/labels", value: { x: "y" } },
    ]);
    assert.equal(ok.status, 200);
    assert.equal(ok.json<Obj>().spec.reference, "patched");
    const malformed = await fl.patch("jp", "json", { op: "add" });
    assert.equal(malformed.status, 400);
    const notJSON = await fl.patch("jp", "json", "[{");
    assert.equal(notJSON.status, 400);
    const missing = await fl.patch("jp", "json", [{ op: "remove", path: "/spec/nothing" }]);
    assert.equal(missing.status, 422);
    const failedTest = await fl.patch("jp", "json", [{ op: "test", path: "/spec/reference", value: "other" }]);
    assert.equal(failedTest.status, 422);
    const invalidResult = await fl.patch("jp", "json", [{ op: "replace", path: "/spec/replicas", value: -5 }]);
    assert.equal(invalidResult.status, 422);
    assert.match(String(invalidResult.json().message), /spec\.replicas in body should be greater than or equal to 0/);
    const notFound = await fl.patch("nope", "json", [{ op: "add", path: "/spec/reference", value: "x" }]);
    assert.equal(notFound.status, 404);
  });

  it("applies merge patches with null deleting, and resourceVersion in a patch as a precondition", async () => {
    const created = (await fl.create(flunder("mp", { reference: "r", color: "red" }))).json<Obj>();
    const res = await fl.patch("mp", "merge", { spec: { color: null, reference: "m" } });
    assert.deepEqual(res.json<Obj>().spec, { reference: "m", replicas: 1 });
    const stale = await fl.patch("mp", "merge", {
      metadata: { resourceVersion: created.metadata.resourceVersion },
      spec: { reference: "z" },
    });
    assert.equal(stale.status, 409);
    const polluted = await fl.patch(
      "mp",
      "merge",
      JSON.parse('{"__proto__":{"polluted":1},"spec":{"constructor":{"prototype":{"x":1}}}}'),
    );
    assert.equal(polluted.status, 200);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.hasOwn(polluted.json<Obj>().spec, "constructor"), false, "unknown fields are pruned");
  });

  it("applies strategic merge patches, merging list-maps by key", async () => {
    await fl.create(
      flunder("smp", {
        reference: "r",
        items: [
          { name: "a", size: 1 },
          { name: "b", size: 2 },
        ],
      }),
    );
    const merged = await fl.patch("smp", "strategic", { spec: { items: [{ name: "a", size: 10 }, { name: "c" }] } });
    assert.equal(merged.status, 200, merged.body);
    // Order follows Kubernetes (patch elements not in the original come before the rest without $setElementOrder).
    const byName = (items: Obj["spec"]["items"]) => [...(items ?? [])].sort((x, y) => x.name.localeCompare(y.name));
    assert.deepEqual(byName(merged.json<Obj>().spec.items), [
      { name: "a", size: 10 },
      { name: "b", size: 2 },
      { name: "c" },
    ]);
    const ordered = await fl.patch("smp", "strategic", {
      spec: {
        "$setElementOrder/items": [{ name: "c" }, { name: "b" }, { name: "a" }],
        items: [{ name: "a", size: 11 }],
      },
    });
    assert.equal(ordered.status, 200, ordered.body);
    assert.deepEqual(ordered.json<Obj>().spec.items, [{ name: "c" }, { name: "b", size: 2 }, { name: "a", size: 11 }]);
    const deleted = await fl.patch("smp", "strategic", { spec: { items: [{ name: "b", $patch: "delete" }] } });
    assert.deepEqual(
      deleted
        .json<Obj>()
        .spec.items?.map((i) => i.name)
        .sort(),
      ["a", "c"],
    );
    const bad = await fl.patch("smp", "strategic", { spec: { items: [{ name: "a", $patch: "explode" }] } });
    assert.equal(bad.status, 422);
    assert.match(String(bad.json().message), /unknown patch type: explode in map: map\[\$patch:explode name:a\]/);
    const badOrder = await fl.patch("smp", "strategic", { spec: { "$setElementOrder/items": "a" } });
    assert.equal(badOrder.status, 400, badOrder.body);
    assert.equal(badOrder.json().reason, "BadRequest");
    assert.match(String(badOrder.json().message), /expected a \[\]interface \{\}, but received a string/);
  });

  it("applies strategic merge patches to status and scale", async () => {
    await fl.create(flunder("smp-sub", { reference: "r", replicas: 1 }));
    const status = await fl.patch("smp-sub/status", "strategic", {
      status: { phase: "Ready", replicas: 1 },
      spec: { reference: "ignored" },
    });
    assert.equal(status.status, 200, status.body);
    assert.deepEqual(status.json<Obj>().status, { phase: "Ready", replicas: 1 });
    assert.equal(status.json<Obj>().spec.reference, "r", "a status patch leaves spec alone");
    // null deletes one field; the other stays (merged, not replaced).
    const cleared = await fl.patch("smp-sub/status", "strategic", { status: { phase: null } });
    assert.equal(cleared.status, 200, cleared.body);
    assert.deepEqual(cleared.json<Obj>().status, { replicas: 1 });
    const scaled = await fl.patch("smp-sub/scale", "strategic", { spec: { replicas: 4 } });
    assert.equal(scaled.status, 200, scaled.body);
    assert.equal(scaled.json<{ kind: string; spec: { replicas: number } }>().kind, "Scale");
    assert.equal(scaled.json<{ spec: { replicas: number } }>().spec.replicas, 4);
    assert.equal((await fl.get("smp-sub")).json<Obj>().spec.replicas, 4);
  });

  it("answers 415 for patch types it does not implement, naming those it does", async () => {
    await fl.create(flunder("ct"));
    const res = await server.request(`${gv}/namespaces/default/flunders/ct`, {
      method: "PATCH",
      headers: { "Content-Type": "application/xml" },
      body: "<x/>",
    });
    assert.equal(res.status, 415);
    assert.equal(res.json().reason, "UnsupportedMediaType");
    assert.match(
      String(res.json().message),
      /application\/json-patch\+json, application\/merge-patch\+json, application\/strategic-merge-patch\+json/,
    );
  });

  it("matches a patch's Content-Type exactly, as the patch handler does: another case or inner spaces are 415", async () => {
    await fl.create(flunder("ct-case", { reference: "r", replicas: 1 }));
    const patch = (path: string, contentType: string, body: string) =>
      server.request(`${gv}/namespaces/default/flunders/${path}`, {
        method: "PATCH",
        headers: { "Content-Type": contentType },
        body,
      });
    const merge = '{"spec":{"reference":"changed"}}';
    const apply = '{"apiVersion":"wardle.example.com/v1alpha1","kind":"Flunder","spec":{"reference":"applied"}}';
    for (const [path, contentType, body] of [
      ["ct-case", "Application/Merge-Patch+JSON", merge],
      ["ct-case", "application/merge-patch+json ; charset=utf-8", merge],
      ["ct-case?fieldManager=m", "APPLICATION/APPLY-PATCH+YAML", apply],
      ["ct-case/status", "Application/Merge-Patch+JSON", '{"status":{"phase":"x"}}'],
      ["ct-case/scale", "Application/Merge-Patch+JSON", '{"spec":{"replicas":2}}'],
    ] as const) {
      const res = await patch(path, contentType, body);
      assert.equal(res.status, 415, `${path} ${contentType}: ${res.body}`);
      assert.equal(res.json().reason, "UnsupportedMediaType");
    }
    const unchanged = (await fl.get("ct-case")).json<Obj>();
    assert.equal(unchanged.spec.reference, "r");
    assert.equal(unchanged.spec.replicas, 1);
    // Only the parameters after ';' are cut off: the exact type with a charset patches.
    const charset = await patch("ct-case", "application/merge-patch+json; charset=utf-8", merge);
    assert.equal(charset.status, 200, charset.body);
    assert.equal(charset.json<Obj>().spec.reference, "changed");
    // Bodies of creates and updates are negotiated with mime.ParseMediaType, which lowercases.
    const created = await server.request(`${gv}/namespaces/default/flunders`, {
      method: "POST",
      headers: { "Content-Type": "Application/JSON" },
      body: JSON.stringify(flunder("ct-upper")),
    });
    assert.equal(created.status, 201, created.body);
  });
});
