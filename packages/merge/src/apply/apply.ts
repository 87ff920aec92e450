import { StrategicMergePatchError } from "../errors/strategic-merge-patch-error.js";
import { cloneIn, isJSONObject, type JSONObject, toPlain } from "../json/json.js";
import type { StrategicMergeSchema } from "../schema/structural-schema.js";
import { type MergeOptions, mergeMap } from "./merge.js";

/** What kube-apiserver applies with (StrategicMergeMapPatch). */
const serverSide: MergeOptions = { mergeParallelList: true, ignoreUnmatchedNulls: true };

/**
 * Applies a strategic merge patch (`application/strategic-merge-patch+json`) to an object,
 * the patch metadata coming from the object's structural schema. Neither input is modified.
 *
 * @param original the stored object (JSON data: a parsed or JSON-compatible object)
 * @param patch the parsed request body; anything but a JSON object is a BadJSONDoc error
 * @param schema the resource's OpenAPI v3 schema; undefined merges everything as plain JSON
 * @throws StrategicMergePatchError for a malformed patch (kind BadRequest or Invalid)
 */
export function applyStrategicMergePatch(
  original: object,
  patch: unknown,
  schema: StrategicMergeSchema | undefined,
): JSONObject {
  if (!isJSONObject(original) || !isJSONObject(patch)) throw StrategicMergePatchError.badJSONDoc();
  const result = mergeMap(cloneIn(original) as JSONObject, cloneIn(patch) as JSONObject, schema, serverSide, "");
  return toPlain(result) as JSONObject;
}
