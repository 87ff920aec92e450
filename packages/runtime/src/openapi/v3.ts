/**
 * OpenAPI v3 documents per group-version (/openapi/v3/apis/<g>/<v>) and the root index
 * (/openapi/v3), built once from the API model. kubectl reads them for `explain` and,
 * from 1.29, to decide on server-side field validation: every PATCH operation carries the
 * kind's GVK and declares `fieldValidation` inline.
 */
import { createHash } from "node:crypto";
import type { ApiResource, GroupVersionInfo, ResourceVersion } from "../model/api-model.js";
import type { JSONSchemaProps } from "../model/schema.js";
import { META, metaSchemas, ref } from "./meta-schemas.js";

type Obj = Record<string, unknown>;

/** `wardle.example.com` + `v1alpha1` + `Flunder` → `com.example.wardle.v1alpha1.Flunder`. */
export function schemaName(group: string, version: string, kind: string): string {
  return `${group.split(".").reverse().join(".")}.${version}.${kind}`;
}

const queryParam = (name: string, description: string, type: "string" | "integer" | "boolean" = "string"): Obj => ({
  name,
  in: "query",
  description,
  schema: { type, uniqueItems: true },
});

const params = {
  pretty: queryParam("pretty", "If 'true', then the output is pretty printed."),
  dryRun: queryParam(
    "dryRun",
    "When present, indicates that modifications should not be persisted. The only valid value is All.",
  ),
  fieldManager: queryParam("fieldManager", "A name associated with the actor or entity that is making these changes."),
  // Inline on every write: kubectl looks for it here to choose server-side validation.
  fieldValidation: queryParam(
    "fieldValidation",
    "How the server handles fields it does not know or that are duplicated: Ignore, Warn (the default) or Strict.",
  ),
  force: queryParam(
    "force",
    'Force is going to "force" Apply requests: re-acquire conflicting fields owned by other people.',
    "boolean",
  ),
  allowWatchBookmarks: queryParam("allowWatchBookmarks", "Requests watch events with type BOOKMARK.", "boolean"),
  continue: queryParam("continue", "The continue option from a previous list response, to get the next page."),
  fieldSelector: queryParam("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
  labelSelector: queryParam("labelSelector", "A selector to restrict the list of returned objects by their labels."),
  limit: queryParam("limit", "The maximum number of responses to return for a list call.", "integer"),
  resourceVersion: queryParam("resourceVersion", "Constrains which resource versions the request may be served from."),
  resourceVersionMatch: queryParam(
    "resourceVersionMatch",
    "How resourceVersion is applied to list calls: Exact or NotOlderThan.",
  ),
  sendInitialEvents: queryParam(
    "sendInitialEvents",
    "With watch=true, stream the current state as synthetic events first.",
    "boolean",
  ),
  timeoutSeconds: queryParam("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
  watch: queryParam("watch", "Watch for changes to the described resources and return them as a stream.", "boolean"),
  gracePeriodSeconds: queryParam("gracePeriodSeconds", "Seconds before the object should be deleted.", "integer"),
  orphanDependents: queryParam("orphanDependents", "Deprecated: use propagationPolicy.", "boolean"),
  propagationPolicy: queryParam(
    "propagationPolicy",
    "Whether and how garbage collection will be performed: Orphan, Background or Foreground.",
  ),
};

const listParams = [
  params.allowWatchBookmarks,
  params.continue,
  params.fieldSelector,
  params.labelSelector,
  params.limit,
  params.resourceVersion,
  params.resourceVersionMatch,
  params.sendInitialEvents,
  params.timeoutSeconds,
  params.watch,
];

const pathParam = (name: string, description: string): Obj => ({
  name,
  in: "path",
  description,
  required: true,
  schema: { type: "string", uniqueItems: true },
});

function content(schema: Obj, types = ["application/json", "application/yaml"]): Obj {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function response(description: string, schema: Obj): Obj {
  return { description, content: content(schema) };
}

/** Converts a structural schema into an OpenAPI 3.0 schema object (they are close already). */
function toOpenAPISchema(schema: JSONSchemaProps, isResource: boolean): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(schema)) {
    if (
      key === "properties" ||
      key === "items" ||
      key === "additionalProperties" ||
      key === "allOf" ||
      key === "anyOf" ||
      key === "oneOf" ||
      key === "not"
    )
      continue;
    out[key] = value;
  }
  if (schema.properties) {
    const props: Obj = {};
    for (const [name, prop] of Object.entries(schema.properties)) {
      if ((isResource || schema["x-kubernetes-embedded-resource"]) && name === "metadata") {
        props.metadata = {
          allOf: [ref(`${META}.ObjectMeta`)],
          description: prop.description ?? "Standard object's metadata.",
        };
      } else {
        props[name] = toOpenAPISchema(prop, false);
      }
    }
    out.properties = props;
  }
  if (schema.items) out.items = toOpenAPISchema(schema.items, false);
  if (typeof schema.additionalProperties === "object")
    out.additionalProperties = toOpenAPISchema(schema.additionalProperties, false);
  else if (schema.additionalProperties !== undefined) out.additionalProperties = schema.additionalProperties;
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const list = schema[key];
    if (list) out[key] = list.map((s) => toOpenAPISchema(s, false));
  }
  if (schema.not) out.not = toOpenAPISchema(schema.not, false);
  return out;
}

export interface OpenAPIDocument {
  json: string;
  hash: string;
}

export interface OpenAPIOptions {
  /** Patch content types the server implements. */
  patchTypes: readonly string[];
  /** Verbs a resource supports (custom storage may narrow them). */
  verbsOf(resource: ApiResource): string[];
}

function operationsFor(
  resource: ApiResource,
  version: ResourceVersion,
  options: OpenAPIOptions,
  paths: Obj,
  schemas: Obj,
): void {
  const { group } = resource;
  const v = version.name;
  const kindName = schemaName(group, v, resource.kind);
  const listName = schemaName(group, v, resource.listKind);
  const gvk = { group, version: v, kind: resource.kind };
  const verbs = new Set(options.verbsOf(resource));
  const kindRef = ref(kindName);
  const listRef = ref(listName);
  const tag = `${group.split(".")[0]}_${v}`;
  const opId = (verb: string, scope: string, suffix = "") => `${verb}${scope}${resource.kind}${suffix}`;
  const scope = resource.namespaced ? "Namespaced" : "";
  const base = `/apis/${group}/${v}`;
  const collection = resource.namespaced
    ? `${base}/namespaces/{namespace}/${resource.plural}`
    : `${base}/${resource.plural}`;
  const item = `${collection}/{name}`;
  const nsParams = resource.namespaced
    ? [pathParam("namespace", "object name and auth scope, such as for teams and projects")]
    : [];
  const nameParam = pathParam("name", `name of the ${resource.kind}`);
  const unauthorized = { "401": { description: "Unauthorized" } };
  const op = (action: string, id: string, description: string, extra: Obj, kind = gvk): Obj => ({
    tags: [tag],
    description,
    operationId: id,
    ...extra,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": kind,
  });
  const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];

  const collectionOps: Obj = { parameters: [...nsParams, params.pretty] };
  if (verbs.has("list")) {
    collectionOps.get = op("list", opId("list", scope), `list or watch objects of kind ${resource.kind}`, {
      parameters: listParams,
      responses: { "200": response("OK", listRef), ...unauthorized },
    });
  }
  if (verbs.has("create")) {
    collectionOps.post = op("post", opId("create", scope), `create a ${resource.kind}`, {
      parameters: writeParams,
      requestBody: { content: content(kindRef), required: true },
      responses: {
        "200": response("OK", kindRef),
        "201": response("Created", kindRef),
        "202": response("Accepted", kindRef),
        ...unauthorized,
      },
    });
  }
  if (verbs.has("deletecollection")) {
    collectionOps.delete = op(
      "deletecollection",
      opId("deleteCollection", scope),
      `delete collection of ${resource.kind}`,
      {
        parameters: [
          ...listParams.filter((p) => p !== params.watch && p !== params.allowWatchBookmarks),
          params.dryRun,
          params.gracePeriodSeconds,
          params.orphanDependents,
          params.propagationPolicy,
        ],
        requestBody: { content: content(ref(`${META}.DeleteOptions`)) },
        responses: { "200": response("OK", ref(`${META}.Status`)), ...unauthorized },
      },
    );
  }
  paths[collection] = collectionOps;

  const itemOps: Obj = { parameters: [nameParam, ...nsParams, params.pretty] };
  if (verbs.has("get")) {
    itemOps.get = op("get", opId("read", scope), `read the specified ${resource.kind}`, {
      responses: { "200": response("OK", kindRef), ...unauthorized },
    });
  }
  if (verbs.has("update")) {
    itemOps.put = op("put", opId("replace", scope), `replace the specified ${resource.kind}`, {
      parameters: writeParams,
      requestBody: { content: content(kindRef), required: true },
      responses: { "200": response("OK", kindRef), "201": response("Created", kindRef), ...unauthorized },
    });
  }
  if (verbs.has("patch")) {
    itemOps.patch = op("patch", opId("patch", scope), `partially update the specified ${resource.kind}`, {
      parameters: [...writeParams, params.force],
      requestBody: { content: content(ref(`${META}.Patch`), [...options.patchTypes]), required: true },
      responses: { "200": response("OK", kindRef), "201": response("Created", kindRef), ...unauthorized },
    });
  }
  if (verbs.has("delete")) {
    itemOps.delete = op("delete", opId("delete", scope), `delete a ${resource.kind}`, {
      parameters: [params.dryRun, params.gracePeriodSeconds, params.orphanDependents, params.propagationPolicy],
      requestBody: { content: content(ref(`${META}.DeleteOptions`)) },
      responses: {
        "200": response("OK", ref(`${META}.Status`)),
        "202": response("Accepted", ref(`${META}.Status`)),
        ...unauthorized,
      },
    });
  }
  paths[item] = itemOps;

  const sub = version.definition.subresources;
  if (sub?.status) {
    paths[`${item}/status`] = subresourceOps("status", kindRef, gvk);
  }
  if (sub?.scale) {
    const scaleRef = ref("io.k8s.api.autoscaling.v1.Scale");
    paths[`${item}/scale`] = subresourceOps("scale", scaleRef, { group: "autoscaling", version: "v1", kind: "Scale" });
  }
  if (resource.namespaced && verbs.has("list")) {
    paths[`${base}/${resource.plural}`] = {
      parameters: [params.pretty],
      get: op("list", opId("list", "", "ForAllNamespaces"), `list or watch objects of kind ${resource.kind}`, {
        parameters: listParams,
        responses: { "200": response("OK", listRef), ...unauthorized },
      }),
    };
  }

  function subresourceOps(name: string, schemaRef: Obj, kind: Obj): Obj {
    const cap = name[0]?.toUpperCase() + name.slice(1);
    return {
      parameters: [nameParam, ...nsParams, params.pretty],
      get: op(
        "get",
        opId("read", scope, cap),
        `read ${name} of the specified ${resource.kind}`,
        { responses: { "200": response("OK", schemaRef), ...unauthorized } },
        kind as typeof gvk,
      ),
      put: op(
        "put",
        opId("replace", scope, cap),
        `replace ${name} of the specified ${resource.kind}`,
        {
          parameters: writeParams,
          requestBody: { content: content(schemaRef), required: true },
          responses: { "200": response("OK", schemaRef), "201": response("Created", schemaRef), ...unauthorized },
        },
        kind as typeof gvk,
      ),
      patch: op(
        "patch",
        opId("patch", scope, cap),
        `partially update ${name} of the specified ${resource.kind}`,
        {
          parameters: [...writeParams, params.force],
          requestBody: { content: content(ref(`${META}.Patch`), [...options.patchTypes]), required: true },
          responses: { "200": response("OK", schemaRef), "201": response("Created", schemaRef), ...unauthorized },
        },
        kind as typeof gvk,
      ),
    };
  }

  const kindSchema = toOpenAPISchema(version.schema, true);
  kindSchema["x-kubernetes-group-version-kind"] = [gvk];
  schemas[kindName] = kindSchema;
  schemas[listName] = {
    type: "object",
    description: `${resource.listKind} is a list of ${resource.kind}`,
    required: ["items"],
    properties: {
      apiVersion: {
        type: "string",
        description: "APIVersion defines the versioned schema of this representation of an object.",
      },
      items: { type: "array", description: `List of ${resource.plural}.`, items: kindRef },
      kind: {
        type: "string",
        description: "Kind is a string value representing the REST resource this object represents.",
      },
      metadata: { allOf: [ref(`${META}.ListMeta`)], default: {}, description: "Standard list metadata." },
    },
    "x-kubernetes-group-version-kind": [{ group, kind: resource.listKind, version: v }],
  };
}

/** The OpenAPI v3 document of one group-version. */
export function buildGroupVersionDocument(gv: GroupVersionInfo, options: OpenAPIOptions): OpenAPIDocument {
  const paths: Obj = {};
  const schemas: Obj = { ...metaSchemas };
  for (const { resource, version } of gv.resources) operationsFor(resource, version, options, paths, schemas);
  const doc = {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths,
    components: { schemas },
  };
  const json = JSON.stringify(doc);
  return { json, hash: createHash("sha512").update(json).digest("hex").toUpperCase().slice(0, 128) };
}
