// The server-side apply part of @apiserver-kit/merge: field sets, FieldsV1, structured merge
// and the managedFields bookkeeping of Kubernetes' FieldManager.
export type { ServerSideApplyErrorCode, ServerSideApplyErrorReason, StatusCause } from "./errors.js";
export { isServerSideApplyError, ServerSideApplyError } from "./errors.js";
export { FieldSet } from "./fieldpath/field-set.js";
export { fieldSetToFieldsV1, fieldsV1ToFieldSet } from "./fieldpath/fields-v1.js";
export type { KeyField, Path, PathElement } from "./fieldpath/path-element.js";
export {
  fieldElement,
  indexElement,
  keyElement,
  pathString,
  serializePathElement,
  valueElement,
} from "./fieldpath/path-element.js";
export type { ManagedFieldsEntry } from "./managedfields/entries.js";
export { formatTime } from "./managedfields/entries.js";
export type { ApplyResult, FieldManagerOptions } from "./managedfields/field-manager.js";
export { applyServerSide, DEFAULT_MAX_UPDATE_MANAGERS, updateManagedFields } from "./managedfields/field-manager.js";
export { LAST_APPLIED_CONFIG_ANNOTATION } from "./managedfields/last-applied.js";
export { fieldManagerProblems, managerFromUserAgent, managerOrUserAgent } from "./managedfields/user-agent.js";
export { fieldSetOf } from "./typed/field-set-of.js";
export type { ServerSideApplySchema } from "./typed/schema.js";
