import type { Condition, int32, int64, ObjectMeta } from "@apiserver-kit/runtime";

/**
 * A Widget is a namespaced resource of widgets.example.com. Say here what it stands for:
 * this text is what `kubectl explain widgets` shows.
 *
 * @kind
 * @scope Namespaced
 * @subresource status
 * @subresource scale specReplicasPath=.spec.replicas statusReplicasPath=.status.replicas
 * @printColumn name=Replicas type=integer jsonPath=.spec.replicas
 * @printColumn name=Ready type=string jsonPath=`.status.conditions[?(@.type=="Ready")].status`
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
 */
export interface Widget {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: WidgetSpec;
  status?: WidgetStatus;
}

/** WidgetSpec is the desired state of a Widget. */
export interface WidgetSpec {
  /**
   * How many replicas the widget should have.
   * @minimum 0
   * @default 1
   */
  replicas?: int32;
  /**
   * A free-form note about the widget.
   * @maxLength 256
   */
  description?: string;
}

/** WidgetStatus is the observed state of a Widget, written by its controller. */
export interface WidgetStatus {
  /** The replicas the controller last saw in the spec. */
  replicas?: int32;
  /** The metadata.generation the controller last reconciled. */
  observedGeneration?: int64;
  /**
   * The latest observations of the widget's state: Ready is True once its controller has
   * reconciled the current generation.
   * @listType map
   * @listMapKey type
   */
  conditions?: Condition[];
}
