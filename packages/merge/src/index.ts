export { applyStrategicMergePatch } from "./apply/apply.js";
export type { ThreeWayMergeOptions } from "./diff/create-patch.js";
export { createThreeWayMergePatch, createTwoWayMergePatch } from "./diff/create-patch.js";
export type {
  StrategicMergePatchErrorCode,
  StrategicMergePatchErrorKind,
} from "./errors/strategic-merge-patch-error.js";
export { isStrategicMergePatchError, StrategicMergePatchError } from "./errors/strategic-merge-patch-error.js";
export { goTypeName, goValue, sortGoStrings } from "./json/go-format.js";
export type { JSONObject, JSONPrimitive, JSONValue } from "./json/json.js";
export type { PatchMeta } from "./schema/patch-meta.js";
export { patchMetaOf, withStrategicMergeExtensions } from "./schema/patch-meta.js";
export type { StrategicMergeSchema } from "./schema/structural-schema.js";
export { goJSON, goQuote } from "./server-side-apply/fieldpath/go-json.js";

/** The media type of a strategic merge patch request body. */
export const STRATEGIC_MERGE_PATCH_CONTENT_TYPE = "application/strategic-merge-patch+json";
export * from "./server-side-apply/index.js";

/** The media type of a server-side apply request body (YAML or JSON). */
export const APPLY_PATCH_CONTENT_TYPE = "application/apply-patch+yaml";
