import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@apiserver-kit/runtime/testing";
import type { Flunder as FlunderV1alpha1 } from "./apis/wardle/v1alpha1/flunder.js";
import type { Flunder as FlunderV1beta1 } from "./apis/wardle/v1beta1/flunder.js";
import { resources } from "./resources.js";

const GROUP = "wardle.example.com";
const flunders = (version: string, namespace = "default") =>
  `/apis/${GROUP}/${version}/namespaces/${namespace}/flunders`;
const FISCHERS = `/apis/${GROUP}/v1alpha1/fischers`;
const flunder = (version: string, name: string, spec: object) => ({
  apiVersion: `${GROUP}/${version}`,
  kind: "Flunder",
  metadata: { name },
  spec,
});
const fischer = (name: string, disallowedFlunders: string[]) => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: "Fischer",
  metadata: { name },
  disallowedFlunders,
});

describe("the wardle.example.com API, served by the runtime's test kit", () => {
  let server: TestServer;
  const create = (path: string, body: object) => server.request(path, { method: "POST", body });
  before(async () => {
    server = await startTestServer({ resources });
  });
  after(() => server.close());

  it("serves Flunder in v1beta1 (preferred) and v1alpha1, Fischer in v1alpha1", async () => {
    const group = (await server.request(`/apis/${GROUP}`)).json<{
      versions: Array<{ version: string }>;
      preferredVersion: { version: string };
    }>();
    assert.deepEqual(
      group.versions.map((v) => v.version),
      ["v1beta1", "v1alpha1"],
    );
    assert.equal(group.preferredVersion.version, "v1beta1");
    const names = async (version: string) =>
      (await server.request(`/apis/${GROUP}/${version}`))
        .json<{ resources: Array<{ name: string }> }>()
        .resources.map((r) => r.name)
        .sort();
    assert.deepEqual(await names("v1alpha1"), ["fischers", "fischers/ban", "flunders", "flunders/status"]);
    assert.deepEqual(await names("v1beta1"), ["flunders", "flunders/status"]);
  });

  it("converts by hand between v1alpha1's reference and v1beta1's split references", async () => {
    const created = await create(
      flunders("v1alpha1"),
      flunder("v1alpha1", "to-fish", { reference: "trout", referenceType: "Fischer" }),
    );
    assert.equal(created.status, 201, created.body);
    const beta = (await server.request(`${flunders("v1beta1")}/to-fish`)).json<FlunderV1beta1>();
    assert.deepEqual(beta.spec, { fischerReference: "trout", referenceType: "Fischer" });
    await create(flunders("v1beta1"), flunder("v1beta1", "to-other", { flunderReference: "to-fish" }));
    const alpha = (await server.request(`${flunders("v1alpha1")}/to-other`)).json<FlunderV1alpha1>();
    assert.deepEqual(alpha.spec, { reference: "to-fish", referenceType: "Flunder" }, "referenceType defaulted");
  });

  it("defaults v1alpha1's referenceType to Flunder when a reference is set", async () => {
    const created = await create(flunders("v1alpha1"), flunder("v1alpha1", "untyped", { reference: "x" }));
    assert.equal(created.status, 201, created.body);
    assert.deepEqual(created.json<FlunderV1alpha1>().spec, { reference: "x", referenceType: "Flunder" });
  });

  it("validates each version's rules, naming the field", async () => {
    const cases: Array<[string, object, RegExp]> = [
      [
        "v1beta1",
        { flunderReference: "a", fischerReference: "b" },
        /flunderReference and fischerReference are mutually exclusive/,
      ],
      [
        "v1beta1",
        { fischerReference: "b", referenceType: "Flunder" },
        /spec\.flunderReference: Required value: referenceType is Flunder/,
      ],
      ["v1alpha1", { referenceType: "Fischer" }, /a referenceType needs a reference/],
      ["v1alpha1", { reference: "x", referenceType: "Salmon" }, /spec\.referenceType: Unsupported value: "Salmon"/],
    ];
    for (const [version, spec, message] of cases) {
      const refused = await create(flunders(version), flunder(version, "invalid", spec));
      assert.equal(refused.status, 422, `${JSON.stringify(spec)}: ${refused.body}`);
      assert.match(refused.json<{ message: string }>().message, message);
    }
  });

  it("refuses a Flunder whose name a Fischer disallows (BanFlunder), in any version", async () => {
    assert.equal((await create(FISCHERS, fischer("strict", ["evil"]))).status, 201);
    for (const version of ["v1alpha1", "v1beta1"]) {
      const refused = await create(flunders(version, "other"), flunder(version, "evil", {}));
      assert.equal(refused.status, 403, refused.body);
      assert.equal(
        refused.json<{ message: string }>().message,
        'flunders.wardle.example.com "evil" is forbidden: this name may not be used, please change the resource name (fischer "strict" disallows it)',
      );
    }
    assert.equal((await create(flunders("v1beta1"), flunder("v1beta1", "good", {}))).status, 201);
  });

  it("bans a name through the fischers/ban action, and checks its body", async () => {
    await create(FISCHERS, fischer("lenient", []));
    const banned = await create(`${FISCHERS}/lenient/ban`, { flunder: "ugly" });
    assert.equal(banned.status, 201, banned.body);
    assert.deepEqual(banned.json<{ disallowedFlunders: string[] }>().disallowedFlunders, ["ugly"]);
    const again = await create(`${FISCHERS}/lenient/ban`, { flunder: "ugly" });
    assert.deepEqual(again.json<{ disallowedFlunders: string[] }>().disallowedFlunders, ["ugly"], "added once");
    assert.equal((await create(flunders("v1beta1"), flunder("v1beta1", "ugly", {}))).status, 403);
    const bad = await create(`${FISCHERS}/lenient/ban`, { flunder: "Not A Name" });
    assert.equal(bad.status, 422, bad.body);
    assert.match(
      bad.json<{ message: string }>().message,
      /^BanRequest\.wardle\.example\.com "lenient" is invalid: flunder: Invalid value: "Not A Name": flunder in body should match/,
    );
    const empty = await create(`${FISCHERS}/lenient/ban`, {});
    assert.equal(empty.status, 422);
    assert.equal(
      empty.json<{ message: string }>().message,
      'BanRequest.wardle.example.com "lenient" is invalid: flunder: Required value',
    );
  });

  it("publishes disallowedFlunders as an atomic list", async () => {
    const document = (await server.request(`/openapi/v3/apis/${GROUP}/v1alpha1`)).json<{
      components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
    }>();
    const schema = Object.entries(document.components.schemas).find(([name]) => name.endsWith(".Fischer"))?.[1];
    assert.equal(schema?.properties?.disallowedFlunders?.["x-kubernetes-list-type"], "atomic");
  });
});
