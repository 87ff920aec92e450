/**
 * Strict decoding of patches (fieldValidation), as kube-apiserver's patch handler does it
 * (endpoints/handlers/patch.go): the patch body's own problems (fields it names twice; a
 * JSON patch's operation fields no operation has) are found when it is read, and joined with
 * the unknown fields of the patched object. Strict refuses them all at once as 422 Invalid on
 * the field `patch`; Warn sends each as a warning.
 */
import { goJSON, goValue, type JSONValue } from "@apiserver-kit/merge";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import { duplicateFieldMessages } from "./codec.js";
import { jsonPatchFieldProblems } from "./json-duplicates.js";
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
  return duplicateFieldMessages(text);
}

/**
 * The refusal of a patch whose strict decoding failed: kube-apiserver's `NewInvalid` with no
 * kind or name, one cause on `patch` whose value is the patched object's JSON (JSON and merge
 * patches) or Go's `%+v` of the patch (strategic merge patches).
 */
export function patchRefusal(kind: PatchKind, patch: unknown): (message: string, written: KubeObject) => StatusError {
  return (message, written) => {
    const value = kind === "strategic" ? goValue(patch as JSONValue) : goJSON(written as unknown as JSONValue);
    return StatusError.invalid({ group: "", kind: "" }, "", [
      { type: "FieldValueInvalid", field: "patch", badValue: value, detail: message },
    ]);
  };
}

/** encoding/json's UnmarshalTypeError for a JSON value decoded into a Go type it does not fit. */
export function goUnmarshalTypeError(value: unknown, goType: string): string {
  const what = Array.isArray(value) ? "array" : typeof value === "boolean" ? "bool" : typeof value;
  return `json: cannot unmarshal ${what} into Go value of type ${goType}`;
}

/**
 * Why a patched object's JSON does not decode (the serializer reads apiVersion and kind first,
 * then the object, which must have a kind): kube-apiserver refuses it as 422 on `patch`.
 */
export function patchedObjectDecodeError(patched: unknown): string {
  if (patched !== null && (typeof patched !== "object" || Array.isArray(patched))) {
    const findKind =
      'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
    return `couldn't get version/kind; json parse error: ${goUnmarshalTypeError(patched, findKind)}`;
  }
  return `Object 'Kind' is missing in '${goJSON((patched ?? null) as JSONValue)}'`;
}
