import type { Condition, ObjectMeta } from "@apiserver-kit/runtime";

/**
 * Flunder is an example type with a spec and a status.
 *
 * @kind
 * @shortName fl
 * @category all
 * @subresource status
 * @printColumn name=Reference type=string jsonPath=.spec.reference
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
 */
export interface Flunder {
  apiVersion: "wardle.example.com/v1alpha1";
  kind: "Flunder";
  metadata: ObjectMeta;
  spec?: FlunderSpec;
  status?: FlunderStatus;
}

/** What a Flunder refers to. */
export type ReferenceType = "Flunder" | "Fischer";

export interface FlunderSpec {
  /** A name of another flunder or fischer, depending on the reference type. */
  reference?: string;
  /**
   * The type of the reference.
   * @default "Flunder"
   */
  referenceType?: ReferenceType;
}

export interface FlunderStatus {
  /**
   * The latest available observations of the flunder's state.
   * @listType map
   * @listMapKey type
   */
  conditions?: Condition[];
}
