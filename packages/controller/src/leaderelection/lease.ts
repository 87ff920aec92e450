import type { ResourceType } from "../client/resource-client.js";
import type { KubeObject } from "../objects/meta.js";

/** coordination.k8s.io/v1 LeaseSpec. Times are MicroTime: RFC 3339 with microseconds. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export const leaseType: ResourceType = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  namespaced: true,
};

/** metav1.MicroTime's wire format: `2006-01-02T15:04:05.000000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
