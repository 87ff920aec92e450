/**
 * Hand-written resource definitions used by the runtime's own tests and the demo: a
 * namespaced kind (Flunder) and a cluster-scoped kind (Fischer), in the spirit of
 * k8s.io/sample-apiserver's wardle group.
 */
import type { ResourceDefinition } from "../model/resource.js";

export const WARDLE_GROUP = "wardle.example.com";

export const flunderDefinition: ResourceDefinition = {
  group: WARDLE_GROUP,
  names: { kind: "Flunder", plural: "flunders", singular: "flunder", shortNames: ["fl"], categories: ["wardle"] },
  scope: "Namespaced",
  versions: [
    {
      name: "v1alpha1",
      served: true,
      storage: true,
      schema: {
        type: "object",
        description:
          "A Flunder is an example namespaced resource: something that refers to another flunder or a fischer.",
        properties: {
          spec: {
            type: "object",
            description: "FlunderSpec is the desired state of a Flunder.",
            properties: {
              reference: {
                type: "string",
                description: "The name of the flunder or fischer this flunder refers to.",
                maxLength: 63,
              },
              referenceType: {
                type: "string",
                description: "What the reference names: Flunder or Fischer.",
                enum: ["Flunder", "Fischer"],
              },
              replicas: {
                type: "integer",
                format: "int32",
                description: "How many copies of this flunder should exist.",
                minimum: 0,
                default: 1,
              },
              color: {
                type: "string",
                description: "The colour of the flunder, selectable with --field-selector spec.color=red.",
              },
              items: {
                type: "array",
                description: "Named items carried by this flunder, merged by name.",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                items: {
                  type: "object",
                  description: "An item with a name and a size.",
                  required: ["name"],
                  properties: {
                    name: { type: "string", description: "The item's name.", minLength: 1 },
                    size: { type: "integer", description: "The item's size.", minimum: 0 },
                  },
                },
              },
            },
          },
          status: {
            type: "object",
            description: "FlunderStatus is the observed state of a Flunder.",
            properties: {
              replicas: { type: "integer", format: "int32", description: "How many copies exist." },
              phase: { type: "string", description: "A one-word summary of where the flunder is in its life." },
            },
          },
        },
      },
      subresources: {
        status: {},
        scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
      },
      additionalPrinterColumns: [
        { name: "Reference", type: "string", jsonPath: ".spec.reference", description: "What this flunder refers to." },
        { name: "Replicas", type: "integer", jsonPath: ".spec.replicas", description: "Desired copies." },
        {
          name: "Phase",
          type: "string",
          jsonPath: ".status.phase",
          priority: 1,
          description: "Where the flunder is in its life.",
        },
      ],
      selectableFields: [{ jsonPath: ".spec.color" }],
    },
  ],
};

export const fischerDefinition: ResourceDefinition = {
  group: WARDLE_GROUP,
  names: { kind: "Fischer", plural: "fischers", singular: "fischer", shortNames: ["fi"], categories: ["wardle"] },
  scope: "Cluster",
  versions: [
    {
      name: "v1alpha1",
      served: true,
      storage: true,
      schema: {
        type: "object",
        description: "A Fischer is an example cluster-scoped resource: it lists names that flunders may not have.",
        properties: {
          disallowedFlunders: {
            type: "array",
            description: "Names of flunders that may not be created.",
            items: { type: "string" },
            "x-kubernetes-list-type": "atomic",
          },
        },
      },
      additionalPrinterColumns: [
        { name: "Disallowed", type: "string", jsonPath: ".disallowedFlunders", description: "Banned flunder names." },
      ],
    },
  ],
};

export const wardleDefinitions: ResourceDefinition[] = [flunderDefinition, fischerDefinition];
