import { describe, it } from "node:test";
import type { ServerSideApplySchema } from "../typed/schema.js";
import { type Case, runCase } from "./fixture.js";

// Ownership scenarios mirroring structured-merge-diff's merge/*_test.go (our own cases; each
// names the upstream file and test). Exclusions, with reasons:
// - union_test.go: unions (discriminated one-of fields) are not part of Kubernetes' API surface.
// - extract_apply_test.go: ExtractItems serves client-side "extract" helpers, not the server.
// - duplicates_test.go: live lists with duplicate keys are refused (InvalidObject) rather than
//   owned as a whole; duplicates in an applied configuration are refused as upstream does.
// - real_test.go, pod_test.go, compatibility_test.go: benchmarks and fixtures over Kubernetes'
//   own Go types; the same behaviours are covered here with small schemas.
// - field_level_overrides_test.go only partly: atomic maps and lists (covered below); its
//   per-field "granular inside atomic" overrides need Go type metadata a structural schema lacks.

const leafFields: ServerSideApplySchema = {
  type: "object",
  properties: { numeric: { type: "number" }, string: { type: "string" }, bool: { type: "boolean" } },
};

const sets: ServerSideApplySchema = {
  type: "object",
  properties: { list: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } } },
};

const keyed: ServerSideApplySchema = {
  type: "object",
  properties: {
    list: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name", "protocol"],
      items: {
        type: "object",
        properties: { name: { type: "string" }, protocol: { type: "string" }, value: { type: "integer" } },
      },
    },
  },
};

const item: ServerSideApplySchema = {
  type: "object",
  properties: { name: { type: "string" }, value: { type: "string" }, other: { type: "string" } },
};
const nested: ServerSideApplySchema = {
  type: "object",
  properties: {
    list: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          value: { type: "string" },
          inner: {
            type: "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            items: item,
          },
          labels: { type: "object", additionalProperties: { type: "string" } },
        },
      },
    },
    atomicMap: { type: "object", "x-kubernetes-map-type": "atomic", additionalProperties: { type: "string" } },
    atomicList: { type: "array", "x-kubernetes-list-type": "atomic", items: { type: "string" } },
    unlisted: { type: "array", items: { type: "string" } },
  },
};

function cases(
  schema: ServerSideApplySchema | undefined,
  table: Record<string, Case>,
  options?: Parameters<typeof runCase>[2],
) {
  for (const [name, test] of Object.entries(table)) it(name, () => runCase(schema, test, options));
}

describe("leaf fields (leaf_test.go TestUpdateLeaf)", () => {
  cases(leafFields, {
    apply_twice: {
      ops: [
        { apply: { numeric: 1, string: "string" }, manager: "default" },
        { apply: { numeric: 2, string: "string", bool: false }, manager: "default" },
      ],
      object: { numeric: 2, string: "string", bool: false },
      managed: { default: [".bool", ".numeric", ".string"] },
    },
    apply_twice_different_versions: {
      ops: [
        { apply: { numeric: 1, string: "string" }, manager: "default" },
        { apply: { numeric: 2, string: "string", bool: false }, manager: "default", apiVersion: "v2" },
      ],
      object: { numeric: 2, string: "string", bool: false },
      managed: { "default@v2": [".bool", ".numeric", ".string"] },
    },
    apply_update_apply_no_conflict: {
      ops: [
        { apply: { numeric: 1, string: "string" }, manager: "default" },
        { update: { numeric: 1, string: "string", bool: true }, manager: "controller" },
        { apply: { numeric: 2, string: "string" }, manager: "default" },
      ],
      object: { numeric: 2, string: "string", bool: true },
      managed: { controller: [".bool"], default: [".numeric", ".string"] },
    },
    apply_update_apply_with_conflict: {
      ops: [
        { apply: { numeric: 1, string: "string" }, manager: "default" },
        { update: { numeric: 1, string: "controller string", bool: true }, manager: "controller" },
        { apply: { numeric: 2, string: "user string" }, manager: "default", conflicts: ["controller:.string"] },
        { apply: { numeric: 2, string: "user string" }, manager: "default", force: true },
      ],
      object: { numeric: 2, string: "user string", bool: true },
      managed: { controller: [".bool"], default: [".numeric", ".string"] },
    },
    apply_update_apply_with_conflict_across_version: {
      ops: [
        { apply: { numeric: 1, string: "string" }, manager: "default" },
        { update: { numeric: 1, string: "controller string", bool: true }, manager: "controller", apiVersion: "v2" },
        { apply: { numeric: 2, string: "user string" }, manager: "default", conflicts: ["controller:.string"] },
        { apply: { numeric: 2, string: "user string" }, manager: "default", force: true },
      ],
      object: { numeric: 2, string: "user string", bool: true },
      managed: { "controller@v2": [".bool"], default: [".numeric", ".string"] },
    },
    apply_twice_dangling: {
      ops: [
        { apply: { numeric: 1, string: "string", bool: false }, manager: "default" },
        { apply: { string: "new string" }, manager: "default" },
      ],
      object: { string: "new string" },
      managed: { default: [".string"] },
    },
    update_remove_empty_set: {
      ops: [
        { apply: { string: "string" }, manager: "default" },
        { update: { string: "new string" }, manager: "controller" },
      ],
      object: { string: "new string" },
      managed: { controller: [".string"] },
    },
    apply_remove_empty_set: {
      ops: [
        { apply: { string: "string" }, manager: "default" },
        { apply: {}, manager: "default" },
      ],
      object: {},
      managed: {},
    },
    "shared ownership: applying the same value twice by two managers": {
      ops: [
        { apply: { numeric: 1, string: "a" }, manager: "one" },
        { apply: { numeric: 1 }, manager: "two" },
        { apply: { string: "a" }, manager: "one" },
      ],
      object: { numeric: 1, string: "a" },
      managed: { one: [".string"], two: [".numeric"] },
    },
    "a shared field stays until its last owner stops applying it": {
      ops: [
        { apply: { numeric: 1, string: "a" }, manager: "one" },
        { apply: { numeric: 1, string: "a" }, manager: "two" },
        { apply: { numeric: 1 }, manager: "one" },
        { apply: {}, manager: "two" },
      ],
      object: { numeric: 1 },
      managed: { one: [".numeric"] },
    },
  });
});

describe("sets (set_test.go TestUpdateSet)", () => {
  cases(sets, {
    apply_twice: {
      ops: [
        { apply: { list: ["a", "c"] }, manager: "default" },
        { apply: { list: ["a", "b", "c", "d"] }, manager: "default" },
      ],
      object: { list: ["a", "b", "c", "d"] },
      managed: { default: ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] },
    },
    apply_update_apply_no_overlap: {
      ops: [
        { apply: { list: ["a", "c"] }, manager: "default" },
        { update: { list: ["a", "b", "c", "d"] }, manager: "controller" },
        { apply: { list: ["a", "aprime", "c", "cprime"] }, manager: "default" },
      ],
      object: { list: ["a", "b", "aprime", "c", "d", "cprime"] },
      managed: {
        controller: ['.list[="b"]', '.list[="d"]'],
        default: ['.list[="a"]', '.list[="aprime"]', '.list[="c"]', '.list[="cprime"]'],
      },
    },
    apply_update_apply_with_overlap: {
      ops: [
        { apply: { list: ["a", "c"] }, manager: "default" },
        { update: { list: ["a", "b", "c", "d"] }, manager: "controller" },
        { apply: { list: ["a", "b", "c"] }, manager: "default" },
      ],
      object: { list: ["a", "b", "c", "d"] },
      managed: {
        controller: ['.list[="b"]', '.list[="d"]'],
        default: ['.list[="a"]', '.list[="b"]', '.list[="c"]'],
      },
    },
    apply_twice_reorder: {
      ops: [
        { apply: { list: ["a", "b", "c", "d"] }, manager: "default" },
        { apply: { list: ["a", "d", "c", "b"] }, manager: "default" },
      ],
      object: { list: ["a", "d", "c", "b"] },
      managed: { default: ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] },
    },
    apply_twice_remove: {
      ops: [
        { apply: { list: ["a", "b", "c", "d"] }, manager: "default" },
        { apply: { list: ["a", "c"] }, manager: "default" },
      ],
      object: { list: ["a", "c"] },
      managed: { default: ['.list[="a"]', '.list[="c"]'] },
    },
    "removing the last owned element removes the list": {
      ops: [
        { apply: { list: ["a"] }, manager: "default" },
        { apply: {}, manager: "default" },
      ],
      object: {},
      managed: {},
    },
  });
});

describe("list-maps with several keys (key_test.go TestUpdateAssociativeList)", () => {
  cases(keyed, {
    apply_twice: {
      ops: [
        { apply: { list: [{ name: "a", protocol: "TCP", value: 1 }] }, manager: "default" },
        {
          apply: {
            list: [
              { name: "a", protocol: "TCP", value: 2 },
              { name: "a", protocol: "UDP", value: 3 },
            ],
          },
          manager: "default",
        },
      ],
      object: {
        list: [
          { name: "a", protocol: "TCP", value: 2 },
          { name: "a", protocol: "UDP", value: 3 },
        ],
      },
      managed: {
        default: [
          '.list[name="a",protocol="TCP"]',
          '.list[name="a",protocol="TCP"].name',
          '.list[name="a",protocol="TCP"].protocol',
          '.list[name="a",protocol="TCP"].value',
          '.list[name="a",protocol="UDP"]',
          '.list[name="a",protocol="UDP"].name',
          '.list[name="a",protocol="UDP"].protocol',
          '.list[name="a",protocol="UDP"].value',
        ],
      },
    },
    apply_update_apply_conflict_on_element_field: {
      ops: [
        { apply: { list: [{ name: "a", protocol: "TCP", value: 1 }] }, manager: "default" },
        { update: { list: [{ name: "a", protocol: "TCP", value: 5 }] }, manager: "controller" },
        {
          apply: { list: [{ name: "a", protocol: "TCP", value: 2 }] },
          manager: "default",
          conflicts: ['controller:.list[name="a",protocol="TCP"].value'],
        },
      ],
      object: { list: [{ name: "a", protocol: "TCP", value: 5 }] },
      managed: {
        controller: ['.list[name="a",protocol="TCP"].value'],
        default: [
          '.list[name="a",protocol="TCP"]',
          '.list[name="a",protocol="TCP"].name',
          '.list[name="a",protocol="TCP"].protocol',
        ],
      },
    },
  });
});

describe("nested list-maps and maps (nested_test.go, multiple_appliers_test.go)", () => {
  cases(nested, {
    "nested_test: remove an inner element the applier alone owned": {
      ops: [
        {
          apply: {
            list: [
              {
                name: "a",
                inner: [
                  { name: "x", value: "1" },
                  { name: "y", value: "2" },
                ],
              },
            ],
          },
          manager: "default",
        },
        { apply: { list: [{ name: "a", inner: [{ name: "x", value: "1" }] }] }, manager: "default" },
      ],
      object: { list: [{ name: "a", inner: [{ name: "x", value: "1" }] }] },
      managed: {
        default: [
          '.list[name="a"]',
          '.list[name="a"].inner[name="x"]',
          '.list[name="a"].inner[name="x"].name',
          '.list[name="a"].inner[name="x"].value',
          '.list[name="a"].name',
        ],
      },
    },
    "multiple_appliers_test: an element two appliers own survives one dropping it": {
      ops: [
        { apply: { list: [{ name: "a", value: "v" }] }, manager: "apply-one" },
        {
          apply: {
            list: [
              { name: "a", value: "v" },
              { name: "b", value: "w" },
            ],
          },
          manager: "apply-two",
        },
        { apply: { list: [] }, manager: "apply-one" },
      ],
      object: {
        list: [
          { name: "a", value: "v" },
          { name: "b", value: "w" },
        ],
      },
      managed: {
        "apply-two": [
          '.list[name="a"]',
          '.list[name="a"].name',
          '.list[name="a"].value',
          '.list[name="b"]',
          '.list[name="b"].name',
          '.list[name="b"].value',
        ],
      },
    },
    "multiple_appliers_test: fields within a shared element are pruned per owner": {
      ops: [
        { apply: { list: [{ name: "a", value: "v" }] }, manager: "apply-one" },
        { apply: { list: [{ name: "a", other: "o" }] }, manager: "apply-two" },
        { apply: { list: [{ name: "a" }] }, manager: "apply-one" },
      ],
      object: { list: [{ name: "a", other: "o" }] },
      managed: {
        "apply-one": ['.list[name="a"]', '.list[name="a"].name'],
        "apply-two": ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].other'],
      },
    },
    "multiple_appliers_test: conflict on a nested element field, then force": {
      ops: [
        { apply: { list: [{ name: "a", labels: { k: "1" } }] }, manager: "apply-one" },
        {
          apply: { list: [{ name: "a", labels: { k: "2" } }] },
          manager: "apply-two",
          conflicts: ['apply-one:.list[name="a"].labels.k'],
        },
        { apply: { list: [{ name: "a", labels: { k: "2" } }] }, manager: "apply-two", force: true },
      ],
      object: { list: [{ name: "a", labels: { k: "2" } }] },
      managed: {
        "apply-one": ['.list[name="a"]', '.list[name="a"].name'],
        "apply-two": ['.list[name="a"]', '.list[name="a"].labels.k', '.list[name="a"].name'],
      },
    },
    "field_level_overrides_test: an atomic map is owned and replaced whole": {
      ops: [
        { apply: { atomicMap: { a: "1", b: "2" } }, manager: "one" },
        { apply: { atomicMap: { c: "3" } }, manager: "two", conflicts: ["one:.atomicMap"] },
        { apply: { atomicMap: { c: "3" } }, manager: "two", force: true },
      ],
      object: { atomicMap: { c: "3" } },
      managed: { two: [".atomicMap"] },
    },
    "list_test: an atomic list is owned and replaced whole": {
      ops: [
        { apply: { atomicList: ["a", "b"], unlisted: ["x"] }, manager: "one" },
        { apply: { atomicList: ["b"], unlisted: ["y", "x"] }, manager: "one" },
      ],
      object: { atomicList: ["b"], unlisted: ["y", "x"] },
      managed: { one: [".atomicList", ".unlisted"] },
    },
    "update_test: an update takes the fields it changes, and removed fields from everyone": {
      ops: [
        { apply: { list: [{ name: "a", value: "v", other: "o" }] }, manager: "applier" },
        { update: { list: [{ name: "a", value: "changed" }] }, manager: "controller" },
      ],
      object: { list: [{ name: "a", value: "changed" }] },
      managed: {
        applier: ['.list[name="a"]', '.list[name="a"].name'],
        controller: ['.list[name="a"].value'],
      },
    },
    "update_test: an update that adds a map owns the map itself": {
      ops: [{ update: { list: [{ name: "a", labels: { k: "1" } }] }, manager: "controller" }],
      object: { list: [{ name: "a", labels: { k: "1" } }] },
      managed: {
        controller: [
          ".list",
          '.list[name="a"]',
          '.list[name="a"].labels',
          '.list[name="a"].labels.k',
          '.list[name="a"].name',
        ],
      },
    },
    "wipe_fields_test: an update removing an applied element leaves the applier nothing to keep": {
      ops: [
        { apply: { list: [{ name: "a", value: "v" }] }, manager: "applier" },
        { update: {}, manager: "controller" },
        { apply: { list: [{ name: "a", value: "v" }] }, manager: "applier" },
      ],
      object: { list: [{ name: "a", value: "v" }] },
      managed: { applier: ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value'] },
    },
  });
});

describe("fields the schema does not describe (preserve_unknown_test.go, deduced_test.go)", () => {
  const preserving: ServerSideApplySchema = {
    type: "object",
    properties: {
      spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { known: { type: "string" } } },
    },
  };
  cases(preserving, {
    "preserve_unknown_test: unknown maps are granular, unknown lists atomic": {
      ops: [
        { apply: { spec: { known: "k", free: { a: "1", b: ["x"] } } }, manager: "one" },
        { apply: { spec: { free: { a: "1", c: "2" } } }, manager: "two" },
        { apply: { spec: { known: "k" } }, manager: "one" },
      ],
      object: { spec: { known: "k", free: { a: "1", c: "2" } } },
      managed: { one: [".spec.known"], two: [".spec.free", ".spec.free.a", ".spec.free.c"] },
    },
  });
  cases(undefined, {
    "deduced_test: with no schema at all, maps merge and lists are replaced": {
      ops: [
        { apply: { a: { b: 1, c: [1, 2] } }, manager: "one" },
        { apply: { a: { d: 2, c: [3] } }, manager: "two", conflicts: ["one:.a.c"] },
        { apply: { a: { d: 2, c: [3] } }, manager: "two", force: true },
      ],
      object: { a: { b: 1, c: [3], d: 2 } },
      managed: { one: [".a", ".a.b"], two: [".a", ".a.c", ".a.d"] },
    },
  });
});

describe("versions (obsolete_versions_test.go, default_keys_test.go)", () => {
  it("obsolete_versions_test: entries of versions no longer served are dropped", () => {
    runCase(
      leafFields,
      {
        ops: [
          { apply: { numeric: 1 }, manager: "old", apiVersion: "v0" },
          { apply: { string: "s" }, manager: "new" },
        ],
        object: { numeric: 1, string: "s" },
        managed: { new: [".string"] },
      },
      { served: ["v1"] },
    );
  });
  const defaulted: ServerSideApplySchema = {
    type: "object",
    properties: {
      ports: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["port", "protocol"],
        items: {
          type: "object",
          properties: {
            port: { type: "integer" },
            protocol: { type: "string", default: "TCP" },
            name: { type: "string" },
          },
        },
      },
    },
  };
  cases(defaulted, {
    "default_keys_test: a key field left out takes its schema default": {
      ops: [
        { apply: { ports: [{ port: 80, name: "http" }] }, manager: "one" },
        {
          apply: { ports: [{ port: 80, protocol: "TCP", name: "web" }] },
          manager: "two",
          conflicts: ['one:.ports[port=80,protocol="TCP"].name'],
        },
      ],
      object: { ports: [{ port: 80, name: "http" }] },
      managed: {
        one: [
          '.ports[port=80,protocol="TCP"]',
          '.ports[port=80,protocol="TCP"].name',
          '.ports[port=80,protocol="TCP"].port',
        ],
      },
    },
  });
});

describe("schema changes (schema_change_test.go, typed/reconcile_schema.go)", () => {
  const struct = (atomic: boolean): ServerSideApplySchema => ({
    type: "object",
    properties: {
      struct: {
        type: "object",
        ...(atomic ? { "x-kubernetes-map-type": "atomic" as const } : {}),
        properties: { numeric: { type: "number" }, string: { type: "string" } },
      },
    },
  });
  cases(struct(false), {
    "to-atomic: the owner of a field inside owns the whole struct, and conflicts there": {
      ops: [
        { apply: { struct: { numeric: 1 } }, manager: "one" },
        { schema: struct(true) },
        { apply: { struct: { string: "string" } }, manager: "two", conflicts: ["one:.struct"] },
        { apply: { struct: { string: "string" } }, manager: "two", force: true },
      ],
      object: { struct: { string: "string" } },
      managed: { two: [".struct"] },
    },
    "to-atomic-owner-with-no-child-fields: an entry that owns nothing inside is not made an owner": {
      ops: [
        { apply: { struct: { numeric: 1 } }, manager: "one" },
        { apply: { struct: { numeric: 2 } }, manager: "two", force: true },
        { schema: struct(true) },
        { apply: { struct: { string: "string" } }, manager: "three", conflicts: ["two:.struct"] },
        { apply: { struct: { string: "string" } }, manager: "two", force: true },
      ],
      object: { struct: { string: "string" } },
      managed: { two: [".struct"] },
    },
  });
  cases(struct(true), {
    "to-granular: the owner of the whole struct keeps owning it whole; its fields go to whoever writes them": {
      ops: [
        { apply: { struct: { numeric: 1, string: "a" } }, manager: "one" },
        { apply: { struct: { string: "b" } }, manager: "two", conflicts: ["one:.struct"] },
        { schema: struct(false) },
        { apply: { struct: { string: "b" } }, manager: "two" },
      ],
      object: { struct: { numeric: 1, string: "b" } },
      managed: { one: [".struct"], two: [".struct.string"] },
    },
  });

  const ports = (listType: "atomic" | "map"): ServerSideApplySchema => ({
    type: "object",
    properties: {
      ports: {
        type: "array",
        "x-kubernetes-list-type": listType,
        ...(listType === "map" ? { "x-kubernetes-list-map-keys": ["name"] } : {}),
        items: { type: "object", properties: { name: { type: "string" }, port: { type: "integer" } } },
      },
    },
  });
  cases(ports("map"), {
    "a list-map turned atomic: the owner of an element owns the list; an update takes it whole": {
      ops: [
        { apply: { ports: [{ name: "a", port: 1 }] }, manager: "one" },
        { schema: ports("atomic") },
        {
          update: {
            ports: [
              { name: "a", port: 1 },
              { name: "b", port: 2 },
            ],
          },
          manager: "two",
        },
      ],
      object: {
        ports: [
          { name: "a", port: 1 },
          { name: "b", port: 2 },
        ],
      },
      managed: { two: [".ports"] },
    },
  });
  cases(struct(false), {
    "an unchanged schema leaves ownership as it was": {
      ops: [
        { apply: { struct: { numeric: 1 } }, manager: "one" },
        { schema: struct(false) },
        { apply: { struct: { string: "s" } }, manager: "two" },
      ],
      object: { struct: { numeric: 1, string: "s" } },
      managed: { one: [".struct.numeric"], two: [".struct.string"] },
    },
  });
});
