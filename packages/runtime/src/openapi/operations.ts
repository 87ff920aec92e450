/**
 * The REST operations of a group-version as plain data, derived once from the API model:
 * the one description that the OpenAPI v3 and v2 (Swagger) renderers both draw from, so
 * that both publish the same paths, parameters, GVKs and schemas.
 */

import type { KubeObject } from "../api/meta.js";
import type { ApiResource, GroupVersionInfo, ResourceVersion } from "../model/api-model.js";
import type { ActionSubresource, ReadSubresource } from "../model/resource.js";
import type { JSONSchemaProps } from "../model/schema.js";
import { META, metaSchemas, ref } from "./meta-schemas.js";

export type Obj = Record<string, unknown>;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface ParameterSpec {
  name: string;
  in: "query" | "path";
  description: string;
  type: "string" | "integer" | "boolean";
  required?: boolean;
}

export interface OperationSpec {
  method: "get" | "put" | "post" | "patch" | "delete";
  /** x-kubernetes-action: get, list, post, put, patch, delete, deletecollection. */
  action: string;
  operationId: string;
  description: string;
  tag: string;
  gvk: GroupVersionKind;
  parameters: ParameterSpec[];
  /** Name of the schema of the request body, and the media types it may come in. */
  body?: { schema: string; required: boolean; mediaTypes: readonly string[] };
  /** Status code → description and (optionally) the schema of the response. */
  responses: Array<{ code: string; description: string; schema?: string }>;
  /** Media types of the response. */
  produces: readonly string[];
}

export interface PathSpec {
  path: string;
  /** Parameters shared by every operation of the path. */
  parameters: ParameterSpec[];
  operations: OperationSpec[];
}

/** One group-version's paths and the schemas they refer to (refs in OpenAPI v3 form). */
export interface GroupVersionSpec {
  group: string;
  version: string;
  paths: PathSpec[];
  schemas: Record<string, Obj>;
}

export interface OperationOptions {
  /** Patch content types the server implements: PATCH operations list exactly these. */
  patchTypes: readonly string[];
  /** Verbs a resource supports (custom storage may narrow them). */
  verbsOf(resource: ApiResource): readonly string[];
}

/** `wardle.example.com` + `v1alpha1` + `Flunder` → `com.example.wardle.v1alpha1.Flunder`. */
export function schemaName(group: string, version: string, kind: string): string {
  return `${group.split(".").reverse().join(".")}.${version}.${kind}`;
}

const SERVED_TYPES = ["application/json", "application/yaml"] as const;
const query = (name: string, description: string, type: ParameterSpec["type"] = "string"): ParameterSpec => ({
  name,
  in: "query",
  description,
  type,
});

const params = {
  pretty: query("pretty", "If 'true', then the output is pretty printed."),
  dryRun: query(
    "dryRun",
    "When present, indicates that modifications should not be persisted. The only valid value is All.",
  ),
  fieldManager: query("fieldManager", "A name associated with the actor or entity that is making these changes."),
  // Inline on every write: kubectl looks for it on the PATCH operation to choose server-side validation.
  fieldValidation: query(
    "fieldValidation",
    "How the server handles fields it does not know or that are duplicated: Ignore, Warn (the default) or Strict.",
  ),
  force: query(
    "force",
    'Force is going to "force" Apply requests: re-acquire conflicting fields owned by other people.',
    "boolean",
  ),
  allowWatchBookmarks: query("allowWatchBookmarks", "Requests watch events with type BOOKMARK.", "boolean"),
  continue: query("continue", "The continue option from a previous list response, to get the next page."),
  fieldSelector: query("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
  labelSelector: query("labelSelector", "A selector to restrict the list of returned objects by their labels."),
  limit: query("limit", "The maximum number of responses to return for a list call.", "integer"),
  resourceVersion: query("resourceVersion", "Constrains which resource versions the request may be served from."),
  resourceVersionMatch: query(
    "resourceVersionMatch",
    "How resourceVersion is applied to list calls: Exact or NotOlderThan.",
  ),
  sendInitialEvents: query(
    "sendInitialEvents",
    "With watch=true, stream the current state as synthetic events first.",
    "boolean",
  ),
  timeoutSeconds: query("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
  watch: query("watch", "Watch for changes to the described resources and return them as a stream.", "boolean"),
  gracePeriodSeconds: query("gracePeriodSeconds", "Seconds before the object should be deleted.", "integer"),
  orphanDependents: query("orphanDependents", "Deprecated: use propagationPolicy.", "boolean"),
  propagationPolicy: query(
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
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];
const deleteParams = [params.dryRun, params.gracePeriodSeconds, params.orphanDependents, params.propagationPolicy];

const pathParam = (name: string, description: string): ParameterSpec => ({
  name,
  in: "path",
  description,
  type: "string",
  required: true,
});

/** A structural schema as an OpenAPI schema object; `metadata` of a kind becomes ObjectMeta. */
function kindSchema(schema: JSONSchemaProps, isResource: boolean): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!SUBSCHEMA_KEYS.has(key)) out[key] = value;
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
        props[name] = kindSchema(prop, false);
      }
    }
    out.properties = props;
  }
  if (schema.items) out.items = kindSchema(schema.items, false);
  if (typeof schema.additionalProperties === "object") {
    out.additionalProperties = kindSchema(schema.additionalProperties, false);
  } else if (schema.additionalProperties !== undefined) out.additionalProperties = schema.additionalProperties;
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const list = schema[key];
    if (list) out[key] = list.map((s) => kindSchema(s, false));
  }
  if (schema.not) out.not = kindSchema(schema.not, false);
  return out;
}
const SUBSCHEMA_KEYS = new Set(["properties", "items", "additionalProperties", "allOf", "anyOf", "oneOf", "not"]);

const API_VERSION_PROPERTY = {
  type: "string",
  description: "APIVersion defines the versioned schema of this representation of an object.",
};
const KIND_PROPERTY = {
  type: "string",
  description: "Kind is a string value representing the REST resource this object represents.",
};

function listSchema(resource: ApiResource, version: string, kindName: string): Obj {
  return {
    type: "object",
    description: `${resource.listKind} is a list of ${resource.kind}`,
    required: ["items"],
    properties: {
      apiVersion: API_VERSION_PROPERTY,
      items: { type: "array", description: `List of ${resource.plural}.`, items: ref(kindName) },
      kind: KIND_PROPERTY,
      metadata: { allOf: [ref(`${META}.ListMeta`)], default: {}, description: "Standard list metadata." },
    },
    "x-kubernetes-group-version-kind": [{ group: resource.group, kind: resource.listKind, version }],
  };
}

function resourcePaths(resource: ApiResource, version: ResourceVersion, options: OperationOptions): PathSpec[] {
  const { group } = resource;
  const v = version.name;
  const kindName = schemaName(group, v, resource.kind);
  const listName = schemaName(group, v, resource.listKind);
  const gvk = { group, version: v, kind: resource.kind };
  const verbs = new Set(options.verbsOf(resource));
  const tag = `${group.split(".")[0]}_${v}`;
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
  const ok = (schema: string) => ({ code: "200", description: "OK", schema });
  const created = (schema: string) => ({ code: "201", description: "Created", schema });
  const unauthorized = { code: "401", description: "Unauthorized" };
  const op = (
    method: OperationSpec["method"],
    action: string,
    id: string,
    description: string,
    rest: Pick<OperationSpec, "parameters" | "responses"> & Partial<OperationSpec>,
    kind: GroupVersionKind = gvk,
  ): OperationSpec => ({
    method,
    action,
    operationId: id,
    description,
    tag,
    gvk: kind,
    produces: SERVED_TYPES,
    ...rest,
  });
  const opId = (verb: string, suffix = "", s = scope) => `${verb}${s}${resource.kind}${suffix}`;
  const patchBody = (): OperationSpec["body"] => ({
    schema: `${META}.Patch`,
    required: true,
    mediaTypes: options.patchTypes,
  });

  const paths: PathSpec[] = [];
  const collectionOps: OperationSpec[] = [];
  if (verbs.has("list")) {
    collectionOps.push(
      op("get", "list", opId("list"), `list or watch objects of kind ${resource.kind}`, {
        parameters: listParams,
        responses: [ok(listName), unauthorized],
      }),
    );
  }
  if (verbs.has("create")) {
    collectionOps.push(
      op("post", "post", opId("create"), `create a ${resource.kind}`, {
        parameters: writeParams,
        body: { schema: kindName, required: true, mediaTypes: SERVED_TYPES },
        responses: [
          ok(kindName),
          created(kindName),
          { code: "202", description: "Accepted", schema: kindName },
          unauthorized,
        ],
      }),
    );
  }
  if (verbs.has("deletecollection")) {
    collectionOps.push(
      op("delete", "deletecollection", opId("deleteCollection"), `delete collection of ${resource.kind}`, {
        parameters: [
          ...listParams.filter((p) => p !== params.watch && p !== params.allowWatchBookmarks),
          ...deleteParams,
        ],
        body: { schema: `${META}.DeleteOptions`, required: false, mediaTypes: SERVED_TYPES },
        responses: [ok(`${META}.Status`), unauthorized],
      }),
    );
  }
  paths.push({ path: collection, parameters: [...nsParams, params.pretty], operations: collectionOps });

  const itemOps: OperationSpec[] = [];
  if (verbs.has("get")) {
    itemOps.push(
      op("get", "get", opId("read"), `read the specified ${resource.kind}`, {
        parameters: [],
        responses: [ok(kindName), unauthorized],
      }),
    );
  }
  if (verbs.has("update")) {
    itemOps.push(
      op("put", "put", opId("replace"), `replace the specified ${resource.kind}`, {
        parameters: writeParams,
        body: { schema: kindName, required: true, mediaTypes: SERVED_TYPES },
        responses: [ok(kindName), created(kindName), unauthorized],
      }),
    );
  }
  if (verbs.has("patch")) {
    itemOps.push(
      op("patch", "patch", opId("patch"), `partially update the specified ${resource.kind}`, {
        parameters: [...writeParams, params.force],
        body: patchBody(),
        responses: [ok(kindName), created(kindName), unauthorized],
      }),
    );
  }
  if (verbs.has("delete")) {
    itemOps.push(
      op("delete", "delete", opId("delete"), `delete a ${resource.kind}`, {
        parameters: deleteParams,
        body: { schema: `${META}.DeleteOptions`, required: false, mediaTypes: SERVED_TYPES },
        responses: [
          ok(`${META}.Status`),
          { code: "202", description: "Accepted", schema: `${META}.Status` },
          unauthorized,
        ],
      }),
    );
  }
  paths.push({ path: item, parameters: [nameParam, ...nsParams, params.pretty], operations: itemOps });

  const subresource = (name: string, schema: string, kind: GroupVersionKind): PathSpec => {
    const cap = (name[0] ?? "").toUpperCase() + name.slice(1);
    return {
      path: `${item}/${name}`,
      parameters: [nameParam, ...nsParams, params.pretty],
      operations: [
        op(
          "get",
          "get",
          opId("read", cap),
          `read ${name} of the specified ${resource.kind}`,
          {
            parameters: [],
            responses: [ok(schema), unauthorized],
          },
          kind,
        ),
        op(
          "put",
          "put",
          opId("replace", cap),
          `replace ${name} of the specified ${resource.kind}`,
          {
            parameters: writeParams,
            body: { schema, required: true, mediaTypes: SERVED_TYPES },
            responses: [ok(schema), created(schema), unauthorized],
          },
          kind,
        ),
        // Every PATCH carrying a GVK declares fieldValidation: kubectl stops at the first one it finds.
        op(
          "patch",
          "patch",
          opId("patch", cap),
          `partially update ${name} of the specified ${resource.kind}`,
          {
            parameters: [...writeParams, params.force],
            body: patchBody(),
            responses: [ok(schema), created(schema), unauthorized],
          },
          kind,
        ),
      ],
    };
  };
  const sub = version.definition.subresources;
  if (sub?.status) paths.push(subresource("status", kindName, gvk));
  if (sub?.scale) {
    paths.push(
      subresource("scale", "io.k8s.api.autoscaling.v1.Scale", { group: "autoscaling", version: "v1", kind: "Scale" }),
    );
  }
  for (const custom of resource.definition.customSubresources ?? []) {
    const cap = (custom.name[0] ?? "").toUpperCase() + custom.name.slice(1);
    const description = custom.description ?? `${custom.name} of the specified ${resource.kind}`;
    const customParams = (custom.type === "action" ? [] : (custom.parameters ?? [])).map((p) =>
      query(p.name, p.description ?? p.name, p.type),
    );
    const response = custom.type === "stream" ? undefined : subresourceResponseSchema(custom);
    const responseSchema =
      response?.name ?? (custom.type !== "stream" && custom.responseKind ? `${META}.Patch` : kindName);
    const request = custom.type === "action" ? actionRequestSchema(resource, version, custom) : undefined;
    const operation =
      custom.type === "action"
        ? op("post", "post", opId("create", cap), description, {
            // What the action honours: no dryRun (refused with a 400) and no fieldManager (its
            // handler's update records none); fieldValidation when a requestSchema checks the body.
            parameters: request ? [params.fieldValidation] : [],
            body: {
              schema: request?.name ?? `${META}.Patch`,
              required: request !== undefined,
              mediaTypes: SERVED_TYPES,
            },
            responses: [ok(responseSchema), created(responseSchema), unauthorized],
          })
        : custom.type === "read"
          ? op("get", "get", opId("read", cap), description, {
              parameters: customParams,
              responses: [ok(responseSchema), unauthorized],
            })
          : op("get", "get", opId("read", cap), description, {
              parameters: customParams,
              responses: [{ code: "200", description: "OK: a stream of text" }, unauthorized],
              produces: [custom.contentType ?? "text/plain"],
            });
    paths.push({
      path: `${item}/${custom.name}`,
      parameters: [nameParam, ...nsParams, params.pretty],
      operations: [operation],
    });
  }
  if (resource.namespaced && verbs.has("list")) {
    paths.push({
      path: `${base}/${resource.plural}`,
      parameters: [params.pretty],
      operations: [
        op("get", "list", opId("list", "ForAllNamespaces", ""), `list or watch objects of kind ${resource.kind}`, {
          parameters: listParams,
          responses: [ok(listName), unauthorized],
        }),
      ],
    });
  }
  return paths;
}

/**
 * The published schema of an action subresource's request body, when the action declares one
 * (`requestSchema`): named after its `requestKind`, else `<Kind><Action>Request` in the
 * parent's group-version.
 */
function actionRequestSchema(
  resource: ApiResource,
  version: ResourceVersion,
  action: ActionSubresource,
): { name: string; schema: Obj } | undefined {
  const request = resource.actionRequests.get(action.name);
  if (action.requestSchema === undefined || request === undefined) return undefined;
  const kind = action.requestKind;
  const name = kind
    ? schemaName(kind.group, kind.version, kind.kind)
    : schemaName(resource.group, version.name, request.groupKind.kind);
  const schema = kindSchema(action.requestSchema, false);
  if (kind) schema["x-kubernetes-group-version-kind"] = [{ group: kind.group, kind: kind.kind, version: kind.version }];
  return { name, schema };
}

/** A custom subresource's declared answer: its kind's definition, when it has a `responseSchema`. */
function subresourceResponseSchema(
  custom: ActionSubresource | ReadSubresource<KubeObject, unknown>,
): { name: string; schema: Obj } | undefined {
  const kind = custom.responseKind;
  if (custom.responseSchema === undefined || kind === undefined) return undefined;
  const schema = kindSchema(custom.responseSchema, false);
  // The server writes both into answers that leave them out.
  schema.properties = { apiVersion: API_VERSION_PROPERTY, kind: KIND_PROPERTY, ...(schema.properties as Obj) };
  schema["x-kubernetes-group-version-kind"] = [{ group: kind.group, kind: kind.kind, version: kind.version }];
  return { name: schemaName(kind.group, kind.version, kind.kind), schema };
}

/** The operations and schemas of one group-version. */
export function describeGroupVersion(gv: GroupVersionInfo, options: OperationOptions): GroupVersionSpec {
  const paths: PathSpec[] = [];
  const schemas: Record<string, Obj> = { ...metaSchemas };
  for (const { resource, version } of gv.resources) {
    paths.push(...resourcePaths(resource, version, options));
    for (const custom of resource.definition.customSubresources ?? []) {
      const request = custom.type === "action" ? actionRequestSchema(resource, version, custom) : undefined;
      if (request) schemas[request.name] ??= request.schema;
      const response = custom.type === "stream" ? undefined : subresourceResponseSchema(custom);
      if (response) schemas[response.name] ??= response.schema;
    }
    const kindName = schemaName(resource.group, version.name, resource.kind);
    const schema = kindSchema(version.schema, true);
    schema["x-kubernetes-group-version-kind"] = [{ group: resource.group, kind: resource.kind, version: version.name }];
    schemas[kindName] = schema;
    schemas[schemaName(resource.group, version.name, resource.listKind)] = listSchema(resource, version.name, kindName);
  }
  return { group: gv.group, version: gv.version, paths, schemas };
}
