import type { ObjectMeta } from "@apiserver-kit/runtime";
import type { ObjectName } from "./flunder.js";

/**
 * A Fischer is the sample API's cluster-scoped kind: a list of Flunder names that nobody may
 * create (the BanFlunder admission plugin enforces it in every namespace).
 *
 * @kind
 * @scope Cluster
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
 */
export interface Fischer {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  /**
   * DisallowedFlunders holds a list of Flunder.Names that are disallowed. The list is atomic:
   * an apply replaces it whole, so one manager owns it.
   * @listType atomic
   */
  disallowedFlunders?: ObjectName[];
}
