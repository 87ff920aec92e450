/**
 * Test kinds served by the runtime's test server: wardle's Flunder with conditions in
 * its status (kubectl wait reads them), a namespaced FlunderPart for owner references,
 * and coordination.k8s.io/v1 Lease for leader election (no kube-apiserver runs here).
 * Test support only: not part of the package's public face.
 */
import type { JSONSchemaProps, ResourceDefinition } from "@apiserver-kit/runtime";
import { fischerDefinition, flunderDefinition, WARDLE_GROUP } from "@apiserver-kit/runtime/testing";
import type { ResourceType } from "../client/resource-client.js";
import type { Condition, KubeObject } from "../objects/meta.js";

const conditionsSchema: JSONSchemaProps = {
  type: "array",
  description: "metav1.Condition list.",
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
  items: {
    type: "object",
    required: ["type", "status", "lastTransitionTime", "reason", "message"],
    properties: {
      type: { type: "string" },
      status: { type: "string", enum: ["True", "False", "Unknown"] },
      observedGeneration: { type: "integer", format: "int64", minimum: 0 },
      lastTransitionTime: { type: "string", format: "date-time" },
      reason: { type: "string" },
      message: { type: "string" },
    },
  },
};

function withConditions(definition: ResourceDefinition): ResourceDefinition {
  const copy = structuredClone(definition);
  for (const version of copy.versions) {
    const status = version.schema.properties?.status;
    if (!status) continue;
    status.properties = {
      ...status.properties,
      observedGeneration: { type: "integer", format: "int64" },
      conditions: conditionsSchema,
    };
  }
  return copy;
}

export const conditionedFlunderDefinition = withConditions(flunderDefinition);

export const flunderPartDefinition: ResourceDefinition = {
  group: WARDLE_GROUP,
  names: { kind: "FlunderPart", plural: "flunderparts", singular: "flunderpart" },
  scope: "Namespaced",
  versions: [
    {
      name: "v1alpha1",
      served: true,
      storage: true,
      schema: {
        type: "object",
        properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
      },
    },
  ],
};

const microTime: JSONSchemaProps = { type: "string", format: "date-time" };

export const leaseDefinition: ResourceDefinition = {
  group: "coordination.k8s.io",
  names: { kind: "Lease", plural: "leases", singular: "lease" },
  scope: "Namespaced",
  versions: [
    {
      name: "v1",
      served: true,
      storage: true,
      schema: {
        type: "object",
        properties: {
          spec: {
            type: "object",
            properties: {
              holderIdentity: { type: "string" },
              leaseDurationSeconds: { type: "integer", format: "int32" },
              acquireTime: microTime,
              renewTime: microTime,
              leaseTransitions: { type: "integer", format: "int32" },
            },
          },
        },
      },
    },
  ],
  // Leases are written by whoever holds them last; client-go updates them with resourceVersion anyway.
  strategy: { allowUnconditionalUpdate: false },
};

export const testResources: ResourceDefinition[] = [
  conditionedFlunderDefinition,
  fischerDefinition,
  flunderPartDefinition,
  leaseDefinition,
];

export const flunderType: ResourceType = {
  group: WARDLE_GROUP,
  version: "v1alpha1",
  kind: "Flunder",
  plural: "flunders",
  namespaced: true,
};

export const flunderPartType: ResourceType = {
  group: WARDLE_GROUP,
  version: "v1alpha1",
  kind: "FlunderPart",
  plural: "flunderparts",
  namespaced: true,
};

export interface Flunder extends KubeObject {
  spec?: { reference?: string; replicas?: number; color?: string };
  status?: { replicas?: number; phase?: string; observedGeneration?: number; conditions?: Condition[] };
}

export function flunder(name: string, spec: Flunder["spec"] = {}, namespace = "default"): Flunder {
  return { apiVersion: `${WARDLE_GROUP}/v1alpha1`, kind: "Flunder", metadata: { name, namespace }, spec };
}
