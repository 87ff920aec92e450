import { DIRECTIVE_MARKER, RETAIN_KEYS_DIRECTIVE } from "../apply/directives.js";
import { goString } from "../json/go-format.js";
import { hasKey, isJSONObject, type JSONObject, type JSONValue, jsonEqual } from "../json/json.js";
import { type FieldPatchInfo, lookupField, lookupListField } from "../schema/patch-meta.js";
import type { StrategicMergeSchema } from "../schema/structural-schema.js";
import { sortScalars } from "./diff.js";

// apimachinery's MergingMapsHaveConflicts: does a patch touch a key that `changed` (the
// diff from the last-applied configuration to the live object) also touches differently?

const unknownField: FieldPatchInfo = { schema: undefined, meta: { strategy: "", retainKeys: false, mergeKey: "" } };

export function mapsHaveConflicts(
  left: JSONObject,
  right: JSONObject,
  schema: StrategicMergeSchema | undefined,
): boolean {
  for (const key of Object.keys(left)) {
    if (key === DIRECTIVE_MARKER || key === RETAIN_KEYS_DIRECTIVE || !hasKey(right, key)) continue;
    const leftValue = left[key] as JSONValue;
    let field = unknownField;
    if (Array.isArray(leftValue)) field = lookupListField(schema, key, key);
    else if (isJSONObject(leftValue)) field = lookupField(schema, key, key);
    if (valuesHaveConflicts(leftValue, right[key] as JSONValue, field)) return true;
  }
  return false;
}

function valuesHaveConflicts(left: JSONValue, right: JSONValue, field: FieldPatchInfo): boolean {
  if (isJSONObject(left)) {
    if (!isJSONObject(right)) return true;
    const leftHas = hasKey(left, DIRECTIVE_MARKER);
    const rightHas = hasKey(right, DIRECTIVE_MARKER);
    // A directive acts on the whole map: one side having it, or different ones, conflict.
    if ((leftHas || rightHas) && (leftHas !== rightHas || left[DIRECTIVE_MARKER] !== right[DIRECTIVE_MARKER]))
      return true;
    if (field.meta.strategy === "replace") return false;
    return mapsHaveConflicts(left, right, field.schema);
  }
  if (Array.isArray(left)) {
    if (!Array.isArray(right)) return true;
    return listsHaveConflicts(left, right, field);
  }
  return !jsonEqual(left, right);
}

function listsHaveConflicts(left: JSONValue[], right: JSONValue[], field: FieldPatchInfo): boolean {
  const all = [...left, ...right];
  const kind = all.length === 0 ? undefined : isJSONObject(all[0] as JSONValue) ? "object" : "other";
  const element: FieldPatchInfo = { schema: field.schema, meta: unknownField.meta };
  if (field.meta.strategy === "merge") {
    // Merging lists of scalars never conflict; lists of maps are compared element by merge key.
    if (kind !== "object") return false;
    const byKey = (list: JSONValue[]) =>
      new Map(list.map((item) => [goString((item as JSONObject)[field.meta.mergeKey]), item as JSONValue]));
    const rightByKey = byKey(right);
    for (const [key, item] of byKey(left)) {
      const other = rightByKey.get(key);
      if (other !== undefined && valuesHaveConflicts(item, other, element)) return true;
    }
    return false;
  }
  if (left.length !== right.length) return true;
  const ordered = (list: JSONValue[]) => (kind === "object" ? list : sortScalars([...new Set(list)]));
  const l = ordered(left);
  const r = ordered(right);
  if (l.length !== r.length) return true;
  return l.some((item, i) => valuesHaveConflicts(item, r[i] as JSONValue, element));
}
