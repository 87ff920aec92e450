import type { Condition, int32, int64, ObjectMeta } from "@apiserver-kit/runtime";

/**
 * A Gizmo is a cluster-scoped resource of widgets.example.com. Say here what it stands for:
 * this text is what `kubectl explain gizmos` shows.
 *
 * @kind
 * @scope Cluster
 * @shortName gz
 * @subresource status
 * @subresource scale specReplicasPath=.spec.replicas statusReplicasPath=.status.replicas
 * @printColumn name=Replicas type=integer jsonPath=.spec.replicas
 * @printColumn name=Ready type=string jsonPath=`.status.conditions[?(@.type=="Ready")].status`
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
 */
export interface Gizmo {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: GizmoSpec;
  status?: GizmoStatus;
}

/** GizmoSpec is the desired state of a Gizmo. */
export interface GizmoSpec {
  /**
   * How many replicas the gizmo should have.
   * @minimum 0
   * @default 1
   */
  replicas?: int32;
  /**
   * A free-form note about the gizmo.
   * @maxLength 256
   */
  description?: string;
}

/** GizmoStatus is the observed state of a Gizmo, written by its controller. */
export interface GizmoStatus {
  /** The replicas the controller last saw in the spec. */
  replicas?: int32;
  /** The metadata.generation the controller last reconciled. */
  observedGeneration?: int64;
  /**
   * The latest observations of the gizmo's state: Ready is True once its controller has
   * reconciled the current generation.
   * @listType map
   * @listMapKey type
   */
  conditions?: Condition[];
}
