import type { ObjectMeta } from "@apiserver-kit/runtime";
import type { FlunderStatus, ObjectName, ReferenceType } from "../v1alpha1/flunder.js";

/**
 * A Flunder is the sample API's namespaced kind: it may refer to another Flunder of its
 * namespace or to a Fischer, and its controller reports whether that object exists. v1beta1
 * splits v1alpha1's `reference` into one field per type; it is the storage version.
 *
 * @kind
 * @scope Namespaced
 * @subresource status
 * @printColumn name=Flunder-Ref type=string jsonPath=.spec.flunderReference
 * @printColumn name=Fischer-Ref type=string jsonPath=.spec.fischerReference
 * @printColumn name=Resolved type=string jsonPath=`.status.conditions[?(@.type=="ReferenceResolved")].status`
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
 * @storageVersion
 */
export interface Flunder {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: FlunderSpec;
  status?: FlunderStatus;
}

/**
 * FlunderSpec is the desired state of a Flunder.
 * @validation rule="!(has(self.flunderReference) && has(self.fischerReference))" message="flunderReference and fischerReference are mutually exclusive"
 */
export interface FlunderSpec {
  /** A name of another flunder, mutually exclusive to the FischerReference. */
  flunderReference?: ObjectName;
  /** A name of a fischer, mutually exclusive to the FlunderReference. */
  fischerReference?: ObjectName;
  /** The reference type; defaults to the type of the reference that is set. */
  referenceType?: ReferenceType;
}
