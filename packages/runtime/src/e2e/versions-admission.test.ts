/**
 * Several versions of a kind with conversion through the hub, and admission plugins
 * (issue 6): objects written in one version read back in the other with kubectl, in
 * lists, tables and watch events; changing the storage version keeps old objects
 * readable; a BanFlunder-style validating plugin reading another kind through a lister;
 * a mutating plugin whose change is validated again.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { MemoryStorage } from "@apiserver-kit/storage";
import { AdmissionDenied, type AdmissionPlugin } from "../admission/admission.js";
import type { KubeObject } from "../api/meta.js";
import type { ResourceDefinition, Strategy, VersionDefinition } from "../model/resource.js";
import { hasKubectl, type Kubectl } from "../testing/clients.js";
import { openWatch, ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";
import { startKubectlServer } from "./kubectl-server.js";

const GROUP = "versions.example.com";

/** v1alpha1: one `reference` string plus its type, and `size`. */
interface AlphaSpec {
  reference?: string;
  referenceType?: "Flunder" | "Fischer";
  size?: number;
}
/** v1beta1: the reference split in two fields by type; `size` renamed `sizeInMeters`. */
interface BetaSpec {
  flunderReference?: string;
  fischerReference?: string;
  sizeInMeters?: number;
}

const alphaVersion = (storage: boolean): VersionDefinition => ({
  name: "v1alpha1",
  served: true,
  storage,
  subresources: { status: {} },
  schema: {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          reference: { type: "string", description: "What this flunder refers to." },
          referenceType: { type: "string", enum: ["Flunder", "Fischer"] },
          size: { type: "integer", minimum: 0 },
        },
      },
    },
  },
  additionalPrinterColumns: [{ name: "Reference", type: "string", jsonPath: ".spec.reference" }],
  ...(storage
    ? {}
    : {
        conversion: {
          toHub(object: KubeObject): KubeObject {
            const spec = (object.spec ?? {}) as AlphaSpec;
            const beta: BetaSpec = {};
            if (spec.reference !== undefined) {
              if (spec.referenceType === "Fischer") beta.fischerReference = spec.reference;
              else beta.flunderReference = spec.reference;
            }
            if (spec.size !== undefined) beta.sizeInMeters = spec.size;
            return { ...object, spec: beta };
          },
          fromHub(object: KubeObject): KubeObject {
            const spec = (object.spec ?? {}) as BetaSpec;
            if (spec.flunderReference === "explode") throw new Error("v1alpha1 can't express explode");
            const alpha: AlphaSpec = {};
            if (spec.fischerReference !== undefined) {
              alpha.reference = spec.fischerReference;
              alpha.referenceType = "Fischer";
            } else if (spec.flunderReference !== undefined) {
              alpha.reference = spec.flunderReference;
              alpha.referenceType = "Flunder";
            }
            if (spec.sizeInMeters !== undefined) alpha.size = spec.sizeInMeters;
            return { ...object, spec: alpha };
          },
        },
      }),
});

const betaVersion = (storage: boolean): VersionDefinition => ({
  name: "v1beta1",
  served: true,
  storage,
  subresources: { status: {} },
  schema: {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          flunderReference: { type: "string" },
          fischerReference: { type: "string" },
          sizeInMeters: { type: "integer", minimum: 0 },
        },
      },
      status: { type: "object", properties: { phase: { type: "string" } } },
    },
  },
  additionalPrinterColumns: [
    { name: "Flunder-Ref", type: "string", jsonPath: ".spec.flunderReference" },
    { name: "Fischer-Ref", type: "string", jsonPath: ".spec.fischerReference" },
  ],
  ...(storage
    ? {}
    : {
        // The same mapping, seen from v1alpha1 as the hub.
        conversion: {
          toHub: (object: KubeObject) =>
            (alphaVersion(false).conversion as NonNullable<VersionDefinition["conversion"]>).fromHub(object),
          fromHub: (object: KubeObject) =>
            (alphaVersion(false).conversion as NonNullable<VersionDefinition["conversion"]>).toHub(object),
        },
      }),
});

const banFlunder: AdmissionPlugin = {
  name: "BanFlunder",
  operations: ["CREATE"],
  async validate(attributes, context) {
    const fischers = await context.lister(GROUP, "fischers").list();
    for (const fischer of fischers) {
      const disallowed = (fischer.disallowedFlunders as string[] | undefined) ?? [];
      if (disallowed.includes(attributes.name)) {
        throw new AdmissionDenied(
          `this name may not be used, please change the resource name (banned by fischer ${fischer.metadata?.name})`,
        );
      }
    }
  },
};

const labelIt: AdmissionPlugin = {
  name: "LabelIt",
  operations: ["CREATE", "UPDATE"],
  admit(attributes) {
    const object = attributes.object as KubeObject;
    object.metadata = { ...object.metadata, labels: { ...object.metadata?.labels, "admitted-by": "label-it" } };
    if (object.metadata.annotations?.["break-me"]) (object.spec as BetaSpec).sizeInMeters = -5;
  },
};

/** What the recording plugin and strategy saw, in order. */
interface Seen {
  phase: "admit" | "strategy" | "validate";
  operation?: string;
  kind?: string;
  subresource?: string;
  name?: string;
  user?: string;
  dryRun?: boolean;
  objectVersion?: string | undefined;
  oldVersion?: string | undefined;
  label?: string | undefined;
}
const seen: Seen[] = [];

const recorder: AdmissionPlugin = {
  name: "Recorder",
  subresources: ["", "status"],
  admit(a) {
    seen.push({
      phase: "admit",
      operation: a.operation,
      kind: a.kind,
      subresource: a.subresource,
      name: a.name,
      user: a.user.name,
      dryRun: a.dryRun,
      objectVersion: a.object?.apiVersion,
      oldVersion: a.oldObject?.apiVersion,
      // Set by LabelIt, which runs before this plugin.
      label: a.object?.metadata?.labels?.["admitted-by"],
    });
  },
  validate(a) {
    seen.push({ phase: "validate", operation: a.operation, subresource: a.subresource, name: a.name });
  },
};

const sizeLimit: AdmissionPlugin = {
  name: "SizeLimit",
  operations: ["CREATE", "UPDATE"],
  validate(attributes) {
    const size = ((attributes.object as KubeObject).spec as BetaSpec | undefined)?.sizeInMeters ?? 0;
    if (size > 100) throw new AdmissionDenied(`spec.sizeInMeters must be at most 100, got ${size}`, 422);
  },
};

const recordingStrategy: Strategy = {
  prepareForCreate(object) {
    seen.push({ phase: "strategy", operation: "CREATE", objectVersion: object.apiVersion });
  },
  prepareForUpdate(object, old) {
    seen.push({ phase: "strategy", operation: "UPDATE", objectVersion: object.apiVersion, oldVersion: old.apiVersion });
  },
};

function definitions(storageVersion: "v1alpha1" | "v1beta1"): ResourceDefinition[] {
  const flunder: ResourceDefinition = {
    group: GROUP,
    names: { kind: "Flunder", plural: "flunders", singular: "flunder" },
    scope: "Namespaced",
    versions: [alphaVersion(storageVersion === "v1alpha1"), betaVersion(storageVersion === "v1beta1")],
    admission: [labelIt, recorder, banFlunder, sizeLimit],
    strategy: recordingStrategy,
  };
  const fischer: ResourceDefinition = {
    group: GROUP,
    names: { kind: "Fischer", plural: "fischers", singular: "fischer" },
    scope: "Cluster",
    versions: [
      {
        name: "v1beta1",
        served: true,
        storage: true,
        schema: { type: "object", properties: { disallowedFlunders: { type: "array", items: { type: "string" } } } },
      },
    ],
  };
  return [flunder, fischer];
}

const alpha = (name: string, spec: AlphaSpec, extra: Record<string, unknown> = {}) => ({
  apiVersion: `${GROUP}/v1alpha1`,
  kind: "Flunder",
  metadata: { name, ...extra },
  spec,
});
const beta = (name: string, spec: BetaSpec) => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind: "Flunder",
  metadata: { name },
  spec,
});

describe("several versions of a kind", () => {
  let storage: MemoryStorage;
  let server: TestServer;
  let a: ResourceClient;
  let b: ResourceClient;
  before(async () => {
    storage = new MemoryStorage();
    server = await startTestServer({ resources: definitions("v1beta1"), storage });
    a = new ResourceClient(server, `/apis/${GROUP}/v1alpha1/namespaces/default/flunders`);
    b = new ResourceClient(server, `/apis/${GROUP}/v1beta1/namespaces/default/flunders`);
  });
  after(async () => {
    await server.close();
  });

  it("lists versions by priority with the preferred version first", async () => {
    const group = (await server.request(`/apis/${GROUP}`)).json<{
      versions: Array<{ version: string }>;
      preferredVersion: { version: string };
    }>();
    assert.deepEqual(
      group.versions.map((v) => v.version),
      ["v1beta1", "v1alpha1"],
    );
    assert.equal(group.preferredVersion.version, "v1beta1");
  });

  it("reads an object written in one version in the other, both ways", async () => {
    assert.equal(
      (await a.create(alpha("from-alpha", { reference: "fish", referenceType: "Fischer", size: 3 }))).status,
      201,
    );
    const asBeta = (await b.get("from-alpha")).json<{ apiVersion: string; spec: BetaSpec }>();
    assert.equal(asBeta.apiVersion, `${GROUP}/v1beta1`);
    assert.deepEqual(asBeta.spec, { fischerReference: "fish", sizeInMeters: 3 });
    assert.equal((await b.create(beta("from-beta", { flunderReference: "other", sizeInMeters: 7 }))).status, 201);
    const asAlpha = (await a.get("from-beta")).json<{ apiVersion: string; spec: AlphaSpec }>();
    assert.equal(asAlpha.apiVersion, `${GROUP}/v1alpha1`);
    assert.deepEqual(asAlpha.spec, { reference: "other", referenceType: "Flunder", size: 7 });
    const list = (await a.list()).json<{ apiVersion: string; items: Array<{ apiVersion: string; spec: AlphaSpec }> }>();
    assert.equal(list.apiVersion, `${GROUP}/v1alpha1`);
    assert.ok(list.items.every((i) => i.apiVersion === `${GROUP}/v1alpha1` && i.spec.reference !== undefined));
  });

  it("converts watch events to the version watched", async () => {
    const watch = await openWatch(
      server,
      `/apis/${GROUP}/v1alpha1/namespaces/default/flunders?watch=true&resourceVersion=${await storage.currentRevision()}`,
    );
    try {
      await b.create(beta("watched", { fischerReference: "w" }));
      const [event] = await watch.waitFor(1);
      assert.equal(event?.object.apiVersion, `${GROUP}/v1alpha1`);
      assert.deepEqual(event?.object.spec, { reference: "w", referenceType: "Fischer" });
    } finally {
      watch.close();
    }
  });

  it("turns a conversion that throws into a 500 naming the kind and versions", async () => {
    await b.create(beta("explosive", { flunderReference: "explode" }));
    const res = await a.get("explosive");
    assert.equal(res.status, 500);
    assert.equal(res.json().reason, "InternalError");
    assert.equal(
      res.json().message,
      "Internal error occurred: conversion of Flunder.versions.example.com from v1beta1 to v1alpha1 failed: v1alpha1 can't express explode",
    );
    assert.equal((await b.get("explosive")).status, 200, "the server keeps serving");
  });

  it("refuses a flunder whose name a fischer disallows, with the plugin's message", async () => {
    const fischers = new ResourceClient(server, `/apis/${GROUP}/v1beta1/fischers`);
    await fischers.create({
      apiVersion: `${GROUP}/v1beta1`,
      kind: "Fischer",
      metadata: { name: "strict" },
      disallowedFlunders: ["evil"],
    });
    const refused = await b.create(beta("evil", {}));
    assert.equal(refused.status, 403);
    assert.equal(refused.json().reason, "Forbidden");
    assert.equal(
      refused.json().message,
      'flunders.versions.example.com "evil" is forbidden: this name may not be used, please change the resource name (banned by fischer strict)',
    );
    assert.equal((await b.create(beta("good", {}))).status, 201);
  });

  it("applies a mutating plugin's change and validates it again", async () => {
    const created = (await b.create(beta("labelled", {}))).json<{ metadata: { labels: Record<string, string> } }>();
    assert.equal(created.metadata.labels["admitted-by"], "label-it");
    const broken = await a.create(alpha("broken-by-plugin", {}, { annotations: { "break-me": "yes" } }));
    assert.equal(broken.status, 422);
    assert.match(String(broken.json().message), /spec\.sizeInMeters in body should be greater than or equal to 0/);
  });

  it("validates a mutated object as it will be stored: a create without its status, an update with the stored one", async () => {
    // kube-apiserver validates after the strategy's PrepareForCreate/PrepareForUpdate, which drop
    // a create's status and put back the stored one on a main-resource update.
    const created = await b.create({ ...beta("status-ignored", {}), status: { phase: 7 } });
    assert.equal(created.status, 201, JSON.stringify(created.json()));
    assert.equal(created.json().status, undefined);
    const current = (await b.get("status-ignored")).json<KubeObject>();
    const updated = await b.update("status-ignored", { ...current, status: { phase: 7 } });
    assert.equal(updated.status, 200, JSON.stringify(updated.json()));
    assert.equal(updated.json().status, undefined);
  });

  it("gives plugins and strategy the hub object, operation, old object, user, dry-run flag and subresource", async () => {
    seen.length = 0;
    const hub = `${GROUP}/v1beta1`;
    assert.equal((await a.create(alpha("rec", { reference: "r", size: 1 }))).status, 201);
    const current = (await a.get("rec")).json<KubeObject>();
    const dry = await a.update("rec", { ...current, spec: { reference: "r", size: 2 } }, "?dryRun=All");
    assert.equal(dry.status, 200, dry.body);
    const status = await server.request(`${a.collection}/rec/status`, { method: "PUT", body: current });
    assert.equal(status.status, 200, status.body);
    assert.equal((await a.delete("rec")).status, 200);
    // A Fischer write: Flunder's plugins are per kind and never see it.
    await new ResourceClient(server, `/apis/${GROUP}/v1beta1/fischers`).create({
      apiVersion: hub,
      kind: "Fischer",
      metadata: { name: "unseen" },
    });
    const common = { kind: "Flunder", name: "rec", user: "admin" };
    assert.deepEqual(seen, [
      {
        phase: "admit",
        operation: "CREATE",
        ...common,
        subresource: "",
        dryRun: false,
        objectVersion: hub,
        oldVersion: undefined,
        label: "label-it",
      },
      { phase: "strategy", operation: "CREATE", objectVersion: hub },
      { phase: "validate", operation: "CREATE", subresource: "", name: "rec" },
      {
        phase: "admit",
        operation: "UPDATE",
        ...common,
        subresource: "",
        dryRun: true,
        objectVersion: hub,
        oldVersion: hub,
        label: "label-it",
      },
      { phase: "strategy", operation: "UPDATE", objectVersion: hub, oldVersion: hub },
      { phase: "validate", operation: "UPDATE", subresource: "", name: "rec" },
      // LabelIt skips the status write; the label there is the stored one.
      {
        phase: "admit",
        operation: "UPDATE",
        ...common,
        subresource: "status",
        dryRun: false,
        objectVersion: hub,
        oldVersion: hub,
        label: "label-it",
      },
      { phase: "strategy", operation: "UPDATE", objectVersion: hub, oldVersion: hub },
      { phase: "validate", operation: "UPDATE", subresource: "status", name: "rec" },
      {
        phase: "admit",
        operation: "DELETE",
        ...common,
        subresource: "",
        dryRun: false,
        objectVersion: undefined,
        oldVersion: hub,
        label: undefined,
      },
      { phase: "validate", operation: "DELETE", subresource: "", name: "rec" },
    ]);
  });

  it("answers a validation-style refusal with 422 Invalid and the plugin's message", async () => {
    const refused = await a.create(alpha("huge", { size: 101 }));
    assert.equal(refused.status, 422, refused.body);
    assert.equal(refused.json().reason, "Invalid");
    assert.match(String(refused.json().message), /spec\.sizeInMeters must be at most 100, got 101/);
    assert.equal((await a.get("huge")).status, 404);
  });

  it("runs admission on server-side apply too", async () => {
    const applied = await a.patch("applied", "apply", alpha("applied", { size: 4 }), "?fieldManager=tester");
    assert.equal(applied.status, 201, applied.body);
    assert.equal(applied.json<KubeObject>().metadata?.labels?.["admitted-by"], "label-it");
    const banned = await a.patch("evil", "apply", alpha("evil", {}), "?fieldManager=tester");
    assert.equal(banned.status, 403, banned.body);
    assert.match(String(banned.json().message), /this name may not be used/);
    const tooBig = await a.patch("applied", "apply", alpha("applied", { size: 500 }), "?fieldManager=tester");
    assert.equal(tooBig.status, 422, tooBig.body);
  });
});

/** storageVersionHash as Kubernetes computes it: base64 of the first 8 bytes of sha256("group/version/Kind"). */
const expectedHash = (version: string) =>
  createHash("sha256").update(`${GROUP}/${version}/Flunder`).digest().subarray(0, 8).toString("base64");

async function storageVersionHashes(server: TestServer): Promise<Array<string | undefined>> {
  const hashes: Array<string | undefined> = [];
  for (const version of ["v1alpha1", "v1beta1"]) {
    const list = (await server.request(`/apis/${GROUP}/${version}`)).json<{
      resources: Array<{ name: string; storageVersionHash?: string }>;
    }>();
    hashes.push(list.resources.find((r) => r.name === "flunders")?.storageVersionHash);
  }
  return hashes;
}

describe("changing the storage version", () => {
  it("keeps objects stored in the old version readable, in every version", async () => {
    const storage = new MemoryStorage();
    const first = await startTestServer({ resources: definitions("v1alpha1"), storage });
    const dataDir = first.dataDir;
    await new ResourceClient(first, `/apis/${GROUP}/v1alpha1/namespaces/default/flunders`).create(
      alpha("old", { reference: "x", referenceType: "Fischer", size: 1 }),
    );
    await new ResourceClient(first, `/apis/${GROUP}/v1alpha1/namespaces/default/flunders`).create(
      alpha("untouched", { reference: "y", size: 5 }),
    );
    // Every served version names the storage version's hash.
    assert.deepEqual(await storageVersionHashes(first), [expectedHash("v1alpha1"), expectedHash("v1alpha1")]);
    await first.server.close();
    const stored = await storage.get("/registry/versions.example.com/flunders/default/old");
    assert.equal(stored?.apiVersion, `${GROUP}/v1alpha1`, "stored in the storage version of the time");
    const second = await startTestServer({ resources: definitions("v1beta1"), storage, dataDir });
    try {
      const b = new ResourceClient(second, `/apis/${GROUP}/v1beta1/namespaces/default/flunders`);
      const a = new ResourceClient(second, `/apis/${GROUP}/v1alpha1/namespaces/default/flunders`);
      assert.deepEqual((await b.get("old")).json<{ spec: BetaSpec }>().spec, {
        fischerReference: "x",
        sizeInMeters: 1,
      });
      assert.deepEqual((await a.get("old")).json<{ spec: AlphaSpec }>().spec, {
        reference: "x",
        referenceType: "Fischer",
        size: 1,
      });
      // The next write stores it in the new storage version.
      await b.patch("old", "merge", { spec: { sizeInMeters: 2 } });
      const rewritten = await storage.get("/registry/versions.example.com/flunders/default/old");
      assert.equal(rewritten?.apiVersion, `${GROUP}/v1beta1`);
      // The documented way to rewrite the rest: an empty merge patch rewrites an old object once.
      const untouchedKey = "/registry/versions.example.com/flunders/default/untouched";
      assert.equal((await storage.get(untouchedKey))?.apiVersion, `${GROUP}/v1alpha1`);
      const migrated = await a.patch("untouched", "merge", {});
      assert.equal(migrated.status, 200, migrated.body);
      assert.equal((await storage.get(untouchedKey))?.apiVersion, `${GROUP}/v1beta1`);
      const again = await a.patch("untouched", "merge", {});
      assert.equal(
        again.json<KubeObject>().metadata?.resourceVersion,
        migrated.json<KubeObject>().metadata?.resourceVersion,
        "a no-op once stored in the storage version",
      );
      assert.deepEqual(await storageVersionHashes(second), [expectedHash("v1beta1"), expectedHash("v1beta1")]);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

for (const minor of [32, 33]) {
  describe(
    `kubectl 1.${minor}: both versions`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let k: Kubectl;
      startKubectlServer(
        minor,
        (_server, kubectl) => {
          k = kubectl;
        },
        { resources: definitions("v1beta1") },
      );

      it("shows one object through each version, with each version's columns", async () => {
        await k.ok(["create", "-f", "-"], {
          input: JSON.stringify(alpha("kx", { reference: "fish", referenceType: "Fischer", size: 2 })),
        });
        const alphaYaml = await k.ok(["get", `flunders.v1alpha1.${GROUP}`, "kx", "-o", "yaml"]);
        assert.match(alphaYaml, /^apiVersion: versions\.example\.com\/v1alpha1$/m);
        assert.match(alphaYaml, /^ {2}reference: fish$/m);
        const betaYaml = await k.ok(["get", `flunders.v1beta1.${GROUP}`, "kx", "-o", "yaml"]);
        assert.match(betaYaml, /^apiVersion: versions\.example\.com\/v1beta1$/m);
        assert.match(betaYaml, /^ {2}fischerReference: fish$/m);
        assert.match(await k.ok(["get", `flunders.v1alpha1.${GROUP}`]), /^kx\s+fish\s+\d+s$/m);
        assert.match(await k.ok(["get", `flunders.v1beta1.${GROUP}`]), /^NAME\s+FLUNDER-REF\s+FISCHER-REF\s+AGE$/m);
        const watch = k.spawn(["get", `flunders.v1alpha1.${GROUP}`, "-w", "--output-watch-events"]);
        try {
          await watch.waitFor(/ADDED\s+kx\s+fish/);
          await k.ok([
            "patch",
            `flunders.v1beta1.${GROUP}`,
            "kx",
            "--type=merge",
            "-p",
            '{"spec":{"fischerReference":"trout"}}',
          ]);
          await watch.waitFor(/MODIFIED\s+kx\s+trout/);
        } finally {
          await watch.stop();
        }
      });
    },
  );
}
