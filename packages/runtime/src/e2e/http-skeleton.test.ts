/**
 * The walking skeleton at the HTTP level: authentication and authorization in local
 * mode, health and version, discovery shapes, server-set metadata, Status errors, watch
 * resourceVersion semantics.
 */
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { after, before, describe, it } from "node:test";
import { createCA, issueCertificate, loadCA } from "../certs/x509.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const base = "/apis/wardle.example.com/v1alpha1";
const flunder = (name: string, spec: Record<string, unknown> = { reference: "r" }) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name },
  spec,
});

/** Reads the first `count` lines of a watch stream, then aborts it. */
function watchLines(
  server: TestServer,
  path: string,
  count: number,
  timeoutMs = 5000,
): Promise<{ status: number; lines: string[] }> {
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
        agent: false,
      },
      (res) => {
        let buffer = "";
        const lines: string[] = [];
        const timer = setTimeout(() => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, lines });
        }, timeoutMs);
        res.on("data", (chunk: Buffer) => {
          buffer += chunk.toString();
          let nl = buffer.indexOf("\n");
          while (nl >= 0) {
            lines.push(buffer.slice(0, nl));
            buffer = buffer.slice(nl + 1);
            nl = buffer.indexOf("\n");
          }
          if (lines.length >= count) {
            clearTimeout(timer);
            req.destroy();
            resolve({ status: res.statusCode ?? 0, lines });
          }
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, lines });
        });
      },
    );
    req.on("error", (error) => {
      if ((error as NodeJS.ErrnoException).code !== "ECONNRESET") reject(error);
    });
    req.end();
  });
}

describe("HTTP: the walking skeleton", () => {
  let server: TestServer;
  before(async () => {
    // A small watch-cache window, so that an old resourceVersion falls out of it.
    server = await startTestServer({ server: { watchCacheOptions: { historySize: 4 } } });
  });
  after(async () => {
    await server.close();
  });

  it("refuses an anonymous request with Kubernetes' 403", async () => {
    const res = await server.request(`${base}/namespaces/default/flunders`, { anonymous: true });
    assert.equal(res.status, 403);
    const status = res.json();
    assert.equal(status.kind, "Status");
    assert.equal(status.reason, "Forbidden");
    assert.equal(
      status.message,
      'flunders.wardle.example.com is forbidden: User "system:anonymous" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "default"',
    );
    const path = await server.request("/apis", { anonymous: true });
    assert.equal(path.status, 403);
    assert.equal(path.json().message, 'forbidden: User "system:anonymous" cannot get path "/apis"');
  });

  it("lets anonymous requests reach the health checks only", async () => {
    for (const path of ["/healthz", "/livez", "/readyz", "/readyz/ping"]) {
      const res = await server.request(path, { anonymous: true });
      assert.equal(res.status, 200, path);
      assert.equal(res.body, "ok");
    }
    const verbose = await server.request("/readyz?verbose", { anonymous: true });
    assert.match(verbose.body, /^\[\+\]ping ok$/m);
    assert.match(verbose.body, /^\[\+\]storage ok$/m);
    assert.match(verbose.body, /readyz check passed/);
    assert.equal((await server.request("/version", { anonymous: true })).status, 403);
  });

  it("authenticates client certificates of the local CA only", async () => {
    const ca = server.local.pki.ca;
    const other = createCA("someone-else");
    const stranger = issueCertificate(other, {
      subject: { commonName: "admin", organizations: ["system:masters"] },
      usages: ["clientAuth"],
    });
    const refused = await server.request("/apis", { clientCert: stranger });
    assert.equal(refused.status, 403, "a certificate from another CA is anonymous");
    assert.match(String(refused.json().message), /system:anonymous/);
    const bob = issueCertificate(loadCA(ca), {
      subject: { commonName: "bob", organizations: ["devs"] },
      usages: ["clientAuth"],
    });
    const bobRes = await server.request(`${base}/namespaces/default/flunders/x`, { clientCert: bob });
    assert.equal(bobRes.status, 403);
    assert.equal(
      bobRes.json().message,
      'flunders.wardle.example.com "x" is forbidden: User "bob" cannot get resource "flunders" in API group "wardle.example.com" in the namespace "default"',
    );
  });

  it("serves /version in Kubernetes' shape and 404 on /api", async () => {
    const version = (await server.request("/version")).json();
    for (const key of [
      "major",
      "minor",
      "gitVersion",
      "gitCommit",
      "gitTreeState",
      "buildDate",
      "goVersion",
      "compiler",
      "platform",
    ]) {
      assert.equal(typeof version[key], "string", key);
    }
    const api = await server.request("/api");
    assert.equal(api.status, 404);
    assert.equal(api.json().reason, "NotFound");
  });

  it("serves legacy discovery documents", async () => {
    const groups = (await server.request("/apis")).json<{
      kind: string;
      groups: Array<{ name: string; preferredVersion: { groupVersion: string } }>;
    }>();
    assert.equal(groups.kind, "APIGroupList");
    assert.deepEqual(
      groups.groups.map((g) => g.name),
      ["wardle.example.com"],
    );
    assert.equal(groups.groups[0]?.preferredVersion.groupVersion, "wardle.example.com/v1alpha1");
    const group = (await server.request("/apis/wardle.example.com")).json();
    assert.equal(group.kind, "APIGroup");
    const list = (await server.request(base)).json<{
      kind: string;
      groupVersion: string;
      resources: Array<Record<string, unknown>>;
    }>();
    assert.equal(list.kind, "APIResourceList");
    assert.equal(list.groupVersion, "wardle.example.com/v1alpha1");
    const flunders = list.resources.find((r) => r.name === "flunders");
    assert.deepEqual(flunders, {
      name: "flunders",
      singularName: "flunder",
      namespaced: true,
      kind: "Flunder",
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["fl"],
      categories: ["wardle"],
      storageVersionHash: flunders?.storageVersionHash,
    });
    assert.match(String(flunders?.storageVersionHash), /^[A-Za-z0-9+/]{11}=$/);
    assert.deepEqual(
      list.resources.map((r) => r.name),
      ["flunders", "flunders/status", "flunders/scale", "fischers"],
    );
    assert.equal((await server.request("/apis/nope.example.com")).status, 404);
  });

  it("sets uid, creationTimestamp, resourceVersion and generation on create", async () => {
    const res = await server.request(`${base}/namespaces/default/flunders`, {
      method: "POST",
      body: {
        ...flunder("meta"),
        metadata: {
          name: "meta",
          uid: "mine",
          generation: 7,
          resourceVersion: "99",
          creationTimestamp: "2000-01-01T00:00:00Z",
        },
      },
    });
    assert.equal(res.status, 201);
    const meta = res.json<{ metadata: Record<string, unknown> }>().metadata;
    assert.notEqual(meta.uid, "mine");
    assert.match(String(meta.uid), /^[0-9a-f-]{36}$/);
    assert.notEqual(meta.creationTimestamp, "2000-01-01T00:00:00Z");
    assert.match(String(meta.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(meta.generation, 1);
    assert.notEqual(meta.resourceVersion, "99");
    assert.equal(meta.namespace, "default");
  });

  it("answers a duplicate create with 409 AlreadyExists and a missing object with 404", async () => {
    await server.request(`${base}/namespaces/default/flunders`, { method: "POST", body: flunder("dup") });
    const again = await server.request(`${base}/namespaces/default/flunders`, { method: "POST", body: flunder("dup") });
    assert.equal(again.status, 409);
    assert.deepEqual(again.json(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'flunders.wardle.example.com "dup" already exists',
      reason: "AlreadyExists",
      details: { name: "dup", group: "wardle.example.com", kind: "flunders" },
      code: 409,
    });
    const missing = await server.request(`${base}/namespaces/default/flunders/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json().message, 'flunders.wardle.example.com "nope" not found');
  });

  it("refuses a stale update with 409 Conflict and an update without resourceVersion with 422", async () => {
    const created = (
      await server.request(`${base}/namespaces/default/flunders`, { method: "POST", body: flunder("upd") })
    ).json<{
      metadata: { resourceVersion: string };
    }>();
    const fresh = await server.request(`${base}/namespaces/default/flunders/upd`, {
      method: "PUT",
      body: {
        ...flunder("upd", { reference: "new" }),
        metadata: { name: "upd", resourceVersion: created.metadata.resourceVersion },
      },
    });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.json<{ metadata: { generation: number } }>().metadata.generation, 2);
    const stale = await server.request(`${base}/namespaces/default/flunders/upd`, {
      method: "PUT",
      body: {
        ...flunder("upd", { reference: "stale" }),
        metadata: { name: "upd", resourceVersion: created.metadata.resourceVersion },
      },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, "Conflict");
    assert.equal(
      stale.json().message,
      'Operation cannot be fulfilled on flunders.wardle.example.com "upd": the object has been modified; please apply your changes to the latest version and try again',
    );
    const unconditional = await server.request(`${base}/namespaces/default/flunders/upd`, {
      method: "PUT",
      body: flunder("upd"),
    });
    assert.equal(unconditional.status, 422);
    assert.equal(
      unconditional.json().message,
      'flunders.wardle.example.com "upd" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
    assert.deepEqual(unconditional.json().details, {
      name: "upd",
      group: "wardle.example.com",
      kind: "flunders",
      causes: [
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: 0x0: must be specified for an update",
          field: "metadata.resourceVersion",
        },
      ],
    });
  });

  it("answers 406 to a request for protobuf only", async () => {
    const res = await server.request(`${base}/namespaces/default/flunders`, {
      headers: { Accept: "application/vnd.kubernetes.protobuf" },
    });
    assert.equal(res.status, 406);
    assert.equal(res.json().reason, "NotAcceptable");
  });

  it("watches with resourceVersion semantics: unset lists first, N resumes, too old is 410", async () => {
    const created = (
      await server.request(`${base}/namespaces/w/flunders`, { method: "POST", body: flunder("w1") })
    ).json<{
      metadata: { resourceVersion: string };
    }>();
    const initial = await watchLines(server, `${base}/namespaces/w/flunders?watch=true`, 1);
    assert.equal(initial.status, 200);
    assert.equal(JSON.parse(initial.lines[0] as string).type, "ADDED");
    const resumed = watchLines(
      server,
      `${base}/namespaces/w/flunders?watch=1&resourceVersion=${created.metadata.resourceVersion}`,
      1,
    );
    await new Promise((r) => setTimeout(r, 100));
    await server.request(`${base}/namespaces/w/flunders/w1`, { method: "DELETE" });
    const events = await resumed;
    const deleted = JSON.parse(events.lines[0] as string);
    assert.equal(deleted.type, "DELETED");
    assert.equal(deleted.object.metadata.name, "w1");
    for (let i = 0; i < 6; i++) {
      await server.request(`${base}/namespaces/w/flunders`, { method: "POST", body: flunder(`w-more-${i}`) });
    }
    await server.storage.compact(await server.storage.currentRevision());
    const expired = await watchLines(server, `${base}/namespaces/w/flunders?watch=true&resourceVersion=1`, 1);
    assert.equal(expired.status, 200);
    const error = JSON.parse(expired.lines[0] as string);
    assert.equal(error.type, "ERROR");
    assert.equal(error.object.code, 410);
    assert.equal(error.object.reason, "Expired");
    assert.match(error.object.message, /^too old resource version: 1 \(\d+\)$/);
  });

  it("deletes with a Success Status", async () => {
    await server.request(`${base}/namespaces/default/flunders`, { method: "POST", body: flunder("gone") });
    const res = await server.request(`${base}/namespaces/default/flunders/gone`, { method: "DELETE" });
    assert.equal(res.status, 200);
    const status = res.json<{ kind: string; status: string; details: Record<string, string> }>();
    assert.equal(status.kind, "Status");
    assert.equal(status.status, "Success");
    assert.equal(status.details.name, "gone");
    assert.equal(status.details.kind, "flunders");
    assert.match(status.details.uid as string, /^[0-9a-f-]{36}$/);
  });
});
