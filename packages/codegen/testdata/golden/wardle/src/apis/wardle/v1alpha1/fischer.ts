import type { ObjectMeta } from "@apiserver-kit/runtime";

/**
 * Fischer is a cluster-scoped example type without spec or status.
 *
 * @kind
 * @scope Cluster
 */
export interface Fischer {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  /**
   * Names of flunders that may not refer to this fischer.
   * @listType set
   */
  disallowedFlunders?: string[];
}
