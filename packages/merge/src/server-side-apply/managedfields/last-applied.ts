import { cloneIn, isJSONObject, type JSONObject, type JSONValue, toPlain } from "../../json/json.js";
import type { FieldSet } from "../fieldpath/field-set.js";
import { goJSON } from "../fieldpath/go-json.js";
import { compare } from "../typed/compare.js";
import type { TypeNode } from "../typed/schema.js";
import { toFieldSet } from "../typed/to-field-set.js";

/** The annotation client-side `kubectl apply` keeps its last configuration in. */
export const LAST_APPLIED_CONFIG_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

function annotationsOf(object: JSONObject): JSONObject | undefined {
  const metadata = object.metadata;
  if (!isJSONObject(metadata)) return undefined;
  const annotations = metadata.annotations;
  return isJSONObject(annotations) ? annotations : undefined;
}

export function lastAppliedOf(object: JSONObject): string | undefined {
  const value = annotationsOf(object)?.[LAST_APPLIED_CONFIG_ANNOTATION];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** The annotation's value for an applied configuration: Go's JSON of it, without the annotation. */
export function buildLastApplied(applied: JSONObject): string {
  const copy = cloneIn(applied) as JSONObject;
  const annotations = annotationsOf(copy);
  if (annotations !== undefined) delete annotations[LAST_APPLIED_CONFIG_ANNOTATION];
  return `${goJSON(copy)}\n`;
}

/** A copy of `object` whose annotation holds `value`. */
export function withLastApplied(object: JSONObject, value: string): JSONObject {
  const copy = cloneIn(object) as JSONObject;
  const metadata = copy.metadata as JSONObject;
  const annotations = isJSONObject(metadata.annotations) ? metadata.annotations : {};
  annotations[LAST_APPLIED_CONFIG_ANNOTATION] = value;
  metadata.annotations = annotations;
  return toPlain(copy) as JSONObject;
}

/**
 * The fields of the last client-side applied configuration that still hold their applied
 * value in the live object (Kubernetes' allowedConflictsFromLastApplied): kubectl switching
 * to server-side apply may take these over without a conflict. undefined when there is no
 * usable annotation.
 */
export function fieldsStillAsLastApplied(live: JSONObject, apiVersion: string, type: TypeNode): FieldSet | undefined {
  const annotation = lastAppliedOf(live);
  if (annotation === undefined) return undefined;
  let lastApplied: JSONValue;
  try {
    lastApplied = JSON.parse(annotation) as JSONValue;
  } catch {
    return undefined;
  }
  if (!isJSONObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  try {
    const set = toFieldSet(lastApplied, type);
    const changes = compare(lastApplied, live, type);
    return set.difference(changes.modified).difference(changes.added).difference(changes.removed);
  } catch {
    return undefined;
  }
}
