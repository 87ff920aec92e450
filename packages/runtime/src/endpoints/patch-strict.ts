/**
 * Strict decoding of patches (fieldValidation), as kube-apiserver's patch handler does it
 * (endpoints/handlers/patch.go): the patch body's own problems (fields it names twice; a
 * JSON patch's operation fields no operation has) are found when it is read, and joined with
 * the unknown fields of the patched object. Strict refuses them all at once as 422 Invalid on
 * the field `patch`; Warn sends each as a warning.
 */
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import { duplicateFields, jsonPatchFieldProblems } from "./json-duplicates.js";
import type { FieldValidation } from "./options.js";

export type PatchKind = "json" | "merge" | "strategic";

/** What strict decoding says of a patch body (`parsed` is its JSON value); none under Ignore. */
export function patchBodyProblems(
  kind: PatchKind,
  text: string,
  parsed: unknown,
  fieldValidation: FieldValidation,
): string[] {
  if (fieldValidation === "Ignore") return [];
  if (kind === "json") return Array.isArray(parsed) ? jsonPatchFieldProblems(text, parsed) : [];
  return duplicateFields(text).map((path) => `duplicate field ${JSON.stringify(path)}`);
}

/**
 * The refusal of a patch whose strict decoding failed: kube-apiserver's `NewInvalid` with no
 * kind or name, one cause on `patch` whose value is the patched object's JSON (JSON and merge
 * patches) or Go's `%+v` of the patch (strategic merge patches).
 */
export function patchRefusal(kind: PatchKind, patch: unknown): (message: string, written: KubeObject) => StatusError {
  return (message, written) => {
    const value = kind === "strategic" ? goFormat(patch) : goJSON(written);
    return StatusError.invalid({ group: "", kind: "" }, "", [
      { type: "FieldValueInvalid", field: "patch", badValue: value, detail: message },
    ]);
  };
}

/** JSON as Go's encoding/json writes a decoded map: keys sorted, `<`, `>` and `&` escaped. */
export function goJSON(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(sorted, key, {
      value: sortKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return sorted;
}

/** Go's `%+v` of a decoded JSON value: `map[a:1 b:[x y]]`, keys sorted, strings bare, null `<nil>`. */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goFormat).join(" ")}]`;
  if (typeof value === "object") {
    const object = value as Record<string, unknown>;
    return `map[${Object.keys(object)
      .sort()
      .map((key) => `${key}:${goFormat(object[key])}`)
      .join(" ")}]`;
  }
  return String(value);
}
