/**
 * metadata.managedFields on every write and server-side apply (k8s fieldmanager wiring):
 * the handler calls these on objects in the request's version, before admission.
 */
import {
  applyServerSide,
  type FieldManagerOptions,
  fieldManagerProblems,
  isServerSideApplyError,
  managerOrUserAgent,
  updateManagedFields,
} from "@apiserver-kit/merge";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import type { ApiResource, ResourceVersion } from "../model/api-model.js";
import { fromHub, toHub } from "../registry/conversion.js";
import type { Clock } from "../registry/generic-store.js";
import { omitEmptyMetadata } from "../registry/objects.js";
import { dropNulls } from "../schema/structural.js";
import { readYAML } from "./codec.js";
import { checkStrictDecoding } from "./object-pipeline.js";
import type { FieldValidation } from "./options.js";

type JSONObject = Parameters<typeof updateManagedFields>[1];

/** Who a write is recorded under: ?fieldManager=, else the user agent's first segment (kubectl, Go-http-client). */
export function writeManager(fieldManager: string | undefined, userAgent: string | undefined): string {
  return managerOrUserAgent(fieldManager, userAgent);
}

/** How managedFields are kept for one endpoint: the main resource, status or scale. */
export function fieldManagerOptions(
  resource: ApiResource,
  version: ResourceVersion,
  subresource: string,
  clock: Clock,
): FieldManagerOptions {
  const byApiVersion = (apiVersion: string) => resource.allVersions.find((v) => v.apiVersion === apiVersion);
  // The fields each endpoint resets, which its writers may not own (Kubernetes' GetResetFields for CRDs).
  const resetFields =
    subresource === "" && resource.hub.hasStatus ? [["status"]] : subresource === "status" ? [["spec"]] : [];
  return {
    apiVersion: version.apiVersion,
    kind: resource.kind,
    schema: version.schema,
    subresource,
    resetFields,
    now: () => clock.now(),
    versions: {
      convert: (object, from, to) => {
        const source = byApiVersion(from);
        const target = byApiVersion(to);
        if (!source || !target) return undefined;
        const hub = toHub(resource, source, object as KubeObject);
        return fromHub(resource, target, hub) as JSONObject;
      },
      schemaOf: (apiVersion) => byApiVersion(apiVersion)?.schema,
    },
  };
}

/** Records a create, update or non-apply patch; `live` is null on create. */
export function trackWrite(
  live: KubeObject | null,
  updated: KubeObject,
  manager: string,
  options: FieldManagerOptions,
): KubeObject {
  return updateManagedFields(live as JSONObject | null, updated as JSONObject, manager, options) as KubeObject;
}

/** The body of an apply patch: YAML (of which JSON is a subset) holding one object. */
export function decodeApplyPatch(text: string): { config: KubeObject; repeatedKeys: string[] } {
  let yaml: ReturnType<typeof readYAML>;
  try {
    yaml = readYAML(text);
  } catch (error) {
    if (error instanceof StatusError) throw StatusError.badRequest(`error decoding YAML: ${error.message}`);
    throw error;
  }
  const value = yaml.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw StatusError.badRequest("error decoding YAML: the apply patch must be an object");
  }
  return { config: value as KubeObject, repeatedKeys: yaml.repeatedKeys };
}

/**
 * An applied configuration as the manager will own it: fields the schema does not know are
 * dropped (and reported per fieldValidation, as for any write) and nulls of non-nullable fields
 * removed. Defaults are not applied here: they are the server's, not the manager's.
 */
export function prepareApplyConfig(
  config: KubeObject,
  version: ResourceVersion,
  fieldValidation: FieldValidation,
  warnings: string[],
): KubeObject {
  checkStrictDecoding(config, version.schema, fieldValidation, warnings);
  dropNulls(config, version.schema);
  // The object applied is stored without ObjectMeta's empty fields (normalizeObject), so they
  // are left out of the configuration too: an empty `labels: {}` owns nothing (its fields are
  // granular) but, merged in, would be a change that a repeated apply makes and conflicts on.
  omitEmptyMetadata(config);
  return config;
}

/**
 * Applies fieldValidation to the keys an apply configuration repeats (decodeApplyPatch's, as
 * kube-apiserver's strict YAML decoding reports them after the apply): Strict refuses with its
 * error, Warn (and the default) warns once per key, Ignore says nothing.
 */
export function checkRepeatedApplyKeys(
  repeated: readonly string[],
  fieldValidation: FieldValidation,
  warnings: string[],
): void {
  if (repeated.length === 0 || fieldValidation === "Ignore") return;
  if (fieldValidation === "Strict") {
    throw StatusError.badRequest(
      `error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${repeated.join("\n  ")}`,
    );
  }
  warnings.push(...repeated);
}

/** The PatchOptions problems of an apply: fieldManager is required and must be printable (422). */
export function checkApplyManager(fieldManager: string | undefined): string {
  const problems: { field: string; message: string }[] = [];
  if (!fieldManager) problems.push({ field: "fieldManager", message: "Required value: is required for apply patch" });
  for (const problem of fieldManagerProblems(fieldManager ?? "")) {
    problems.push({ field: "fieldManager", message: `Invalid value: ${JSON.stringify(fieldManager)}: ${problem}` });
  }
  if (problems.length > 0) {
    const message = problems.map((p) => `${p.field}: ${p.message}`).join(", ");
    throw new StatusError(422, "Invalid", `PatchOptions.meta.k8s.io "" is invalid: ${message}`, {
      group: "meta.k8s.io",
      kind: "PatchOptions",
      causes: problems.map((p) => ({
        reason: p.message.startsWith("Required") ? "FieldValueRequired" : "FieldValueInvalid",
        message: p.message,
        field: p.field,
      })),
    });
  }
  return fieldManager as string;
}

/** `force` on a patch that is not an apply (422, as Kubernetes' ValidatePatchOptions). */
export function forceWithoutApply(): StatusError {
  const message = "Forbidden: may not be specified for non-apply patch";
  return new StatusError(422, "Invalid", `PatchOptions.meta.k8s.io "" is invalid: force: ${message}`, {
    group: "meta.k8s.io",
    kind: "PatchOptions",
    causes: [{ reason: "FieldValueForbidden", message, field: "force" }],
  });
}

/** Server-side apply of `applied` over `live` (null: the object is created); errors become Statuses. */
export function serverSideApply(
  live: KubeObject | null,
  applied: KubeObject,
  manager: string,
  force: boolean,
  options: FieldManagerOptions,
): KubeObject {
  try {
    return applyServerSide(live as JSONObject | null, applied as JSONObject, manager, force, options)
      .object as KubeObject;
  } catch (error) {
    if (!isServerSideApplyError(error)) throw error;
    const causes = error.causes.map((c) => ({ ...c }));
    if (error.reason === "Conflict") throw new StatusError(409, "Conflict", error.message, { causes });
    if (error.reason === "BadRequest") throw StatusError.badRequest(error.message);
    if (error.reason === "Invalid")
      throw new StatusError(422, "Invalid", error.message, causes.length > 0 ? { causes } : undefined);
    throw StatusError.internal(error);
  }
}
