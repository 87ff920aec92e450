/**
 * The Swagger 2.0 document (/openapi/v2) of every served group-version, rendered from the
 * same operation model as v3. The aggregator downloads it as JSON; kubectl 1.27 and 1.28
 * read it (as gnostic protobuf, see gnostic.ts) for `explain`, validation and the choice
 * of patch type in `apply`.
 */
import type { GroupVersionSpec, Obj, OperationSpec, ParameterSpec } from "./operations.js";
import { type OpenAPIDocument, openAPIDocument } from "./v3.js";

const V3_REF = "#/components/schemas/";
const V2_REF = "#/definitions/";

function parameter(p: ParameterSpec): Obj {
  return {
    uniqueItems: true,
    type: p.type,
    description: p.description,
    name: p.name,
    in: p.in,
    ...(p.required ? { required: true } : {}),
  };
}

const schemaRef = (name: string): Obj => ({ $ref: `${V2_REF}${name}` });

function operation(o: OperationSpec): Obj {
  const responses: Obj = {};
  for (const r of o.responses) {
    responses[r.code] = r.schema
      ? { description: r.description, schema: schemaRef(r.schema) }
      : { description: r.description };
  }
  const parameters = o.parameters.map(parameter);
  if (o.body) {
    parameters.unshift({
      name: "body",
      in: "body",
      ...(o.body.required ? { required: true } : {}),
      schema: schemaRef(o.body.schema),
    });
  }
  return {
    description: o.description,
    // kube-apiserver lists */* for bodies it decodes by content type, and the exact types for PATCH.
    consumes: o.method === "patch" ? [...(o.body?.mediaTypes ?? [])] : ["*/*"],
    produces: [...o.produces],
    schemes: ["https"],
    tags: [o.tag],
    operationId: o.operationId,
    ...(parameters.length ? { parameters } : {}),
    responses,
    "x-kubernetes-action": o.action,
    "x-kubernetes-group-version-kind": o.gvk,
  };
}

/**
 * An OpenAPI v3 schema as Swagger 2.0 allows it, the way kube-apiserver publishes CRD
 * schemas in v2: refs point into definitions, a lone `allOf: [$ref]` becomes the ref
 * itself, keywords v2 lacks (nullable, anyOf, oneOf, not) are dropped, and shapes kubectl's
 * v2 reader can't take (properties under preserve-unknown-fields, arrays without items)
 * are loosened.
 */
export function toSwaggerSchema(schema: Obj): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case "$ref":
        out.$ref = String(value).replace(V3_REF, V2_REF);
        break;
      case "nullable":
      case "anyOf":
      case "oneOf":
      case "not":
        break;
      case "allOf": {
        const list = value as Obj[];
        if (list.length === 1 && typeof list[0]?.$ref === "string")
          out.$ref = String(list[0].$ref).replace(V3_REF, V2_REF);
        break;
      }
      case "properties": {
        const props: Obj = {};
        for (const [name, prop] of Object.entries(value as Record<string, Obj>)) props[name] = toSwaggerSchema(prop);
        out.properties = props;
        break;
      }
      case "items":
        out.items = toSwaggerSchema(value as Obj);
        break;
      case "additionalProperties":
        if (typeof value === "object" && value !== null) {
          if (!(value as Obj).nullable) out.additionalProperties = toSwaggerSchema(value as Obj);
        } else out.additionalProperties = value;
        break;
      default:
        out[key] = value;
    }
  }
  if (schema.nullable === true) {
    // Untyped values break kubectl when items or properties remain.
    delete out.type;
    delete out.items;
    delete out.properties;
  }
  if (schema["x-kubernetes-preserve-unknown-fields"] === true) {
    delete out.items;
    delete out.properties;
  }
  if (out.type === "array" && out.items === undefined) delete out.type;
  const props = schema.properties as Record<string, Obj> | undefined;
  if (Array.isArray(out.required) && props) {
    out.required = (out.required as string[]).filter((name) => props[name]?.nullable !== true);
    if ((out.required as string[]).length === 0) delete out.required;
  }
  return out;
}

/** The Swagger 2.0 document of the given group-versions. */
export function buildSwagger(specs: readonly GroupVersionSpec[]): Obj {
  const paths: Obj = {};
  const definitions: Obj = {};
  for (const spec of specs) {
    for (const p of spec.paths) {
      const item: Obj = {};
      for (const o of p.operations) item[o.method] = operation(o);
      item.parameters = p.parameters.map(parameter);
      paths[p.path] = item;
    }
    for (const [name, schema] of Object.entries(spec.schemas)) definitions[name] ??= toSwaggerSchema(schema);
  }
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths,
    definitions,
    securityDefinitions: {
      BearerToken: {
        description: "Bearer Token authentication",
        type: "apiKey",
        name: "authorization",
        in: "header",
      },
    },
    security: [{ BearerToken: [] }],
  };
}

/** The v2 document as served: JSON text with its ETag (the protobuf shares it). */
export function renderOpenAPIv2(specs: readonly GroupVersionSpec[]): OpenAPIDocument & { swagger: Obj } {
  const swagger = buildSwagger(specs);
  return { ...openAPIDocument(JSON.stringify(swagger)), swagger };
}
