/**
 * What happens to an object a client sends before it reaches the store, in the
 * version the client speaks: type checks, pruning of unknown fields (fieldValidation),
 * defaulting, schema validation with ratcheting on update.
 */

import type { RuleValidator } from "@apiserver-kit/cel";
import { goTypeName, goValue, type JSONValue } from "@apiserver-kit/merge";
import { type FieldError, fieldErrorMessage, StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import type { ActionRequestSchema, ResourceVersion } from "../model/api-model.js";
import type { JSONSchemaProps } from "../model/schema.js";
import { deepEqualJSON, omitEmptyMetadata } from "../registry/objects.js";
import { applyDefaults, dropNulls, prune } from "../schema/structural.js";
import { strictDecodingProblems } from "./codec.js";
import type { FieldValidation } from "./options.js";

/** Checks apiVersion and kind of a body against the endpoint (400 on mismatch). */
export function checkTypeMeta(object: Record<string, unknown>, version: ResourceVersion): void {
  const kind = version.resource.kind;
  if (object.kind === undefined || object.kind === "") {
    throw StatusError.badRequest(`Object 'Kind' is missing in '${truncate(JSON.stringify(object))}'`);
  }
  if (object.apiVersion === undefined || object.apiVersion === "") {
    throw StatusError.badRequest(`Object 'apiVersion' is missing in '${truncate(JSON.stringify(object))}'`);
  }
  if (object.apiVersion !== version.apiVersion) {
    throw StatusError.badRequest(
      `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${version.apiVersion})`,
    );
  }
  if (object.kind !== kind) {
    throw StatusError.badRequest(
      `the kind in the data (${String(object.kind)}) does not match the expected kind (${kind})`,
    );
  }
  if (
    object.metadata !== undefined &&
    (typeof object.metadata !== "object" || object.metadata === null || Array.isArray(object.metadata))
  ) {
    throw StatusError.badRequest("metadata must be an object");
  }
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/**
 * Prunes unknown fields according to fieldValidation, drops disallowed nulls and ObjectMeta's
 * empty fields (as decoding into the typed ObjectMeta does) and applies schema defaults, in
 * place. Strict → refuses listing every problem (400 `strict decoding error: ...`, or what
 * `refuse` makes of that message and the object as written, for patches); Warn → warnings.
 */
export function normalizeObject(
  object: KubeObject,
  version: ResourceVersion,
  fieldValidation: FieldValidation,
  warnings: string[],
  refuse?: StrictRefusal,
): KubeObject {
  checkStrictDecoding(object, version.schema, fieldValidation, warnings, refuse);
  dropNulls(object, version.schema);
  omitEmptyMetadata(object);
  applyDefaults(object, version.schema);
  return object;
}

/** How a write refuses its strict-decoding problems (`message`) when it is not a 400 (patches). */
export type StrictRefusal = (message: string, written: KubeObject) => StatusError;

/**
 * fieldValidation for an object as written: the keys its body repeated, then the fields
 * `schema` does not know (pruned, unless Strict refuses them; the refusal shows the object
 * whole). Warn adds each to `warnings`; Ignore prunes silently.
 */
export function checkStrictDecoding(
  object: KubeObject,
  schema: JSONSchemaProps | undefined,
  fieldValidation: FieldValidation,
  warnings: string[],
  refuse?: StrictRefusal,
): void {
  const unknown = prune(object, schema, true, fieldValidation !== "Strict").map(
    (path) => `unknown field ${JSON.stringify(path)}`,
  );
  const repeated = strictDecodingProblems(object);
  if (unknown.length === 0 && !repeated) return;
  if (fieldValidation === "Strict") {
    const message = `strict decoding error: ${[...(repeated?.errors ?? []), ...unknown].join(", ")}`;
    throw refuse ? refuse(message, object) : StatusError.badRequest(message);
  }
  if (fieldValidation === "Warn") warnings.push(...(repeated?.warnings ?? []), ...unknown);
}

/** The value at a Kubernetes field path (`spec.items[0].name`), or undefined. */
function valueAtPath(object: unknown, path: string): unknown {
  if (!path) return object;
  let node: unknown = object;
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (node === null || typeof node !== "object") return undefined;
    node = m[2] !== undefined ? (node as unknown[])[Number(m[2])] : (node as Record<string, unknown>)[m[1] as string];
  }
  return node;
}

/**
 * Schema validation in the request's version. On update, errors on values that did
 * not change are dropped (validation ratcheting), so a tightened schema never blocks
 * unrelated updates such as removing a finalizer.
 */
export function validateAgainstSchema(
  version: ResourceVersion,
  object: KubeObject,
  old?: KubeObject,
  warnings?: string[],
): FieldError[] {
  let errors = version.schemaValidator.validate(object);
  if (old && errors.length > 0) {
    errors = errors.filter((e) => !deepEqualJSON(valueAtPath(object, e.field), valueAtPath(old, e.field)));
  }
  // CEL rules ratchet by themselves: failures on unchanged values come back as warnings,
  // which Kubernetes sends to the client (Warning headers) instead of refusing the write.
  if (version.ruleValidator) checkRules(version.ruleValidator, object, old, errors, warnings);
  return errors;
}

const MAX_INT32 = 2147483647;

/**
 * unstructured.NestedFieldNoCopy then a type check, as NestedInt64 and NestedString do: the
 * value at a dotted path (`.spec.replicas`) when present, or the accessor's error.
 */
function nestedField(
  object: unknown,
  path: string,
  expected: "int64" | "string",
): { found: false } | { found: true; value: JSONValue } | { error: string } {
  const fields = path.replace(/^\./, "").split(".");
  let value: unknown = object;
  for (let i = 0; i < fields.length; i++) {
    if (value === null || value === undefined) return { found: false };
    if (typeof value !== "object" || Array.isArray(value)) {
      const at = `.${fields.slice(0, i + 1).join(".")}`;
      const v = value as JSONValue;
      return {
        error: `${at} accessor error: ${goValue(v)} is of the type ${goTypeName(v)}, expected map[string]interface{}`,
      };
    }
    const map = value as Record<string, unknown>;
    if (!Object.hasOwn(map, fields[i] as string)) return { found: false };
    value = map[fields[i] as string];
  }
  const v = value as JSONValue;
  if (goTypeName(v) !== expected) {
    return {
      error: `.${fields.join(".")} accessor error: ${goValue(v)} is of the type ${goTypeName(v)}, expected ${expected}`,
    };
  }
  return { found: true, value: v };
}

/** One replicas path of a scale subresource, as ValidateScaleSpec/ValidateScaleStatus check it. */
function replicasErrors(object: KubeObject, path: string, errors: FieldError[]): void {
  const got = nestedField(object, path, "int64");
  if ("error" in got) {
    errors.push({ type: "FieldValueInvalid", field: path, badValue: 0, detail: got.error });
  } else if (got.found) {
    const replicas = got.value as number;
    if (replicas < 0) {
      errors.push({
        type: "FieldValueInvalid",
        field: path,
        badValue: replicas,
        detail: "should be a non-negative integer",
      });
    } else if (replicas > MAX_INT32) {
      errors.push({
        type: "FieldValueInvalid",
        field: path,
        badValue: replicas,
        detail: `should be less than or equal to ${MAX_INT32}`,
      });
    }
  }
}

/**
 * apiextensions-apiserver's ValidateScaleSpec and ValidateScaleStatus, for a kind whose version
 * has a scale subresource: the replicas at specReplicasPath (not on a status write) and at
 * statusReplicasPath, when present, are integers in 0…MaxInt32, and the labelSelectorPath's
 * value a string. The errors name the JSONPath as declared (`.spec.replicas`) and come after
 * the schema's; they are not ratcheted.
 */
export function scaleErrors(version: ResourceVersion, object: KubeObject, subresource: string): FieldError[] {
  const scale = version.definition.subresources?.scale;
  if (!scale || (subresource !== "" && subresource !== "status")) return [];
  const errors: FieldError[] = [];
  if (subresource === "") replicasErrors(object, scale.specReplicasPath, errors);
  replicasErrors(object, scale.statusReplicasPath, errors);
  if (scale.labelSelectorPath) {
    const got = nestedField(object, scale.labelSelectorPath, "string");
    if ("error" in got) {
      errors.push({ type: "FieldValueInvalid", field: scale.labelSelectorPath, badValue: "", detail: got.error });
    }
  }
  return errors;
}

/**
 * The schema errors after which kube-apiserver does not evaluate CEL rules (the object does
 * not have the shape they were written for): a wrong type, a missing required field, a value
 * not in the enum, too long, too many.
 */
const BLOCKING_ERRORS: ReadonlySet<string> = new Set([
  "FieldValueTypeInvalid",
  "FieldValueRequired",
  "FieldValueNotSupported",
  "FieldValueTooLong",
  "FieldValueTooMany",
]);

/** What kube-apiserver adds in place of the rules' verdict when schema errors blocked them. */
const RULES_NOT_CHECKED: FieldError = {
  type: "FieldValueInvalid",
  field: "<nil>",
  badValue: null,
  detail:
    "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
};

/** Runs CEL rules unless `errors` (the schema's) block them; failures join `errors`, ratcheted ones `warnings`. */
function checkRules(
  rules: RuleValidator,
  object: unknown,
  old: unknown,
  errors: FieldError[],
  warnings: string[] | undefined,
): void {
  if (errors.some((e) => BLOCKING_ERRORS.has(e.type))) {
    errors.push(RULES_NOT_CHECKED);
    return;
  }
  const result = rules.validate(object, old);
  errors.push(...(result.errors as FieldError[]));
  if (warnings) for (const warning of result.warnings) warnings.push(fieldErrorMessage(warning as FieldError));
}

export function invalid(version: ResourceVersion, name: string, errors: FieldError[]): StatusError {
  return StatusError.invalid({ group: version.resource.group, kind: version.resource.kind }, name, errors);
}

/**
 * An action's request body as its handler gets it, when the action declares a `requestSchema`:
 * checked as an object is (unknown fields per fieldValidation, nulls, defaults, the schema and
 * its rules). An empty body is `{}`. Refusals are 422 Invalid on the request's kind.
 */
export function checkActionRequest(
  request: ActionRequestSchema,
  body: Record<string, unknown>,
  fieldValidation: FieldValidation,
  warnings: string[],
  name: string,
): Record<string, unknown> {
  checkStrictDecoding(body as KubeObject, request.schema, fieldValidation, warnings);
  dropNulls(body, request.schema);
  applyDefaults(body, request.schema);
  const errors = request.schemaValidator.validate(body);
  if (request.ruleValidator) checkRules(request.ruleValidator, body, undefined, errors, warnings);
  if (errors.length > 0) throw StatusError.invalid(request.groupKind, name, errors);
  return body;
}
