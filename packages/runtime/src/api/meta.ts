/**
 * The Kubernetes meta types (k8s.io/apimachinery/pkg/apis/meta/v1) as plain TypeScript
 * shapes: what every object, list and Status on the wire looks like.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  fieldsType?: "FieldsV1";
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  selfLink?: string;
}

/** Any Kubernetes object. Kinds narrow `spec`/`status` through their own interfaces. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** A KubeObject whose metadata is known to be present (what storage returns). */
export type StoredKubeObject<T extends KubeObject = KubeObject> = T & { metadata: ObjectMeta };

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  selfLink?: string;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status: every error, and the answer to a finished delete. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: ListMeta;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface DeleteOptionsBody {
  kind?: "DeleteOptions";
  apiVersion?: string;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  dryRun?: string[];
}

/** The identity a request runs as (authentication's result). */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

// Aliases the code generator maps onto Kubernetes schemas by name (see docs/reference/markers.md).

/** A 32-bit integer (`type: integer, format: int32`). */
export type int32 = number;
/** A 64-bit integer (`type: integer, format: int64`); JavaScript numbers hold exactly up to 2^53. */
export type int64 = number;
/** An RFC 3339 timestamp in seconds (`format: date-time`), as metav1.Time marshals. */
export type Time = string;
/** An RFC 3339 timestamp with microseconds, as metav1.MicroTime marshals. */
export type MicroTime = string;
/** A Go duration string like "1h30m" (metav1.Duration). */
export type Duration = string;
/** A Kubernetes quantity like "500m" or "1Gi" (int-or-string on the wire). */
export type Quantity = string | number;
/** A value that is either an integer or a string (intstr.IntOrString). */
export type IntOrString = number | string;

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}
