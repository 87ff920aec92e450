/**
 * OpenAPI schemas of the Kubernetes meta types every group-version document refers to
 * (ObjectMeta, ListMeta, Status, DeleteOptions, Patch, autoscaling/v1 Scale), with
 * descriptions for `kubectl explain`.
 */
import type { JSONSchemaProps } from "../model/schema.js";

export const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
export const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

type Schema = JSONSchemaProps & { $ref?: string; allOf?: Array<JSONSchemaProps | { $ref: string }> };

const str = (description: string): Schema => ({ type: "string", description });
const time = (description: string): Schema => ({ type: "string", format: "date-time", description });
const stringMap = (description: string): Schema => ({
  type: "object",
  additionalProperties: { type: "string", default: "" },
  description,
});

export const metaSchemas: Record<string, Record<string, unknown>> = {
  [`${META}.ObjectMeta`]: {
    type: "object",
    description:
      "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    properties: {
      name: str(
        "Name must be unique within a namespace. Required when creating resources unless generateName is set. Cannot be updated.",
      ),
      generateName: str(
        "GenerateName is an optional prefix used by the server to generate a unique name when name is not provided: the server appends five random characters.",
      ),
      namespace: str(
        "Namespace defines the space within which each name must be unique. Empty for cluster-scoped resources.",
      ),
      uid: str(
        "UID is the unique identifier of this object in time and space, set by the server on create. Read-only.",
      ),
      resourceVersion: str(
        "An opaque value that represents the internal version of this object, used for optimistic concurrency, change detection and watches. Read-only.",
      ),
      generation: {
        type: "integer",
        format: "int64",
        description:
          "A sequence number representing a specific generation of the desired state. Set by the server. Read-only.",
      },
      creationTimestamp: {
        ...time("The time the server created this object, in RFC 3339 form, UTC. Read-only."),
        ...{},
      },
      deletionTimestamp: time(
        "The time after which this object will be deleted, set by the server when deletion is requested while finalizers remain. Read-only.",
      ),
      deletionGracePeriodSeconds: {
        type: "integer",
        format: "int64",
        description: "Seconds allowed for graceful termination before the object is removed. Read-only.",
      },
      labels: stringMap("Map of string keys and values used to organize and select objects."),
      annotations: stringMap("Unstructured key-value data stored with the object, not used for selection."),
      ownerReferences: {
        type: "array",
        description:
          "Objects this object depends on; the garbage collector removes this object when all owners are gone.",
        items: { allOf: [ref(`${META}.OwnerReference`)], default: {} },
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["uid"],
        "x-kubernetes-patch-merge-key": "uid",
        "x-kubernetes-patch-strategy": "merge",
      },
      finalizers: {
        type: "array",
        description:
          "Must be empty before the object is deleted from storage. Each entry names a controller responsible for cleanup.",
        items: { type: "string", default: "" },
        "x-kubernetes-list-type": "set",
        "x-kubernetes-patch-strategy": "merge",
      },
      managedFields: {
        type: "array",
        description:
          "Maps workflow ids and versions to the set of fields managed by that workflow; internal bookkeeping of server-side apply.",
        items: { allOf: [ref(`${META}.ManagedFieldsEntry`)], default: {} },
        "x-kubernetes-list-type": "atomic",
      },
      selfLink: str("Deprecated: not set by the server."),
    },
  },
  [`${META}.OwnerReference`]: {
    type: "object",
    description: "OwnerReference identifies an owning object in the same namespace.",
    required: ["apiVersion", "kind", "name", "uid"],
    properties: {
      apiVersion: str("API version of the referent."),
      kind: str("Kind of the referent."),
      name: str("Name of the referent."),
      uid: str("UID of the referent."),
      controller: { type: "boolean", description: "If true, this reference points to the managing controller." },
      blockOwnerDeletion: {
        type: "boolean",
        description:
          "If true, the owner cannot be deleted from storage until this reference is removed (foreground deletion).",
      },
    },
    "x-kubernetes-map-type": "atomic",
  },
  [`${META}.ManagedFieldsEntry`]: {
    type: "object",
    description:
      "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
    properties: {
      apiVersion: str("The version of the resource this field set applies to."),
      fieldsType: str('The format of the fields field; the only value is "FieldsV1".'),
      fieldsV1: { allOf: [ref(`${META}.FieldsV1`)], description: "The set of fields managed." },
      manager: str("Identifier of the workflow managing these fields."),
      operation: str('The kind of operation that produced this entry: "Apply" or "Update".'),
      subresource: str("The subresource used to update the object, if any."),
      time: time("Timestamp of the last change to the set of fields."),
    },
  },
  [`${META}.FieldsV1`]: {
    type: "object",
    description: "FieldsV1 stores a set of fields in a trie-like JSON structure.",
  },
  [`${META}.ListMeta`]: {
    type: "object",
    description: "ListMeta describes metadata that synthetic resources must have, including lists.",
    properties: {
      continue: str("Set when more results are available: pass it as the continue parameter to get the next page."),
      remainingItemCount: {
        type: "integer",
        format: "int64",
        description: "The number of items remaining after this page, when the server knows it.",
      },
      resourceVersion: str("The version of the list: watch from it to see changes after this list."),
      selfLink: str("Deprecated: not set by the server."),
    },
  },
  [`${META}.Status`]: {
    type: "object",
    description: "Status is a return value for calls that don't return other objects.",
    properties: {
      apiVersion: str("APIVersion of this representation."),
      kind: str("Kind of this representation."),
      metadata: { allOf: [ref(`${META}.ListMeta`)], default: {}, description: "Standard list metadata." },
      status: str('"Success" or "Failure".'),
      message: str("A human-readable description of the status of this operation."),
      reason: str("A machine-readable description of why this operation is in the Failure status."),
      details: { allOf: [ref(`${META}.StatusDetails`)], description: "Extended data associated with the reason." },
      code: { type: "integer", format: "int32", description: "Suggested HTTP return code for this status." },
    },
    "x-kubernetes-group-version-kind": [{ group: "", kind: "Status", version: "v1" }],
  },
  [`${META}.StatusDetails`]: {
    type: "object",
    description:
      "StatusDetails is a set of additional properties that may be set by the server to provide additional information about a response.",
    properties: {
      name: str("The name attribute of the resource associated with the status."),
      group: str("The group attribute of the resource associated with the status."),
      kind: str("The kind attribute of the resource associated with the status."),
      uid: str("UID of the resource."),
      causes: {
        type: "array",
        items: { allOf: [ref(`${META}.StatusCause`)], default: {} },
        "x-kubernetes-list-type": "atomic",
        description: "Details of the failure.",
      },
      retryAfterSeconds: { type: "integer", format: "int32", description: "Seconds before the client should retry." },
    },
  },
  [`${META}.StatusCause`]: {
    type: "object",
    description: "StatusCause provides more information about an api.Status failure.",
    properties: {
      field: str("The field of the resource that caused this error, e.g. spec.replicas."),
      message: str("A human-readable description of the cause of the error."),
      reason: str("A machine-readable description of the cause of the error."),
    },
  },
  [`${META}.Preconditions`]: {
    type: "object",
    description: "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
    properties: { resourceVersion: str("Specifies the target ResourceVersion"), uid: str("Specifies the target UID.") },
  },
  [`${META}.DeleteOptions`]: {
    type: "object",
    description: "DeleteOptions may be provided when deleting an API object.",
    properties: {
      apiVersion: str("APIVersion of this representation."),
      kind: str("Kind of this representation."),
      dryRun: {
        type: "array",
        items: { type: "string", default: "" },
        "x-kubernetes-list-type": "atomic",
        description: 'When present, modifications are not persisted. The only valid value is "All".',
      },
      gracePeriodSeconds: {
        type: "integer",
        format: "int64",
        description: "Duration in seconds before the object should be deleted; accepted and ignored by this server.",
      },
      orphanDependents: { type: "boolean", description: "Deprecated: use propagationPolicy." },
      preconditions: {
        allOf: [ref(`${META}.Preconditions`)],
        description: "Must be fulfilled before a deletion is carried out.",
      },
      propagationPolicy: str(
        'Whether and how garbage collection is performed: "Orphan", "Background" or "Foreground".',
      ),
    },
    "x-kubernetes-group-version-kind": [{ group: "", kind: "DeleteOptions", version: "v1" }],
  },
  [`${META}.Patch`]: {
    type: "object",
    description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
  },
  [`${META}.Time`]: {
    type: "string",
    format: "date-time",
    description: "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.",
  },
  "io.k8s.api.autoscaling.v1.Scale": {
    type: "object",
    description: "Scale represents a scaling request for a resource.",
    properties: {
      apiVersion: str("APIVersion of this representation."),
      kind: str("Kind of this representation."),
      metadata: { allOf: [ref(`${META}.ObjectMeta`)], default: {}, description: "Standard object metadata." },
      spec: {
        allOf: [ref("io.k8s.api.autoscaling.v1.ScaleSpec")],
        default: {},
        description: "The desired state of the scale.",
      },
      status: {
        allOf: [ref("io.k8s.api.autoscaling.v1.ScaleStatus")],
        default: {},
        description: "The current status of the scale. Read-only.",
      },
    },
    "x-kubernetes-group-version-kind": [{ group: "autoscaling", kind: "Scale", version: "v1" }],
  },
  "io.k8s.api.autoscaling.v1.ScaleSpec": {
    type: "object",
    description: "ScaleSpec describes the attributes of a scale subresource.",
    properties: {
      replicas: {
        type: "integer",
        format: "int32",
        description: "The desired number of instances for the scaled object.",
      },
    },
  },
  "io.k8s.api.autoscaling.v1.ScaleStatus": {
    type: "object",
    description: "ScaleStatus represents the current status of a scale subresource.",
    required: ["replicas"],
    properties: {
      replicas: {
        type: "integer",
        format: "int32",
        default: 0,
        description: "The actual number of observed instances of the scaled object.",
      },
      selector: str(
        "The label query over pods that should match the replicas count, in the string form of a label selector.",
      ),
    },
  },
};
