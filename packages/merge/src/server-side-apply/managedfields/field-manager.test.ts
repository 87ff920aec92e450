import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JSONObject, JSONValue } from "../../json/json.js";
import { isServerSideApplyError, type ServerSideApplyError } from "../errors.js";
import type { ServerSideApplySchema } from "../typed/schema.js";
import type { ManagedFieldsEntry } from "./entries.js";
import { applyServerSide, type FieldManagerOptions, updateManagedFields } from "./field-manager.js";
import { LAST_APPLIED_CONFIG_ANNOTATION } from "./last-applied.js";
import { fieldManagerProblems, managerFromUserAgent, managerOrUserAgent } from "./user-agent.js";

// Mirrors k8s.io/apimachinery/pkg/util/managedfields/internal: fieldmanager_test.go,
// managedfieldsupdater_test.go, capmanagers_test.go, skipnonapplied_test.go,
// lastappliedmanager_test.go, lastappliedupdater_test.go, conflict_test.go and
// managedfields_test.go, with our own cases. Excluded: versioncheck and typeconverter tests
// (Go scheme plumbing; the kind/version check is covered by "refuses another kind").

const schema: ServerSideApplySchema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        replicas: { type: "integer" },
        image: { type: "string" },
        ports: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["port"],
          items: { type: "object", properties: { port: { type: "integer" }, name: { type: "string" } } },
        },
      },
    },
    status: { type: "object", properties: { ready: { type: "boolean" } } },
  },
};

function clock(start = Date.parse("2024-05-01T10:00:00Z")) {
  let now = start;
  return {
    now: () => new Date(now),
    tick: (seconds = 1) => {
      now += seconds * 1000;
    },
  };
}

function options(extra: Partial<FieldManagerOptions> = {}): FieldManagerOptions {
  return { apiVersion: "example.com/v1", kind: "Widget", schema, now: clock().now, ...extra };
}

const widget = (spec: JSONObject, metadata: JSONObject = {}): JSONObject => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w", ...metadata },
  spec,
});

/** What the store adds on create. */
function stored(object: JSONObject): JSONObject {
  const metadata = object.metadata as JSONObject;
  return {
    ...object,
    metadata: { ...metadata, uid: "uid-1", resourceVersion: "1", creationTimestamp: "2024-05-01T10:00:00Z" },
  };
}

const entries = (object: JSONObject) => ((object.metadata as JSONObject).managedFields ?? []) as ManagedFieldsEntry[];
const summary = (object: JSONObject) =>
  entries(object).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`);
const fieldsOf = (object: JSONObject, manager: string, operation = "Apply") =>
  entries(object).find((e) => e.manager === manager && e.operation === operation)?.fieldsV1;

describe("non-apply writes (fieldmanager_test.go, managedfieldsupdater_test.go)", () => {
  it("create records an Update entry; maps it adds are members; metadata basics are never owned", () => {
    const created = updateManagedFields(
      null,
      widget({ replicas: 1 }, { labels: { app: "a" } }),
      "kubectl-create",
      options(),
    );
    assert.deepEqual(entries(created), [
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "example.com/v1",
        time: "2024-05-01T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } }, "f:spec": { ".": {}, "f:replicas": {} } },
      },
    ]);
  });
  it("an update takes the fields it changes and its time moves only when it changed something", () => {
    const c = clock();
    const opts = options({ now: c.now });
    const live = stored(updateManagedFields(null, widget({ replicas: 1, image: "a" }), "creator", opts));
    c.tick(60);
    const updated = updateManagedFields(live, { ...live, spec: { replicas: 2, image: "a" } }, "scaler", opts);
    assert.deepEqual(fieldsOf(updated, "scaler", "Update"), { "f:spec": { "f:replicas": {} } });
    assert.deepEqual(fieldsOf(updated, "creator", "Update"), { "f:spec": { ".": {}, "f:image": {} } });
    assert.equal(entries(updated).find((e) => e.manager === "scaler")?.time, "2024-05-01T10:01:00Z");
    c.tick(60);
    const again = updateManagedFields(updated, { ...updated }, "creator", opts);
    assert.deepEqual(entries(again), entries(updated), "a write that changes nothing leaves managedFields alone");
  });
  it("a manager that loses all its fields loses its entry", () => {
    const live = stored(updateManagedFields(null, widget({ replicas: 1 }), "creator", options()));
    const updated = updateManagedFields(live, { ...live, spec: { replicas: 3 } }, "other", options());
    assert.deepEqual(summary(updated), ["creator/Update", "other/Update"]);
    const emptied = updateManagedFields(updated, { ...updated, spec: {} }, "other", options());
    assert.deepEqual(fieldsOf(emptied, "creator", "Update"), { "f:spec": {} }, "a member without children is {}");
    assert.equal(fieldsOf(emptied, "other", "Update"), undefined);
  });
  it("one Update entry per manager, version and subresource; the request's managedFields are honoured", () => {
    const live = stored(updateManagedFields(null, widget({ replicas: 1 }), "m", options()));
    const status = updateManagedFields(
      live,
      { ...live, status: { ready: true } },
      "m",
      options({ subresource: "status" }),
    );
    assert.deepEqual(summary(status), ["m/Update", "m/Update/status"]);
    assert.deepEqual(fieldsOf(status, "m", "Update"), { "f:spec": { ".": {}, "f:replicas": {} } });
    // A subresource write cannot rewrite managedFields; a main-resource write can.
    const forged = { ...status, metadata: { ...(status.metadata as JSONObject), managedFields: [] } };
    assert.deepEqual(summary(updateManagedFields(status, forged, "m", options({ subresource: "status" }))), [
      "m/Update",
      "m/Update/status",
    ]);
  });
  it("clients clear managedFields with [{}] or []; the object then stays untracked until an apply (skipnonapplied_test.go)", () => {
    const live = stored(updateManagedFields(null, widget({ replicas: 1 }), "m", options()));
    for (const reset of [[{}], []] as JSONValue[]) {
      const cleared = updateManagedFields(
        live,
        { ...live, metadata: { ...(live.metadata as JSONObject), managedFields: reset } },
        "m",
        options(),
      );
      assert.equal((cleared.metadata as JSONObject).managedFields, undefined);
      const next = updateManagedFields(cleared, { ...cleared, spec: { replicas: 9 } }, "m", options());
      assert.equal((next.metadata as JSONObject).managedFields, undefined);
      const applied = applyServerSide(next, widget({ image: "i" }), "applier", false, options());
      assert.deepEqual(summary(applied.object), ["applier/Apply", "before-first-apply/Update"]);
      assert.deepEqual(fieldsOf(applied.object, "before-first-apply", "Update"), {
        "f:spec": { ".": {}, "f:replicas": {} },
      });
    }
  });
  it("the oldest Update entries merge into ancient-changes past the cap (capmanagers_test.go)", () => {
    const c = clock();
    const opts = options({ now: c.now, maxUpdateManagers: 3 });
    let live = stored(updateManagedFields(null, widget({ replicas: 0 }), "m0", opts));
    for (let i = 1; i <= 4; i++) {
      c.tick(10);
      live = updateManagedFields(
        live,
        { ...live, spec: { ...(live.spec as JSONObject), [`f${i}`]: i } },
        `m${i}`,
        opts,
      );
    }
    assert.deepEqual(summary(live), ["ancient-changes/Update", "m3/Update", "m4/Update"]);
    assert.deepEqual(fieldsOf(live, "ancient-changes", "Update"), {
      "f:spec": { ".": {}, "f:f1": {}, "f:f2": {}, "f:replicas": {} },
    });
  });
  it("keeps live managedFields when the request's cannot be decoded and falls back to live's", () => {
    const live = stored(updateManagedFields(null, widget({ replicas: 1 }), "m", options()));
    const bad = {
      ...live,
      metadata: { ...(live.metadata as JSONObject), managedFields: [{ manager: "x", operation: "Bogus" }] },
    };
    const out = updateManagedFields(live, bad, "m", options());
    assert.deepEqual(summary(out), ["m/Update"]);
  });
});

describe("apply (fieldmanager_test.go, conflict_test.go)", () => {
  const created = applyServerSide(
    null,
    widget({ replicas: 1, ports: [{ port: 80, name: "http" }] }),
    "one",
    false,
    options(),
  );
  const live = stored(created.object);

  it("creates: the applier owns what it applied, list-map elements with '.'", () => {
    assert.equal(created.changed, true);
    assert.deepEqual(entries(created.object), [
      {
        manager: "one",
        operation: "Apply",
        apiVersion: "example.com/v1",
        time: "2024-05-01T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": { "f:ports": { 'k:{"port":80}': { ".": {}, "f:name": {}, "f:port": {} } }, "f:replicas": {} },
        },
      },
    ]);
  });
  it("a conflict names each field and its manager, with Kubernetes' message and causes", () => {
    assert.throws(
      () => applyServerSide(live, widget({ replicas: 2 }), "two", false, options()),
      (e: ServerSideApplyError) => {
        assert.ok(isServerSideApplyError(e, "ApplyConflict"));
        assert.equal(e.status, 409);
        assert.equal(e.reason, "Conflict");
        assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "one": .spec.replicas');
        assert.deepEqual(e.causes, [
          { reason: "FieldManagerConflict", message: 'conflict with "one"', field: ".spec.replicas" },
        ]);
        return true;
      },
    );
    const updated = stored(
      updateManagedFields(live, { ...live, spec: { ...(live.spec as JSONObject), image: "x" } }, "ctl", options()),
    );
    assert.throws(
      () =>
        applyServerSide(
          updated,
          widget({ replicas: 2, image: "y", ports: [{ port: 80, name: "web" }] }),
          "two",
          false,
          options(),
        ),
      {
        message:
          'Apply failed with 3 conflicts: conflicts with "ctl" using example.com/v1:\n- .spec.image\n' +
          'conflicts with "one":\n- .spec.replicas\n- .spec.ports[port=80].name',
      },
    );
    const status = updateManagedFields(
      live,
      { ...live, status: { ready: true } },
      "kubelet",
      options({ subresource: "status" }),
    );
    assert.throws(
      () =>
        applyServerSide(
          status,
          { ...widget({}), status: { ready: false } },
          "x",
          false,
          options({ subresource: "status" }),
        ),
      {
        message:
          'Apply failed with 1 conflict: conflict with "kubelet" with subresource "status" using example.com/v1: .status.ready',
      },
    );
  });
  it("force takes the field; the same value is shared without conflict", () => {
    const forced = applyServerSide(live, widget({ replicas: 2 }), "two", true, options());
    assert.deepEqual(fieldsOf(forced.object, "one"), {
      "f:spec": { "f:ports": { 'k:{"port":80}': { ".": {}, "f:name": {}, "f:port": {} } } },
    });
    assert.deepEqual(fieldsOf(forced.object, "two"), { "f:spec": { "f:replicas": {} } });
    const shared = applyServerSide(live, widget({ replicas: 1 }), "two", false, options());
    assert.deepEqual(fieldsOf(shared.object, "one"), fieldsOf(live, "one"));
    assert.deepEqual(fieldsOf(shared.object, "two"), { "f:spec": { "f:replicas": {} } });
    assert.deepEqual(shared.object.spec, live.spec);
  });
  it("a field dropped from a configuration is removed only when nobody else owns it", () => {
    const both = stored(applyServerSide(live, widget({ replicas: 1 }), "two", false, options()).object);
    const dropped = applyServerSide(
      both,
      widget({ ports: [{ port: 80, name: "http" }] }),
      "one",
      false,
      options(),
    ).object;
    assert.deepEqual(dropped.spec, { replicas: 1, ports: [{ port: 80, name: "http" }] });
    const gone = applyServerSide(stored(dropped), widget({}), "two", false, options()).object;
    assert.deepEqual(gone.spec, { ports: [{ port: 80, name: "http" }] });
    assert.deepEqual(summary(gone), ["one/Apply"]);
  });
  it("applying the same configuration again changes nothing, not even times", () => {
    const c = clock();
    const first = stored(
      applyServerSide(live, widget({ replicas: 1, image: "x" }), "two", false, options({ now: c.now })).object,
    );
    c.tick(3600);
    const second = applyServerSide(first, widget({ replicas: 1, image: "x" }), "two", false, options({ now: c.now }));
    assert.equal(second.changed, false);
    assert.deepEqual(second.object, first);
  });
  it("reset fields are never owned through this endpoint (status on the main resource)", () => {
    const opts = options({ resetFields: [["status"]] });
    const out = applyServerSide(live, { ...widget({ replicas: 1 }), status: { ready: true } }, "one", false, opts);
    assert.deepEqual(fieldsOf(out.object, "one"), { "f:spec": { "f:replicas": {} } });
  });
  it("refuses managedFields in the configuration, another kind or version, and elements without keys", () => {
    const withFields = { ...widget({}), metadata: { name: "w", managedFields: [] } };
    assert.throws(
      () => applyServerSide(live, withFields, "x", false, options()),
      (e) => isServerSideApplyError(e, "ManagedFieldsInApply") && e.status === 400,
    );
    assert.throws(() => applyServerSide(live, { ...widget({}), apiVersion: "example.com/v2" }, "x", false, options()), {
      message: "invalid object type: example.com/v2, Kind=Widget",
    });
    assert.throws(
      () => applyServerSide(live, { ...widget({}), kind: "Gadget" }, "x", false, options()),
      (e) => isServerSideApplyError(e, "VersionMismatch"),
    );
    assert.throws(
      () => applyServerSide(live, widget({ ports: [{ name: "x" }] }), "x", false, options()),
      (e) => isServerSideApplyError(e, "InvalidObject") && e.status === 422,
    );
  });
});

describe("client-side to server-side apply (lastappliedmanager_test.go, lastappliedupdater_test.go)", () => {
  // What client-side kubectl apply leaves: its Update entry and the annotation.
  const config = widget({ replicas: 1, image: "a" });
  const annotation = `${JSON.stringify(config)}\n`;
  const csa = stored(
    updateManagedFields(
      null,
      widget({ replicas: 1, image: "a" }, { annotations: { [LAST_APPLIED_CONFIG_ANNOTATION]: annotation } }),
      "kubectl-client-side-apply",
      options(),
    ),
  );

  it("kubectl takes over the fields still as last applied, without conflicts, and keeps the annotation current", () => {
    const ssa = applyServerSide(csa, widget({ replicas: 2, image: "a" }), "kubectl", false, options());
    assert.deepEqual(ssa.object.spec, { replicas: 2, image: "a" });
    assert.deepEqual(fieldsOf(ssa.object, "kubectl"), { "f:spec": { "f:image": {}, "f:replicas": {} } });
    const kept = ((ssa.object.metadata as JSONObject).annotations as JSONObject)[LAST_APPLIED_CONFIG_ANNOTATION];
    assert.equal(
      kept,
      '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"image":"a","replicas":2}}\n',
    );
  });
  it("fields changed since the last client-side apply still conflict", () => {
    const drifted = stored(
      updateManagedFields(csa, { ...csa, spec: { replicas: 5, image: "a" } }, "kubectl-client-side-apply", options()),
    );
    assert.throws(() => applyServerSide(drifted, widget({ replicas: 2, image: "b" }), "kubectl", false, options()), {
      message:
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using example.com/v1: .spec.replicas',
    });
  });
  it("other managers get no such allowance", () => {
    assert.throws(
      () => applyServerSide(csa, widget({ replicas: 2 }), "not-kubectl", false, options()),
      (e) => isServerSideApplyError(e, "ApplyConflict"),
    );
  });
});

describe("managers from user agents (create.go prefixFromUserAgent)", () => {
  it("takes the part before the first slash, printable, at most 128 bytes", () => {
    assert.equal(managerFromUserAgent("kubectl/v1.33.0 (linux/amd64) kubernetes/abc"), "kubectl");
    assert.equal(managerFromUserAgent("kubectl-client-side-apply/v1.32.0"), "kubectl-client-side-apply");
    assert.equal(managerFromUserAgent("my\u0007tool/1"), "mytool");
    assert.equal(managerFromUserAgent("é".repeat(100)).length, 64);
    assert.equal(managerOrUserAgent("explicit", "kubectl/v1"), "explicit");
    assert.equal(managerOrUserAgent(undefined, "Go-http-client/1.1"), "Go-http-client");
    assert.deepEqual(fieldManagerProblems("ok"), []);
    assert.deepEqual(fieldManagerProblems("a\u0001"), ["invalid character U+0001 (at position 1)"]);
    assert.deepEqual(fieldManagerProblems("x".repeat(129)), ["may not be more than 128 bytes"]);
  });
});
