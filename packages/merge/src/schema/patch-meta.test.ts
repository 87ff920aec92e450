import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyStrategicMergePatch } from "../apply/apply.js";
import { createTwoWayMergePatch } from "../diff/create-patch.js";
import { patchMetaOf, withStrategicMergeExtensions } from "./patch-meta.js";
import type { StrategicMergeSchema } from "./structural-schema.js";

const named: StrategicMergeSchema = {
  type: "object",
  properties: { name: { type: "string" }, port: { type: "integer" } },
};

describe("patchMetaOf", () => {
  it("reads x-kubernetes-patch-strategy and merge key as Kubernetes does", () => {
    assert.deepEqual(
      patchMetaOf({ type: "array", "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "name" }),
      { strategy: "merge", retainKeys: false, mergeKey: "name" },
    );
    assert.deepEqual(patchMetaOf({ type: "object", "x-kubernetes-patch-strategy": "retainKeys" }), {
      strategy: "",
      retainKeys: true,
      mergeKey: "",
    });
    assert.deepEqual(
      patchMetaOf({
        type: "array",
        "x-kubernetes-patch-strategy": "retainKeys,merge",
        "x-kubernetes-patch-merge-key": "k",
      }),
      { strategy: "merge", retainKeys: true, mergeKey: "k" },
    );
  });

  it("derives merge by key from list-type map with one key, and a set merge from list-type set", () => {
    const listMap = {
      type: "array",
      items: named,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
    };
    assert.deepEqual(patchMetaOf(listMap), { strategy: "merge", retainKeys: false, mergeKey: "name" });
    const set = { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" };
    assert.deepEqual(patchMetaOf(set), { strategy: "merge", retainKeys: false, mergeKey: "" });
  });

  it("derives nothing where strategic merge patch cannot express the topology", () => {
    const twoKeys = {
      type: "array",
      items: named,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name", "port"],
    };
    assert.equal(patchMetaOf(twoKeys).strategy, "");
    assert.equal(patchMetaOf({ type: "array", items: named, "x-kubernetes-list-type": "set" }).strategy, "");
    assert.equal(patchMetaOf({ type: "array", items: named, "x-kubernetes-list-type": "atomic" }).strategy, "");
  });

  it("replaces an atomic map", () => {
    assert.equal(patchMetaOf({ type: "object", "x-kubernetes-map-type": "atomic" }).strategy, "replace");
    assert.equal(patchMetaOf({ type: "object", "x-kubernetes-map-type": "granular" }).strategy, "");
  });

  it("lets an explicit strategy win, completing a missing merge key from list-map-keys", () => {
    const replaced = {
      type: "array",
      items: named,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      "x-kubernetes-patch-strategy": "replace",
    };
    assert.deepEqual(patchMetaOf(replaced), { strategy: "replace", retainKeys: false, mergeKey: "" });
    const keyless = {
      type: "array",
      items: named,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      "x-kubernetes-patch-strategy": "merge",
    };
    assert.equal(patchMetaOf(keyless).mergeKey, "name");
  });
});

describe("strategic merge driven by the topology markers alone", () => {
  const schema: StrategicMergeSchema = {
    type: "object",
    properties: {
      ports: { type: "array", items: named, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] },
      finalizers: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
      args: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "atomic" },
      selector: { type: "object", "x-kubernetes-map-type": "atomic", additionalProperties: { type: "string" } },
    },
  };

  it("applies: list-map merges by key, set unions, atomic list and atomic map are replaced", () => {
    const original = {
      ports: [
        { name: "http", port: 80 },
        { name: "https", port: 443 },
      ],
      finalizers: ["a"],
      args: ["x", "y"],
      selector: { app: "web", tier: "front" },
    };
    const patch = {
      ports: [
        { name: "http", port: 8080 },
        { name: "https", $patch: "delete" },
      ],
      finalizers: ["b"],
      args: ["z"],
      selector: { app: "api" },
    };
    assert.deepEqual(applyStrategicMergePatch(original, patch, schema), {
      ports: [{ name: "http", port: 8080 }],
      finalizers: ["b", "a"],
      args: ["z"],
      selector: { app: "api" },
    });
  });

  it("diffs the way kubectl would with the derived extensions published", () => {
    const original = {
      ports: [
        { name: "http", port: 80 },
        { name: "https", port: 443 },
      ],
      finalizers: ["a", "b"],
    };
    const modified = { ports: [{ name: "http", port: 80 }], finalizers: ["b"] };
    const patch = createTwoWayMergePatch(original, modified, schema);
    assert.deepEqual(patch, {
      ports: [{ name: "https", $patch: "delete" }],
      "$setElementOrder/ports": [{ name: "http" }],
      "$deleteFromPrimitiveList/finalizers": ["a"],
      "$setElementOrder/finalizers": ["b"],
    });
    assert.deepEqual(createTwoWayMergePatch(original, modified, withStrategicMergeExtensions(schema)), patch);
  });
});

/** A richer schema type, as the runtime's JSONSchemaProps is: the function keeps its type. */
interface DocumentedSchema extends StrategicMergeSchema {
  description?: string;
  properties?: Record<string, DocumentedSchema>;
  items?: DocumentedSchema;
  additionalProperties?: DocumentedSchema | boolean;
}

describe("withStrategicMergeExtensions", () => {
  it("writes derived strategies as explicit extensions everywhere, leaving the input and other keywords alone", () => {
    const item: DocumentedSchema = {
      type: "object",
      description: "a port",
      properties: {
        name: { type: "string" },
        hosts: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
      },
    };
    const schema: DocumentedSchema = {
      type: "object",
      properties: {
        ports: { type: "array", items: item, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] },
        byZone: { type: "object", additionalProperties: { type: "object", "x-kubernetes-map-type": "atomic" } },
        keyless: {
          type: "array",
          items: item,
          "x-kubernetes-patch-strategy": "merge",
          "x-kubernetes-list-map-keys": ["name"],
          "x-kubernetes-list-type": "map",
        },
      },
    };
    const before = JSON.stringify(schema);
    const out = withStrategicMergeExtensions(schema);
    assert.equal(JSON.stringify(schema), before);
    const ports = out.properties?.ports;
    assert.equal(ports?.["x-kubernetes-patch-strategy"], "merge");
    assert.equal(ports?.["x-kubernetes-patch-merge-key"], "name");
    assert.equal(ports?.items?.description, "a port");
    assert.equal(ports?.items?.properties?.hosts?.["x-kubernetes-patch-strategy"], "merge");
    assert.equal(ports?.items?.properties?.hosts?.["x-kubernetes-patch-merge-key"], undefined);
    const zone = out.properties?.byZone?.additionalProperties;
    assert.equal(typeof zone === "object" ? zone["x-kubernetes-patch-strategy"] : undefined, "replace");
    assert.equal(out.properties?.keyless?.["x-kubernetes-patch-merge-key"], "name");
    assert.equal(out.properties?.name, undefined);
  });

  it("handles schemas that refer to themselves", () => {
    const node: StrategicMergeSchema = { type: "object", properties: {} };
    (node.properties as Record<string, StrategicMergeSchema>).children = {
      type: "array",
      items: node,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
    };
    const out = withStrategicMergeExtensions(node);
    const children = out.properties?.children;
    assert.equal(children?.["x-kubernetes-patch-merge-key"], "name");
    assert.equal(children?.items, out);
  });
});
