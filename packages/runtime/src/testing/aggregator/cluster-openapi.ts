/**
 * OpenAPI v3 for the stand-in cluster's own kinds (Namespace, ConfigMap, APIService), so that
 * kubectl finds a PATCH operation declaring `fieldValidation` for their GVKs and validates on
 * the server side, as it does against kube-apiserver. The schemas are permissive: the
 * stand-in checks objects itself.
 */
import { createHash } from "node:crypto";
import type { ClusterKind } from "./cluster-objects.js";

type Doc = Record<string, unknown>;

function schemaName(kind: ClusterKind): string {
  const group = kind.group ? kind.group.split(".").reverse().join(".") : "io.k8s.api.core";
  return `${group}.${kind.version}.${kind.kind}`;
}

function groupVersionPath(kind: ClusterKind): string {
  return kind.group ? `apis/${kind.group}/${kind.version}` : `api/${kind.version}`;
}

function paths(kind: ClusterKind): Doc {
  const gvk = { group: kind.group, version: kind.version, kind: kind.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(kind)}` };
  const body = (types: string[]) => ({
    content: Object.fromEntries(types.map((t) => [t, { schema: ref }])),
    required: true,
  });
  const ok = { "200": { description: "OK", content: { "application/json": { schema: ref } } } };
  const query = (name: string) => ({ name, in: "query", schema: { type: "string", uniqueItems: true } });
  const writeParams = [query("dryRun"), query("fieldManager"), query("fieldValidation")];
  const base = `/${groupVersionPath(kind)}`;
  const collection = kind.namespaced ? `${base}/namespaces/{namespace}/${kind.resource}` : `${base}/${kind.resource}`;
  const op = (action: string, extra: Doc) => ({
    ...extra,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
  });
  const out: Doc = {
    [collection]: {
      get: op("list", { responses: ok }),
      post: op("post", {
        parameters: writeParams,
        requestBody: body(["application/json", "application/yaml"]),
        responses: ok,
      }),
    },
    [`${collection}/{name}`]: {
      get: op("get", { responses: ok }),
      put: op("put", {
        parameters: writeParams,
        requestBody: body(["application/json", "application/yaml"]),
        responses: ok,
      }),
      patch: op("patch", {
        parameters: writeParams,
        requestBody: body(["application/json-patch+json", "application/merge-patch+json"]),
        responses: ok,
      }),
      delete: op("delete", { responses: ok }),
    },
  };
  for (const sub of kind.subresources ?? []) {
    out[`${collection}/{name}/${sub}`] = {
      get: op("get", { responses: ok }),
      patch: op("patch", {
        parameters: writeParams,
        requestBody: body(["application/merge-patch+json"]),
        responses: ok,
      }),
    };
  }
  return out;
}

/** The documents by path (`api/v1`, `apis/apiregistration.k8s.io/v1`) with their hashes. */
export function clusterOpenAPIV3(kinds: readonly ClusterKind[]): Record<string, { hash: string; document: Doc }> {
  const byPath = new Map<string, ClusterKind[]>();
  for (const kind of kinds) byPath.set(groupVersionPath(kind), [...(byPath.get(groupVersionPath(kind)) ?? []), kind]);
  const out: Record<string, { hash: string; document: Doc }> = {};
  for (const [path, members] of byPath) {
    const schemas: Doc = {};
    let allPaths: Doc = {};
    for (const kind of members) {
      allPaths = { ...allPaths, ...paths(kind) };
      schemas[schemaName(kind)] = {
        type: "object",
        description: `${kind.kind} as the stand-in cluster stores it.`,
        "x-kubernetes-preserve-unknown-fields": true,
        "x-kubernetes-group-version-kind": [{ group: kind.group, version: kind.version, kind: kind.kind }],
      };
    }
    const document = {
      openapi: "3.0.0",
      info: { title: "Kubernetes", version: "v1.33.0" },
      paths: allPaths,
      components: { schemas },
    };
    out[path] = { hash: createHash("sha512").update(JSON.stringify(document)).digest("hex").toUpperCase(), document };
  }
  return out;
}
