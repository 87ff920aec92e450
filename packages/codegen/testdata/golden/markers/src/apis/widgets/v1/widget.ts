import type { IntOrString, int32, int64, LabelSelector, ObjectMeta, Quantity, Time } from "@apiserver-kit/runtime";
import type { Port, RawValue } from "./types.js";

/**
 * Widget shows every marker.
 *
 * @kind
 * @scope Cluster
 * @plural widgetz
 * @singular widget
 * @shortName wd
 * @shortName wdg
 * @category all
 * @category toys
 * @subresource status
 * @subresource scale specReplicasPath=.spec.replicas statusReplicasPath=.status.replicas labelSelectorPath=.status.selector
 * @printColumn name=Replicas type=integer jsonPath=.spec.replicas
 * @printColumn name=Color type=string jsonPath=.spec.color description="The widget's color" priority=1
 * @selectableField .spec.color
 * @unconditionalUpdate
 * @deprecated widgets.example.com/v1 Widget is deprecated; use v2
 * @validation rule="self.metadata.name.size() <= 20" message="names are short"
 */
export interface Widget {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: WidgetSpec;
  status?: WidgetStatus;
}

/**
 * The desired state.
 * @validation rule="!has(self.minReplicas) || self.minReplicas <= self.replicas" messageExpression="'minReplicas ' + string(self.minReplicas) + ' exceeds replicas'" reason=FieldValueInvalid fieldPath=.minReplicas
 */
export interface WidgetSpec {
  /**
   * Desired replicas.
   * @minimum 0
   * @maximum 100
   * @default 1
   */
  replicas?: int32;
  /** @minimum 0 */
  minReplicas?: int32;
  /**
   * A ratio strictly between 0 and 1.
   * @exclusiveMinimum 0
   * @exclusiveMaximum 1
   * @multipleOf 0.01
   */
  ratio?: number;
  /**
   * The color.
   * @default Red
   */
  color?: "Red" | "Green" | "Blue";
  /**
   * Contact address.
   * @format email
   * @minLength 3
   * @maxLength 254
   */
  contact?: string;
  /** A note that may be explicitly null. */
  note?: string | null;
  /**
   * Size in bytes.
   * @format int64
   */
  bytes?: int64;
  /** How much memory. */
  memory?: Quantity;
  /** A port by number or name. */
  targetPort?: IntOrString;
  /** When to start. */
  startAt?: Time;
  /**
   * Ports, merged by name and protocol.
   * @listType map
   * @listMapKey name
   * @listMapKey protocol
   * @patchStrategy merge
   * @patchMergeKey name
   * @minItems 1
   * @maxItems 16
   */
  ports: Port[];
  /**
   * Labels replaced as a whole.
   * @mapType atomic
   * @minProperties 1
   * @maxProperties 32
   */
  labels?: Record<string, string>;
  /**
   * Tags, each once.
   * @listType set
   */
  tags?: string[];
  /**
   * Free-form settings.
   * @preserveUnknownFields
   */
  settings?: Record<string, unknown>;
  /** Raw values. */
  raw?: RawValue[];
  /**
   * An embedded object.
   * @embeddedResource
   * @preserveUnknownFields
   */
  template?: Record<string, unknown>;
  /** Which pods. */
  selector?: LabelSelector;
  /**
   * Immutable once set.
   * @validation rule="!oldSelf.hasValue() || self == oldSelf.value()" message="is immutable" optionalOldSelf=true
   */
  immutable?: string;
}

export interface WidgetStatus {
  replicas?: int32;
  /** The label selector, serialised. */
  selector?: string;
}
