/**
 * Objects and metadata at the HTTP level (issue 3): generateName, namespaces, name,
 * label and annotation rules, server-owned metadata, generation, delete options,
 * preconditions, finalizers, deletecollection, dry run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openWatch, ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

type Obj = { metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown> };
const gv = "/apis/wardle.example.com/v1alpha1";
const flunder = (metadata: Record<string, unknown>, spec: Record<string, unknown> = { reference: "r" }) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata,
  spec,
});

describe("HTTP: objects and metadata", () => {
  let server: TestServer;
  let fl: ResourceClient;
  let fi: ResourceClient;
  before(async () => {
    server = await startTestServer();
    fl = new ResourceClient(server, `${gv}/namespaces/default/flunders`);
    fi = new ResourceClient(server, `${gv}/fischers`);
  });
  after(async () => {
    await server.close();
  });

  it("generates names from generateName with five random characters", async () => {
    const a = await fl.create(flunder({ generateName: "gen-" }));
    const b = await fl.create(flunder({ generateName: "gen-" }));
    assert.equal(a.status, 201);
    const nameA = a.json<Obj>().metadata.name as string;
    assert.match(nameA, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.notEqual(nameA, b.json<Obj>().metadata.name);
    // The name is generated before validation, as the generic store does: a bad prefix is reported
    // on generateName (as written) and on the name it made, which also names the error.
    const bad = await fl.create(flunder({ generateName: "BAD-" }));
    assert.equal(bad.status, 422, bad.body);
    const details = bad.json<{ details: { name: string; causes: Array<{ field: string; message: string }> } }>()
      .details;
    assert.match(details.name, /^BAD-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const subdomain =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    assert.deepEqual(details.causes, [
      { reason: "FieldValueInvalid", field: "metadata.generateName", message: `Invalid value: "BAD-": ${subdomain}` },
      {
        reason: "FieldValueInvalid",
        field: "metadata.name",
        message: `Invalid value: "${details.name}": ${subdomain}`,
      },
    ]);
    assert.equal(
      bad.json().message,
      `Flunder.wardle.example.com "${details.name}" is invalid: [metadata.generateName: Invalid value: "BAD-": ${subdomain}, metadata.name: Invalid value: "${details.name}": ${subdomain}]`,
    );
    // names.SimpleNameGenerator keeps at most 58 characters of the prefix: the name fits 63.
    const long = await fl.create(flunder({ generateName: `${"l".repeat(70)}-` }));
    assert.equal(long.status, 201, long.body);
    assert.match(long.json<Obj>().metadata.name as string, /^l{58}[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const missing = await fl.create(flunder({}));
    assert.equal(missing.status, 422);
    assert.equal(
      missing.json().message,
      'Flunder.wardle.example.com "" is invalid: metadata.name: Required value: name or generateName is required',
    );
  });

  it("takes the namespace from the URL and refuses a different one in the body", async () => {
    const ok = await fl.create(flunder({ name: "ns-ok" }));
    assert.equal(ok.json<Obj>().metadata.namespace, "default");
    const other = await fl.create(flunder({ name: "ns-bad", namespace: "other" }));
    assert.equal(other.status, 400);
    assert.equal(other.json().reason, "BadRequest");
    assert.equal(
      other.json().message,
      "the namespace of the provided object does not match the namespace sent on the request",
    );
    const cluster = await fi.create({
      apiVersion: "wardle.example.com/v1alpha1",
      kind: "Fischer",
      metadata: { name: "c1", namespace: "ignored" },
    });
    assert.equal(cluster.status, 201);
    assert.equal(cluster.json<Obj>().metadata.namespace, undefined);
    const clusterInNs = await server.request(`${gv}/namespaces/default/fischers`);
    assert.equal(clusterInNs.status, 404);
  });

  it("checks names, labels and annotations with Kubernetes' messages", async () => {
    const upper = await fl.create(flunder({ name: "Bad_Name" }));
    assert.equal(upper.status, 422);
    assert.deepEqual(upper.json<{ details: unknown }>().details, {
      name: "Bad_Name",
      group: "wardle.example.com",
      kind: "Flunder",
      causes: [
        {
          reason: "FieldValueInvalid",
          message:
            "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
          field: "metadata.name",
        },
      ],
    });
    const long = await fl.create(flunder({ name: "a".repeat(254) }));
    assert.equal(long.status, 422);
    assert.match(
      String(long.json().message),
      /metadata\.name: Invalid value: "a+": must be no more than 253 characters/,
    );
    const label = await fl.create(flunder({ name: "lbl", labels: { "bad key!": "v", ok: "x".repeat(64) } }));
    assert.equal(label.status, 422);
    const causes = label.json<{ details: { causes: Array<{ field: string; message: string }> } }>().details.causes;
    assert.equal(causes.length, 2);
    assert.ok(causes.every((c) => c.field === "metadata.labels"));
    assert.match(causes[0]?.message ?? "", /name part must consist of alphanumeric characters/);
    assert.match(causes[1]?.message ?? "", /must be no more than 63 characters/);
    const annotations = await fl.create(flunder({ name: "ann", annotations: { big: "x".repeat(256 * 1024) } }));
    assert.equal(annotations.status, 422);
    assert.match(String(annotations.json().message), /metadata\.annotations: Too long: must have at most 262144 bytes/);
  });

  it("keeps server-owned metadata on update and bumps generation only for spec changes", async () => {
    const created = (
      await fl.create(flunder({ name: "owned", labels: { a: "1" }, deletionTimestamp: "2000-01-01T00:00:00Z" }))
    ).json<Obj>();
    const meta = created.metadata;
    assert.equal(meta.deletionTimestamp, undefined, "a client can't create an object as being deleted");
    const relabel = await fl.update("owned", {
      ...flunder({
        ...meta,
        labels: { a: "2" },
        uid: meta.uid,
        creationTimestamp: "1999-01-01T00:00:00Z",
        generation: 42,
        deletionTimestamp: "2000-01-01T00:00:00Z",
      }),
    });
    assert.equal(relabel.status, 200);
    const relabeled = relabel.json<Obj>().metadata;
    assert.equal(relabeled.creationTimestamp, meta.creationTimestamp);
    assert.equal(relabeled.deletionTimestamp, undefined, "only a delete sets deletionTimestamp");
    assert.equal(relabeled.generation, 1, "a metadata-only change keeps the generation");
    const wrongUid = await fl.update("owned", flunder({ ...relabeled, uid: "not-the-uid" }));
    assert.equal(wrongUid.status, 409);
    assert.match(String(wrongUid.json().message), /Precondition failed: UID in precondition: not-the-uid/);
    const respec = await fl.update("owned", flunder({ ...relabeled }, { reference: "changed" }));
    assert.equal(respec.json<Obj>().metadata.generation, 2);
    const garbled = await fl.update("owned", flunder({ ...respec.json<Obj>().metadata, resourceVersion: "12abc" }));
    assert.equal(garbled.status, 422);
    assert.equal(
      garbled.json().message,
      'Flunder.wardle.example.com "owned" is invalid: metadata.resourceVersion: Invalid value: "12abc": must be a decimal unsigned integer',
    );
    const renamed = await fl.update("owned", flunder({ ...respec.json<Obj>().metadata, name: "other" }));
    assert.equal(renamed.status, 400);
    assert.match(String(renamed.json().message), /does not match the name on the URL/);
  });

  it("drops repeated owner references (same entry) with kube-apiserver's warning, before and after admission", async () => {
    const owner = (uid: string, extra: Record<string, unknown> = {}) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: `cm-${uid}`,
      uid,
      ...extra,
    });
    const warning = (uids: string, afterAdmission = false) =>
      `299 - ".metadata.ownerReferences contains duplicate entries${afterAdmission ? " after mutating admission happens" : ""}; API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: ${uids}"`;
    // Same uid but another name: not the same entry, so kept (the handlers compare whole entries).
    const renamed = owner("u1", { name: "cm-renamed" });
    // Two equal controller references become one before validation, which allows one controller.
    const controller = owner("u2", { controller: true });
    const created = await fl.create(
      flunder({ name: "dedup", ownerReferences: [owner("u1"), owner("u1"), renamed, controller, controller] }),
    );
    assert.equal(created.status, 201, created.body);
    assert.equal(created.headers.warning, warning("u1, u2"));
    const expected = [owner("u1"), renamed, controller];
    assert.deepEqual(created.json<Obj>().metadata.ownerReferences, expected);
    assert.deepEqual((await fl.get("dedup")).json<Obj>().metadata.ownerReferences, expected);

    const stored = (await fl.get("dedup")).json<Obj>();
    const updated = await fl.update(
      "dedup",
      flunder({ ...stored.metadata, ownerReferences: [owner("u3"), owner("u3"), owner("u3")] }),
    );
    assert.equal(updated.status, 200, updated.body);
    assert.equal(updated.headers.warning, warning("u3, u3"));
    assert.deepEqual(updated.json<Obj>().metadata.ownerReferences, [owner("u3")]);

    // A patch is deduplicated once, after mutating admission: the other wording.
    const patched = await fl.patch("dedup", "merge", { metadata: { ownerReferences: [owner("u4"), owner("u4")] } });
    assert.equal(patched.status, 200, patched.body);
    assert.equal(patched.headers.warning, warning("u4", true));
    assert.deepEqual((await fl.get("dedup")).json<Obj>().metadata.ownerReferences, [owner("u4")]);
    const json = await fl.patch("dedup", "json", [
      { op: "add", path: "/metadata/ownerReferences/-", value: owner("u4") },
    ]);
    assert.equal(json.headers.warning, warning("u4", true));
    assert.deepEqual(json.json<Obj>().metadata.ownerReferences, [owner("u4")]);
    const distinct = await fl.patch("dedup", "merge", { metadata: { ownerReferences: [owner("u5"), owner("u6")] } });
    assert.equal(distinct.headers.warning, undefined);
  });

  it("leaves out ObjectMeta's empty lists, maps and strings, as its omitempty fields are: on create, update and every patch", async () => {
    const emptyKeys = ["labels", "annotations", "finalizers", "ownerReferences", "generateName"];
    const assertNoEmpty = (res: { status: number; body: string }, what: string) => {
      assert.equal(res.status < 300, true, `${what}: ${res.body}`);
      const meta = (JSON.parse(res.body) as Obj).metadata;
      for (const key of emptyKeys) assert.equal(key in meta, false, `${what}: metadata.${key} in ${res.body}`);
    };
    const created = await fl.create(
      flunder({ name: "omit", generateName: "", labels: {}, annotations: {}, finalizers: [], ownerReferences: [] }),
    );
    assertNoEmpty(created, "create");
    assertNoEmpty(await fl.get("omit"), "get after create");

    const full = (
      await fl.patch("omit", "merge", {
        metadata: { labels: { a: "1" }, annotations: { n: "x" }, finalizers: ["example.com/f"] },
      })
    ).json<Obj>();
    assert.deepEqual(full.metadata.labels, { a: "1" });
    // Emptied by each patch type: a label removed with null, a list set to [], an entry removed.
    assertNoEmpty(
      await fl.patch("omit", "merge", { metadata: { labels: { a: null }, finalizers: [], annotations: { n: null } } }),
      "merge patch",
    );
    assertNoEmpty(await fl.get("omit"), "get after merge patch");
    await fl.patch("omit", "merge", { metadata: { labels: { a: "1" }, finalizers: ["example.com/f"] } });
    assertNoEmpty(
      await fl.patch("omit", "json", [
        { op: "remove", path: "/metadata/labels/a" },
        { op: "remove", path: "/metadata/finalizers/0" },
      ]),
      "json patch",
    );
    await fl.patch("omit", "merge", { metadata: { labels: { a: "1" }, finalizers: ["example.com/f"] } });
    assertNoEmpty(
      await fl.patch("omit", "strategic", {
        metadata: { labels: { a: null }, "$deleteFromPrimitiveList/finalizers": ["example.com/f"] },
      }),
      "strategic merge patch",
    );
    assertNoEmpty(await fl.get("omit"), "get after strategic merge patch");

    const current = (await fl.get("omit")).json<Obj>();
    const replaced = await fl.update(
      "omit",
      flunder({ ...current.metadata, labels: {}, annotations: null, finalizers: null, ownerReferences: [] }),
    );
    assertNoEmpty(replaced, "update");
    // Nothing but empty fields changed: the same object, not a new revision.
    assert.equal(replaced.json<Obj>().metadata.resourceVersion, current.metadata.resourceVersion);
  });

  it("deletes with preconditions, and holds objects with finalizers until the last one is removed", async () => {
    const created = (await fl.create(flunder({ name: "pre" }))).json<Obj>();
    const wrongUid = await fl.delete("pre", { preconditions: { uid: "nope" } });
    assert.equal(wrongUid.status, 409);
    assert.equal(
      wrongUid.json().message,
      `Operation cannot be fulfilled on flunders.wardle.example.com "pre": Precondition failed: UID in precondition: nope, UID in object meta: ${created.metadata.uid}`,
    );
    const wrongRv = await fl.delete("pre", {
      kind: "DeleteOptions",
      apiVersion: "v1",
      preconditions: { resourceVersion: "1" },
    });
    assert.equal(wrongRv.status, 409);
    assert.equal((await fl.delete("pre", { preconditions: { uid: created.metadata.uid } })).status, 200);

    const watch = await openWatch(
      server,
      `${gv}/namespaces/default/flunders?watch=true&fieldSelector=metadata.name%3Dheld`,
    );
    try {
      const held = (
        await fl.create(flunder({ name: "held", finalizers: ["example.com/a", "example.com/b"] }))
      ).json<Obj>();
      const first = await fl.delete("held");
      assert.equal(first.status, 200);
      const marked = first.json<Obj>();
      assert.match(String(marked.metadata.deletionTimestamp), /Z$/);
      assert.equal(
        marked.metadata.generation,
        (held.metadata.generation as number) + 1,
        "setting deletionTimestamp bumps generation",
      );
      // Finalizers can still be removed (and nothing else stops that).
      const one = await fl.patch("held", "json", [
        { op: "replace", path: "/metadata/finalizers", value: ["example.com/b"] },
      ]);
      assert.equal(one.status, 200);
      assert.ok((await fl.get("held")).status === 200);
      const last = await fl.patch("held", "merge", { metadata: { finalizers: null } });
      assert.equal(last.status, 200);
      assert.equal((await fl.get("held")).status, 404);
      const events = await watch.waitFor(4);
      assert.deepEqual(
        events.map((e) => e.type),
        ["ADDED", "MODIFIED", "MODIFIED", "DELETED"],
      );
    } finally {
      watch.close();
    }
  });

  it("adds the orphan or foregroundDeletion finalizer for propagationPolicy", async () => {
    await fl.create(flunder({ name: "orphan" }));
    const orphaned = await fl.delete("orphan", undefined, "?propagationPolicy=Orphan");
    assert.deepEqual(orphaned.json<Obj>().metadata.finalizers, ["orphan"]);
    await fl.create(flunder({ name: "fg" }));
    const fg = await fl.delete("fg", { propagationPolicy: "Foreground", gracePeriodSeconds: 0 });
    assert.deepEqual(fg.json<Obj>().metadata.finalizers, ["foregroundDeletion"]);
    const bad = await fl.delete("fg", { propagationPolicy: "Sometimes" });
    assert.equal(bad.status, 422);
    assert.match(String(bad.json().message), /propagationPolicy: Unsupported value: "Sometimes"/);
    const background = await fl.create(flunder({ name: "bg" }));
    assert.equal(background.status, 201);
    assert.equal((await fl.delete("bg", { propagationPolicy: "Background" })).json().status, "Success");
  });

  it("deletes collections by label and field selector, and dry-runs them", async () => {
    const ns = new ResourceClient(server, `${gv}/namespaces/dc/flunders`);
    for (const [name, tier] of [
      ["x1", "a"],
      ["x2", "a"],
      ["x3", "b"],
    ]) {
      await ns.create(flunder({ name, labels: { tier } }));
    }
    const res = await server.request(`${gv}/namespaces/dc/flunders?labelSelector=tier%3Da`, { method: "DELETE" });
    assert.equal(res.status, 200);
    const body = res.json<{ kind: string; items: Obj[] }>();
    assert.equal(body.kind, "FlunderList");
    assert.deepEqual(body.items.map((i) => i.metadata.name).sort(), ["x1", "x2"]);
    const left = (await ns.list()).json<{ items: Obj[] }>().items.map((i) => i.metadata.name);
    assert.deepEqual(left, ["x3"]);
    const dry = await server.request(`${gv}/namespaces/dc/flunders?fieldSelector=metadata.name%3Dx3&dryRun=All`, {
      method: "DELETE",
    });
    assert.equal(dry.status, 200);
    assert.deepEqual(
      dry.json<{ items: Obj[] }>().items.map((i) => i.metadata.name),
      ["x3"],
    );
    assert.equal((await ns.get("x3")).status, 200, "a dry-run deletecollection deletes nothing");
    const unsupported = await server.request(`${gv}/namespaces/dc/flunders?fieldSelector=spec.reference%3Dr`, {
      method: "DELETE",
    });
    assert.equal(unsupported.status, 400);
    assert.equal(unsupported.json().message, "field label not supported: spec.reference");
    const byField = await server.request(`${gv}/namespaces/dc/flunders?fieldSelector=metadata.name%3Dx3`, {
      method: "DELETE",
    });
    assert.deepEqual(
      byField.json<{ items: Obj[] }>().items.map((i) => i.metadata.name),
      ["x3"],
    );
    assert.deepEqual((await ns.list()).json<{ items: Obj[] }>().items, []);
  });

  it("answers a deletecollection as the Table or PartialObjectMetadataList the client accepts", async () => {
    const path = `${gv}/namespaces/dct/flunders`;
    const ns = new ResourceClient(server, path);
    for (const name of ["t1", "t2", "p1", "p2", "s1", "keep"]) {
      const tier = name === "keep" ? "keep" : name.slice(0, 1);
      assert.equal((await ns.create(flunder({ name, labels: { tier } }))).status, 201);
    }
    const names = async () => (await ns.list()).json<{ items: Obj[] }>().items.map((i) => i.metadata.name);

    const table = await server.request(`${path}?labelSelector=tier%3Dt`, {
      method: "DELETE",
      headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
    });
    assert.equal(table.status, 200, table.body);
    assert.equal(table.headers["content-type"], "application/json;as=Table;g=meta.k8s.io;v=v1");
    const t = table.json<{
      kind: string;
      apiVersion: string;
      metadata: { resourceVersion?: string };
      columnDefinitions: Array<{ name: string }>;
      rows: Array<{ cells: unknown[]; object: { kind: string; metadata: { name: string } } }>;
    }>();
    assert.deepEqual([t.kind, t.apiVersion], ["Table", "meta.k8s.io/v1"]);
    assert.match(String(t.metadata.resourceVersion), /^\d+$/);
    assert.equal(t.columnDefinitions[0]?.name, "Name");
    assert.deepEqual(t.rows.map((r) => r.cells[0]).sort(), ["t1", "t2"]);
    assert.deepEqual(
      t.rows.map((r) => r.object.kind),
      ["PartialObjectMetadata", "PartialObjectMetadata"],
    );
    assert.deepEqual((await names()).sort(), ["keep", "p1", "p2", "s1"]);

    const partial = await server.request(`${path}?labelSelector=tier%3Dp`, {
      method: "DELETE",
      headers: { Accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io" },
    });
    assert.equal(partial.status, 200, partial.body);
    assert.equal(partial.headers["content-type"], "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
    const p = partial.json<{ kind: string; apiVersion: string; items: Array<Obj & { kind: string }> }>();
    assert.deepEqual([p.kind, p.apiVersion], ["PartialObjectMetadataList", "meta.k8s.io/v1"]);
    assert.deepEqual(p.items.map((i) => i.metadata.name).sort(), ["p1", "p2"]);
    assert.deepEqual(
      p.items.map((i) => [i.kind, i.spec]),
      [
        ["PartialObjectMetadata", undefined],
        ["PartialObjectMetadata", undefined],
      ],
    );

    // The answer is transformed after the deletion (transformResponseObject), as upstream: asking
    // for a single PartialObjectMetadata deletes, then refuses the list with 406.
    const single = await server.request(`${path}?labelSelector=tier%3Ds`, {
      method: "DELETE",
      headers: { Accept: "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io" },
    });
    assert.equal(single.status, 406, single.body);
    assert.equal(
      single.json().message,
      "you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)",
    );
    assert.deepEqual(await names(), ["keep"]);
  });

  it("runs every write with dryRun=All without storing or sending an event", async () => {
    await fl.create(flunder({ name: "dry" }));
    const watch = await openWatch(
      server,
      `${gv}/namespaces/default/flunders?watch=true&resourceVersion=${await server.storage.currentRevision()}`,
    );
    try {
      const before = await server.storage.currentRevision();
      const created = await fl.create(flunder({ name: "dry-new" }), "?dryRun=All");
      assert.equal(created.status, 201);
      assert.equal(created.json<Obj>().metadata.name, "dry-new");
      const current = (await fl.get("dry")).json<Obj>();
      const updated = await fl.update("dry", flunder(current.metadata, { reference: "dry-updated" }), "?dryRun=All");
      assert.equal(updated.status, 200);
      assert.equal(updated.json<Obj>().spec?.reference, "dry-updated");
      assert.equal((await fl.patch("dry", "merge", { spec: { reference: "p" } }, "?dryRun=All")).status, 200);
      assert.equal((await fl.delete("dry", undefined, "?dryRun=All")).status, 200);
      assert.equal((await fl.delete("dry", { dryRun: ["All"] })).status, 200);
      const invalid = await fl.create(flunder({ name: "dry-2" }), "?dryRun=Yes");
      assert.equal(invalid.status, 422);
      assert.equal(
        invalid.json().message,
        'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "Yes": supported values: "All"',
      );
      assert.equal(await server.storage.currentRevision(), before);
      assert.equal((await fl.get("dry-new")).status, 404);
      assert.equal((await fl.get("dry")).json<Obj>().spec?.reference, "r");
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(watch.events, []);
    } finally {
      watch.close();
    }
  });
});
