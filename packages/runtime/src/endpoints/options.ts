/**
 * Query-parameter options of resource requests (metav1 ListOptions, CreateOptions,
 * DeleteOptions...), parsed and validated with Kubernetes' rules and messages.
 */
import type { ReadConsistency } from "@apiserver-kit/storage";
import { type FieldError, fieldErrors, StatusError } from "../api/errors.js";
import type { DeleteOptionsBody } from "../api/meta.js";
import { type FieldSelector, FieldSelectorError, parseFieldSelector } from "../selectors/fields.js";
import { type LabelSelector, LabelSelectorError, parseLabelSelector } from "../selectors/labels.js";

function invalidOptions(kind: string, errors: FieldError[]): StatusError {
  return StatusError.invalid({ group: "meta.k8s.io", kind }, "", errors);
}

/** Parses a resourceVersion: a decimal uint64, or 400. */
export function parseResourceVersion(value: string): number {
  if (!/^\d{1,20}$/.test(value)) throw StatusError.badRequest(`invalid resource version: ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw StatusError.badRequest(`invalid resource version: ${JSON.stringify(value)}`);
  return n;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
  resourceVersion: string;
  resourceVersionMatch: string;
  consistency?: ReadConsistency;
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

function flag(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  return value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

/** ListOptions for list and watch; `watch` changes what is allowed. */
export function parseListOptions(query: URLSearchParams, watch: boolean): ListOptions {
  const options: ListOptions = {
    resourceVersion: query.get("resourceVersion") ?? "",
    resourceVersionMatch: query.get("resourceVersionMatch") ?? "",
    allowWatchBookmarks: flag(query.get("allowWatchBookmarks")) ?? false,
  };
  const labelSelector = query.get("labelSelector");
  if (labelSelector) {
    try {
      options.labelSelector = parseLabelSelector(labelSelector);
    } catch (error) {
      if (error instanceof LabelSelectorError) throw StatusError.badRequest(error.message);
      throw error;
    }
  }
  const fieldSelector = query.get("fieldSelector");
  if (fieldSelector) {
    try {
      options.fieldSelector = parseFieldSelector(fieldSelector);
    } catch (error) {
      if (error instanceof FieldSelectorError) throw StatusError.badRequest(error.message);
      throw error;
    }
  }
  const limit = query.get("limit");
  if (limit !== null && limit !== "") {
    if (!/^-?\d+$/.test(limit))
      throw StatusError.badRequest(`invalid limit: ${JSON.stringify(limit)}: must be an integer`);
    const n = Number(limit);
    if (n > 0) options.limit = n;
  }
  const cont = query.get("continue");
  if (cont) options.continueToken = cont;
  const timeout = query.get("timeoutSeconds");
  if (timeout !== null && timeout !== "") {
    if (!/^\d+$/.test(timeout)) throw StatusError.badRequest(`invalid timeoutSeconds: ${JSON.stringify(timeout)}`);
    options.timeoutSeconds = Number(timeout);
  }
  const sendInitialEvents = flag(query.get("sendInitialEvents"));
  if (sendInitialEvents !== undefined) options.sendInitialEvents = sendInitialEvents;

  const errors: FieldError[] = [];
  const match = options.resourceVersionMatch;
  if (match !== "" && match !== "Exact" && match !== "NotOlderThan") {
    errors.push(fieldErrors.notSupported("resourceVersionMatch", match, ["Exact", "NotOlderThan", ""]));
  }
  if (options.sendInitialEvents !== undefined) {
    if (!watch) {
      errors.push(fieldErrors.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
    } else {
      if (match !== "NotOlderThan") {
        errors.push(
          fieldErrors.forbidden(
            "resourceVersionMatch",
            "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
          ),
        );
      }
      if (!options.allowWatchBookmarks) {
        errors.push(
          fieldErrors.forbidden(
            "allowWatchBookmarks",
            "sendInitialEvents requires setting allowWatchBookmarks to true",
          ),
        );
      }
    }
  } else if (watch && match !== "") {
    errors.push(
      fieldErrors.forbidden(
        "resourceVersionMatch",
        "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
      ),
    );
  } else if (match !== "") {
    if (options.resourceVersion === "") {
      errors.push(
        fieldErrors.forbidden(
          "resourceVersionMatch",
          "resourceVersionMatch is forbidden unless resourceVersion is provided",
        ),
      );
    }
    if (options.continueToken) {
      errors.push(
        fieldErrors.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"),
      );
    }
    if (match === "Exact" && options.resourceVersion === "0") {
      errors.push(
        fieldErrors.forbidden(
          "resourceVersionMatch",
          'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        ),
      );
    }
  }
  if (errors.length > 0) throw invalidOptions("ListOptions", errors);

  if (options.resourceVersion !== "") {
    const revision = parseResourceVersion(options.resourceVersion);
    if (options.continueToken && revision !== 0) {
      throw StatusError.badRequest("specifying resource version is not allowed when using continue");
    }
    if (!watch && !options.continueToken) {
      if (revision === 0) options.consistency = { kind: "any" };
      else if (match === "Exact" || (match === "" && options.limit)) options.consistency = { kind: "exact", revision };
      else options.consistency = { kind: "notOlderThan", revision };
    }
  } else if (!watch) {
    options.consistency = { kind: "consistent" };
  }
  return options;
}

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager?: string;
  force: boolean;
}

/** CreateOptions / UpdateOptions / PatchOptions from the query. */
export function parseWriteOptions(
  query: URLSearchParams,
  kind: "CreateOptions" | "UpdateOptions" | "PatchOptions",
): WriteOptions {
  const errors: FieldError[] = [];
  const dryRunValues = query.getAll("dryRun");
  for (const value of dryRunValues)
    if (value !== "All") errors.push(fieldErrors.notSupported("dryRun", value, ["All"]));
  const fieldValidation = query.get("fieldValidation") ?? "";
  let directive: FieldValidation = "Warn";
  if (fieldValidation === "Strict" || fieldValidation === "Warn" || fieldValidation === "Ignore")
    directive = fieldValidation;
  else if (fieldValidation !== "")
    errors.push(fieldErrors.notSupported("fieldValidation", fieldValidation, ["Ignore", "Warn", "Strict"]));
  const fieldManager = query.get("fieldManager") ?? undefined;
  if (fieldManager !== undefined && fieldManager.length > 128) {
    errors.push(fieldErrors.tooLong("fieldManager", 128));
  }
  const force = flag(query.get("force")) ?? false;
  if (force && kind !== "PatchOptions")
    errors.push(fieldErrors.forbidden("force", "may not be specified for non-apply patch"));
  if (errors.length > 0) throw invalidOptions(kind, errors);
  return {
    dryRun: dryRunValues.length > 0,
    fieldValidation: directive,
    ...(fieldManager !== undefined ? { fieldManager } : {}),
    force,
  };
}

/** DeleteOptions from the body (when present) merged over the query. */
export function parseDeleteOptions(
  query: URLSearchParams,
  body: Record<string, unknown> | undefined,
): DeleteOptionsBody & { dryRunAll: boolean } {
  const options: DeleteOptionsBody = { ...(body as DeleteOptionsBody | undefined) };
  const errors: FieldError[] = [];
  const grace = query.get("gracePeriodSeconds");
  if (grace !== null && options.gracePeriodSeconds === undefined) {
    if (!/^-?\d+$/.test(grace)) throw StatusError.badRequest(`invalid gracePeriodSeconds: ${JSON.stringify(grace)}`);
    options.gracePeriodSeconds = Number(grace);
  }
  const policy = query.get("propagationPolicy");
  if (policy !== null && options.propagationPolicy === undefined)
    options.propagationPolicy = policy as DeleteOptionsBody["propagationPolicy"];
  const orphan = query.get("orphanDependents");
  if (orphan !== null && options.orphanDependents === undefined) options.orphanDependents = flag(orphan) ?? false;
  const dryRun = [...(options.dryRun ?? []), ...query.getAll("dryRun")];
  for (const value of dryRun) if (value !== "All") errors.push(fieldErrors.notSupported("dryRun", value, ["All"]));
  if (
    options.propagationPolicy !== undefined &&
    !["Orphan", "Background", "Foreground"].includes(options.propagationPolicy)
  ) {
    errors.push(
      fieldErrors.notSupported("propagationPolicy", options.propagationPolicy, ["Foreground", "Background", "Orphan"]),
    );
  }
  if (options.propagationPolicy !== undefined && options.orphanDependents !== undefined) {
    errors.push(
      fieldErrors.invalid(
        "propagationPolicy",
        options.propagationPolicy,
        "orphanDependents and deletionPropagation cannot be both set",
      ),
    );
  }
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) {
    errors.push(
      fieldErrors.invalid("gracePeriodSeconds", options.gracePeriodSeconds, "must be greater than or equal to 0"),
    );
  }
  if (errors.length > 0) throw invalidOptions("DeleteOptions", errors);
  return { ...options, dryRunAll: dryRun.length > 0 };
}
