import type { Condition, int32, int64, ObjectMeta } from "@apiserver-kit/runtime";

/**
 * A Gadget is a cluster-scoped resource of widgets.example.com. Say here what it stands for:
 * this text is what `kubectl explain gadgets` shows.
 *
 * @kind
 * @scope Cluster
 * @subresource status
 * @subresource scale specReplicasPath=.spec.replicas statusReplicasPath=.status.replicas
 * @printColumn name=Replicas type=integer jsonPath=.spec.replicas
 * @printColumn name=Ready type=string jsonPath=`.status.conditions[?(@.type=="Ready")].status`
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
 */
export interface Gadget {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: GadgetSpec;
  status?: GadgetStatus;
}

/** GadgetSpec is the desired state of a Gadget. */
export interface GadgetSpec {
  /**
   * How many replicas the gadget should have.
   * @minimum 0
   * @default 1
   */
  replicas?: int32;
  /**
   * A free-form note about the gadget.
   * @maxLength 256
   */
  description?: string;
}

/** GadgetStatus is the observed state of a Gadget, written by its controller. */
export interface GadgetStatus {
  /** The replicas the controller last saw in the spec. */
  replicas?: int32;
  /** The metadata.generation the controller last reconciled. */
  observedGeneration?: int64;
  /**
   * The latest observations of the gadget's state: Ready is True once its controller has
   * reconciled the current generation.
   * @listType map
   * @listMapKey type
   */
  conditions?: Condition[];
}
