import type { Condition, int64, ObjectMeta } from "@apiserver-kit/runtime";

/** What a Flunder's reference names: another Flunder (in its namespace) or a Fischer. */
export type ReferenceType = "Flunder" | "Fischer";

/**
 * The name of a Flunder or a Fischer.
 * @maxLength 253
 */
export type ObjectName = string;

/**
 * A Flunder is the sample API's namespaced kind: it may refer to another Flunder of its
 * namespace or to a Fischer, and its controller reports whether that object exists.
 *
 * @kind
 * @scope Namespaced
 * @subresource status
 * @printColumn name=Reference type=string jsonPath=.spec.reference
 * @printColumn name=Type type=string jsonPath=.spec.referenceType
 * @printColumn name=Resolved type=string jsonPath=`.status.conditions[?(@.type=="ReferenceResolved")].status`
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
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
 * @validation rule="!has(self.referenceType) || has(self.reference)" message="a referenceType needs a reference"
 */
export interface FlunderSpec {
  /** A name of another flunder or fischer, depending on the reference type. */
  reference?: ObjectName;
  /** The reference type, defaults to "Flunder" if reference is set. */
  referenceType?: ReferenceType;
}

/** FlunderStatus is what the Flunder controller found, written through the status subresource. */
export interface FlunderStatus {
  /** The metadata.generation the controller last reconciled. */
  observedGeneration?: int64;
  /** The uid of the object the reference resolved to; absent while it does not exist. */
  referenceUID?: string;
  /**
   * The latest observations of the flunder's state: ReferenceResolved is True once the object
   * named by the reference exists (or when there is nothing to resolve).
   * @listType map
   * @listMapKey type
   */
  conditions?: Condition[];
}
