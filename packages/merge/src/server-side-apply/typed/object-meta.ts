import type { ServerSideApplySchema } from "./schema.js";

const string: ServerSideApplySchema = { type: "string" };
const integer: ServerSideApplySchema = { type: "integer" };
const stringMap: ServerSideApplySchema = { type: "object", additionalProperties: string };

/** metav1.ObjectMeta's topology, as its Go markers give it (what Kubernetes merges metadata with). */
export const objectMetaSchema: ServerSideApplySchema = {
  type: "object",
  properties: {
    name: string,
    generateName: string,
    namespace: string,
    selfLink: string,
    uid: string,
    resourceVersion: string,
    generation: integer,
    creationTimestamp: string,
    deletionTimestamp: string,
    deletionGracePeriodSeconds: integer,
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["uid"],
      items: {
        type: "object",
        properties: {
          apiVersion: string,
          kind: string,
          name: string,
          uid: string,
          controller: { type: "boolean" },
          blockOwnerDeletion: { type: "boolean" },
        },
      },
    },
    finalizers: { type: "array", "x-kubernetes-list-type": "set", items: string },
    managedFields: { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
  },
};
