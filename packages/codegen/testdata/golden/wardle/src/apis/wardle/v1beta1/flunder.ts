import type { ObjectMeta } from "@apiserver-kit/runtime";
import type { FlunderStatus, ReferenceType } from "../v1alpha1/flunder.js";

/**
 * Flunder is an example type with a spec and a status.
 *
 * @kind
 * @storageVersion
 * @shortName fl
 * @category all
 * @subresource status
 * @printColumn name=Reference type=string jsonPath=.spec.fischerReference
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
 */
export interface Flunder {
  apiVersion: "wardle.example.com/v1beta1";
  kind: "Flunder";
  metadata: ObjectMeta;
  spec?: FlunderSpec;
  status?: FlunderStatus;
}

export interface FlunderSpec {
  /** The name of a fischer, when the reference type is Fischer. */
  fischerReference?: string;
  /** The name of a flunder, when the reference type is Flunder. */
  flunderReference?: string;
  /**
   * The type of the reference.
   * @default "Flunder"
   */
  referenceType?: ReferenceType;
}
