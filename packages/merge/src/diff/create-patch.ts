import { type MergeOptions, mergeMap } from "../apply/merge.js";
import { StrategicMergePatchError } from "../errors/strategic-merge-patch-error.js";
import { cloneIn, isJSONObject, type JSONObject, newObject, toPlain } from "../json/json.js";
import type { StrategicMergeSchema } from "../schema/structural-schema.js";
import { mapsHaveConflicts } from "./conflicts.js";
import { diffMaps } from "./diff.js";

/** Merging the deletions patch with the changes patch keeps nulls and parallel lists. */
const patchOnPatch: MergeOptions = { mergeParallelList: false, ignoreUnmatchedNulls: false };

/**
 * The strategic merge patch that turns `original` into `modified` (apimachinery's
 * CreateTwoWayMergePatch), with `$setElementOrder`, `$deleteFromPrimitiveList`,
 * `$retainKeys` and `$patch: delete` generated as kubectl generates them.
 */
export function createTwoWayMergePatch(
  original: object,
  modified: object,
  schema: StrategicMergeSchema | undefined,
): JSONObject {
  const patch = diffMaps(input(original), input(modified), schema, { setElementOrder: true }, "");
  return toPlain(patch) as JSONObject;
}

export interface ThreeWayMergeOptions {
  /**
   * Overwrite changes made to the live object since `original` (kubectl apply's
   * `--overwrite`, true by default). When false, such a change throws a Conflict error.
   */
  readonly overwrite?: boolean;
}

/**
 * The patch client-side `kubectl apply` sends (apimachinery's CreateThreeWayMergePatch):
 * the changes from `current` (the live object) to `modified` (the new configuration),
 * without deletions, plus the deletions from `original` (the last-applied configuration)
 * to `modified`. Fields set only on the live object are left alone.
 */
export function createThreeWayMergePatch(
  original: object | undefined,
  modified: object,
  current: object,
  schema: StrategicMergeSchema | undefined,
  options: ThreeWayMergeOptions = {},
): JSONObject {
  const originalMap = original === undefined ? newObject() : input(original);
  const modifiedMap = input(modified);
  const currentMap = input(current);
  const delta = diffMaps(currentMap, modifiedMap, schema, { ignoreDeletions: true, setElementOrder: true }, "");
  const deletions = diffMaps(
    originalMap,
    modifiedMap,
    schema,
    { ignoreChangesAndAdditions: true, setElementOrder: true },
    "",
  );
  const patch = mergeMap(deletions, delta, schema, patchOnPatch, "");
  if (options.overwrite === false) {
    const changed = diffMaps(originalMap, currentMap, schema, {}, "");
    if (mapsHaveConflicts(patch, changed, schema)) {
      throw StrategicMergePatchError.conflict(toPlain(patch), toPlain(changed));
    }
  }
  return toPlain(patch) as JSONObject;
}

function input(value: object): JSONObject {
  if (!isJSONObject(value)) throw StrategicMergePatchError.badJSONDoc();
  return cloneIn(value) as JSONObject;
}
