/**
 * OpenAPI v3 documents per group-version (/openapi/v3/apis/<g>/<v>), rendered from the
 * operation model. kubectl reads them for `explain` and, from 1.29, to decide on
 * server-side field validation.
 */
import { computeETag, etagValue } from "../server/conditional.js";
import { ref } from "./meta-schemas.js";
import type { GroupVersionSpec, Obj, OperationSpec, ParameterSpec } from "./operations.js";

export interface OpenAPIDocument {
  json: string;
  /** Quoted ETag of `json`. */
  etag: string;
  /** The ETag's value: what `?hash=` carries. */
  hash: string;
}

function parameter(p: ParameterSpec): Obj {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

const content = (schema: string, types: readonly string[]): Obj =>
  Object.fromEntries(types.map((t) => [t, { schema: ref(schema) }]));

function operation(o: OperationSpec): Obj {
  const responses: Obj = {};
  for (const r of o.responses) {
    responses[r.code] = r.schema
      ? { description: r.description, content: content(r.schema, o.produces) }
      : { description: r.description };
  }
  return {
    tags: [o.tag],
    description: o.description,
    operationId: o.operationId,
    ...(o.parameters.length ? { parameters: o.parameters.map(parameter) } : {}),
    ...(o.body
      ? {
          requestBody: {
            content: content(o.body.schema, o.body.mediaTypes),
            ...(o.body.required ? { required: true } : {}),
          },
        }
      : {}),
    responses,
    "x-kubernetes-action": o.action,
    "x-kubernetes-group-version-kind": o.gvk,
  };
}

/** Wraps rendered JSON with its validators. */
export function openAPIDocument(json: string): OpenAPIDocument {
  const etag = computeETag(json);
  return { json, etag, hash: etagValue(etag) };
}

/** The OpenAPI v3 document of one group-version. */
export function renderOpenAPIv3(spec: GroupVersionSpec): OpenAPIDocument {
  const paths: Obj = {};
  for (const p of spec.paths) {
    const item: Obj = { parameters: p.parameters.map(parameter) };
    for (const o of p.operations) item[o.method] = operation(o);
    paths[p.path] = item;
  }
  return openAPIDocument(
    JSON.stringify({
      openapi: "3.0.0",
      info: { title: "Kubernetes", version: "unversioned" },
      paths,
      components: { schemas: spec.schemas },
    }),
  );
}
