/**
 * OpenAPI as the aggregator and kubectl fetch it: v3 root and per group-version documents
 * with the hash and ETag rules, v2 as JSON and as gnostic protobuf (ETag shared, no "@" in
 * the answer's media type), and what each operation and schema must carry.
 */
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { after, before, describe, it } from "node:test";
import { SUPPORTED_PATCH_TYPES } from "../endpoints/resource-handler.js";
import { type ProtoField, readFields } from "../openapi/protobuf.js";
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_DEPRECATED } from "../openapi/service.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

type Obj = Record<string, unknown>;
const GV_PATH = "/openapi/v3/apis/wardle.example.com/v1alpha1";

/** GETs a binary body (the test kit reads text). */
function getBytes(
  server: TestServer,
  path: string,
  accept: string,
): Promise<{ status: number; headers: Obj; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const admin = server.local.pki.admin;
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        ca: server.local.pki.ca.cert,
        cert: admin.cert,
        key: admin.key,
        headers: { Accept: accept },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const text = (f: ProtoField | undefined): string => (f && Buffer.isBuffer(f.value) ? f.value.toString("utf8") : "");
const sub = (f: ProtoField | undefined): ProtoField[] => (f && Buffer.isBuffer(f.value) ? readFields(f.value) : []);
const all = (fields: ProtoField[], n: number) => fields.filter((f) => f.field === n);
const one = (fields: ProtoField[], n: number) => fields.find((f) => f.field === n);
/** NamedX { name = 1; value = 2 } entries as a map. */
const named = (entries: ProtoField[]) => new Map(entries.map((e) => [text(one(sub(e), 1)), sub(one(sub(e), 2))]));
/** Vendor extensions (NamedAny with Any.yaml = 2) as parsed values. */
const extensionsOf = (entries: ProtoField[]) =>
  new Map([...named(entries)].map(([k, any]) => [k, JSON.parse(text(one(any, 2))) as unknown]));

describe("OpenAPI v2 and v3 as the aggregator and kubectl fetch them", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it("lists only this server's group-versions in the v3 root, each with its ?hash= URL", async () => {
    const root = await server.request("/openapi/v3");
    assert.equal(root.status, 200);
    assert.match(String(root.headers.etag), /^"[0-9A-F]{128}"$/);
    const paths = root.json<{ paths: Record<string, { serverRelativeURL: string }> }>().paths;
    assert.deepEqual(Object.keys(paths), ["apis/wardle.example.com/v1alpha1"]);
    assert.match(
      paths["apis/wardle.example.com/v1alpha1"]?.serverRelativeURL ?? "",
      /^\/openapi\/v3\/apis\/wardle\.example\.com\/v1alpha1\?hash=[0-9A-F]{128}$/,
    );
    const again = await server.request("/openapi/v3", { headers: { "If-None-Match": String(root.headers.etag) } });
    assert.equal(again.status, 304);
  });

  it("applies kube-openapi's hash rules: matching → immutable, stale → 301 to the current URL, none → no-cache", async () => {
    const url = (await server.request("/openapi/v3")).json<{ paths: Record<string, { serverRelativeURL: string }> }>()
      .paths["apis/wardle.example.com/v1alpha1"]?.serverRelativeURL as string;
    const hash = url.slice(url.indexOf("hash=") + 5);
    const current = await server.request(url);
    assert.equal(current.status, 200);
    assert.equal(current.headers["cache-control"], "public, immutable");
    assert.ok(current.headers.expires, "hash-addressed documents expire a year out");
    assert.equal(current.headers.etag, `"${hash}"`, "the hash is the document's ETag");
    assert.equal(current.headers.vary, "Accept");
    assert.equal(current.json().openapi, "3.0.0");

    const stale = await server.request(`${GV_PATH}?hash=0123ABCD`);
    assert.equal(stale.status, 301);
    assert.equal(stale.headers.location, url);

    const plain = await server.request(GV_PATH);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers["cache-control"], "no-cache, private");
    assert.equal(plain.headers.etag, `"${hash}"`);
    assert.equal((await server.request(GV_PATH, { headers: { "If-None-Match": `"${hash}"` } })).status, 304);
    assert.equal((await server.request(`${GV_PATH}?hash=`)).headers["cache-control"], "no-cache, private");
  });

  it("answers 406 to media types it does not serve and 404 to unknown group-versions", async () => {
    const proto = await server.request(GV_PATH, {
      headers: { Accept: "application/com.github.proto-openapi.spec.v3.v1.0+protobuf" },
    });
    assert.equal(proto.status, 406);
    assert.equal(proto.json().reason, "NotAcceptable");
    assert.equal((await server.request("/openapi/v2", { headers: { Accept: "text/html" } })).status, 406);
    assert.equal((await server.request("/openapi/v3/apis/nope.example.com/v1")).status, 404);
  });

  it("declares fieldValidation inline on every PATCH carrying a GVK, and only implemented patch types", async () => {
    const doc = (await server.request(GV_PATH)).json<{ paths: Record<string, Record<string, Obj>> }>();
    let patches = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (method === "parameters") continue;
        assert.ok(op["x-kubernetes-action"], `${method} ${path} has x-kubernetes-action`);
        assert.equal(typeof op["x-kubernetes-group-version-kind"], "object", `${method} ${path} has an object GVK`);
        if (method !== "patch") continue;
        patches++;
        const names = (op.parameters as Array<{ name: string; $ref?: string }>).map((p) => p.name);
        assert.ok(names.includes("fieldValidation"), `${path} PATCH declares fieldValidation`);
        const types = Object.keys((op.requestBody as { content: Obj }).content);
        assert.deepEqual(types, [...SUPPORTED_PATCH_TYPES]);
      }
    }
    assert.equal(patches, 4, "flunders, flunders/status, flunders/scale, fischers");
  });

  it("serves Swagger 2.0 JSON with our paths only, GVKs on operations and definitions, PATCH consumes = implemented types", async () => {
    const res = await server.request("/openapi/v2", { headers: { Accept: "application/json" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/json");
    assert.match(String(res.headers.etag), /^"[0-9A-F]{128}"$/);
    const swagger = res.json<{
      swagger: string;
      paths: Record<string, Record<string, Obj>>;
      definitions: Record<string, Obj>;
    }>();
    assert.equal(swagger.swagger, "2.0");
    for (const path of Object.keys(swagger.paths)) assert.match(path, /^\/apis\/wardle\.example\.com\/v1alpha1\//);
    const item = swagger.paths["/apis/wardle.example.com/v1alpha1/namespaces/{namespace}/flunders/{name}"] ?? {};
    assert.deepEqual(item.patch?.consumes, [...SUPPORTED_PATCH_TYPES]);
    assert.deepEqual(item.patch?.["x-kubernetes-group-version-kind"], {
      group: "wardle.example.com",
      version: "v1alpha1",
      kind: "Flunder",
    });
    assert.equal(item.patch?.["x-kubernetes-action"], "patch");
    assert.ok((item.patch?.parameters as Array<{ name: string }>).some((p) => p.name === "fieldValidation"));
    const body = (item.put?.parameters as Obj[]).find((p) => p.in === "body");
    assert.deepEqual(body?.schema, { $ref: "#/definitions/com.example.wardle.v1alpha1.Flunder" });

    const flunder = swagger.definitions["com.example.wardle.v1alpha1.Flunder"] ?? {};
    assert.deepEqual(flunder["x-kubernetes-group-version-kind"], [
      { group: "wardle.example.com", kind: "Flunder", version: "v1alpha1" },
    ]);
    assert.match(String(flunder.description), /example namespaced resource/);
    const props = flunder.properties as Record<string, Obj>;
    assert.equal(props.metadata?.$ref, "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assert.match(String(props.metadata?.description), /metadata/);
    assert.ok(swagger.definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]);
    assert.ok(!JSON.stringify(swagger).includes("#/components/"), "every ref points into definitions");
  });

  it("serves the same document as gnostic protobuf to kubectl's Accept, under the same ETag, at both paths", async () => {
    const json = await server.request("/openapi/v2", { headers: { Accept: "application/json" } });
    const pb = await getBytes(server, "/openapi/v2", OPENAPI_V2_PROTOBUF_DEPRECATED);
    assert.equal(pb.status, 200);
    assert.equal(pb.headers["content-type"], OPENAPI_V2_PROTOBUF);
    assert.ok(!String(pb.headers["content-type"]).includes("@"));
    assert.equal(pb.headers.etag, json.headers.etag);
    const again = await getBytes(server, "/openapi/v2", OPENAPI_V2_PROTOBUF);
    assert.deepEqual(again.body, pb.body);
    const cached = await server.request("/openapi/v2", {
      headers: { Accept: OPENAPI_V2_PROTOBUF_DEPRECATED, "If-None-Match": String(json.headers.etag) },
    });
    assert.equal(cached.status, 304);
    const legacy = await getBytes(server, "/swagger-2.0.0.pb-v1", "*/*");
    assert.deepEqual(legacy.body, pb.body);

    // Document { swagger = 1; paths = 8; definitions = 9 }
    const doc = readFields(pb.body);
    assert.equal(text(one(doc, 1)), "2.0");
    const definitions = named(all(sub(one(doc, 9)), 1));
    const flunder = definitions.get("com.example.wardle.v1alpha1.Flunder") ?? [];
    assert.match(text(one(flunder, 4)), /example namespaced resource/);
    assert.deepEqual(extensionsOf(all(flunder, 31)).get("x-kubernetes-group-version-kind"), [
      { group: "wardle.example.com", kind: "Flunder", version: "v1alpha1" },
    ]);
    // Schema.properties = 25 → Properties { additional_properties = 1 } → spec → items → name.
    const props = named(all(sub(one(flunder, 25)), 1));
    const spec = props.get("spec") ?? [];
    const items = named(all(sub(one(spec, 25)), 1)).get("items") ?? [];
    assert.deepEqual(all(sub(one(items, 22)), 1).map(text), ["array"], "type: array (TypeItem)");
    const item = sub(one(sub(one(items, 23)), 1));
    const name = named(all(sub(one(item, 25)), 1)).get("name") ?? [];
    assert.equal(text(one(name, 4)), "The item's name.");
    assert.equal(
      text(one(props.get("metadata") ?? [], 1)),
      "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    );

    // Paths { path = 2 } → PathItem.patch = 8 → Operation.consumes = 7, vendor_extension = 13.
    const paths = named(all(sub(one(doc, 8)), 2));
    const pathItem = paths.get("/apis/wardle.example.com/v1alpha1/namespaces/{namespace}/flunders/{name}") ?? [];
    const patch = sub(one(pathItem, 8));
    assert.deepEqual(all(patch, 7).map(text), [...SUPPORTED_PATCH_TYPES]);
    assert.deepEqual(extensionsOf(all(patch, 13)).get("x-kubernetes-group-version-kind"), {
      group: "wardle.example.com",
      version: "v1alpha1",
      kind: "Flunder",
    });
  });
});
