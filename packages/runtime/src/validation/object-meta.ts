/**
 * ObjectMeta rules kube-apiserver enforces on every object (apimachinery
 * pkg/api/validation/objectmeta.go and pkg/util/validation): names, labels,
 * annotations, finalizers, owner references.
 */
import { goQuote, sortGoStrings } from "@apiserver-kit/merge";
import { type FieldError, fieldErrors, RawBadValue } from "../api/errors.js";
import type { ObjectMeta, OwnerReference } from "../api/meta.js";

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123Subdomain = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1123Label = new RegExp(`^${dns1123LabelFmt}$`);
const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const qualifiedName = new RegExp(`^${qualifiedNameFmt}$`);
const labelValue = new RegExp(`^(${qualifiedNameFmt})?$`);

export const MAX_SUBDOMAIN_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;
/** Total size of all annotation keys and values. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function regexError(message: string, fmt: string, examples: string[]): string {
  const e = examples.map((x) => `'${x}'`).join(",  or ");
  return `${message} (e.g. ${e}, regex used for validation is '${fmt}')`;
}

/** Kubernetes' IsDNS1123Subdomain: error messages, empty when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_SUBDOMAIN_LENGTH) errs.push(`must be no more than ${MAX_SUBDOMAIN_LENGTH} characters`);
  if (!dns1123Subdomain.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        ["example.com"],
      ),
    );
  }
  return errs;
}

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_LABEL_LENGTH) errs.push(`must be no more than ${MAX_LABEL_LENGTH} characters`);
  if (!dns1123Label.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        dns1123LabelFmt,
        ["my-name", "123-abc"],
      ),
    );
  }
  return errs;
}

const dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const dns1035Label = new RegExp(`^${dns1035LabelFmt}$`);

/** Kubernetes' IsDNS1035Label: error messages, empty when valid. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_LABEL_LENGTH) errs.push(`must be no more than ${MAX_LABEL_LENGTH} characters`);
  if (!dns1035Label.test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFmt,
        ["my-name", "abc-123"],
      ),
    );
  }
  return errs;
}

/**
 * apimachinery's IsValidPathSegmentName (a name that is only a URL path segment, as an
 * embedded resource's): not "." or "..", no "/" or "%". With `prefix` (a generateName), only
 * the characters are checked.
 */
export function isValidPathSegmentName(value: string, prefix = false): string[] {
  if (!prefix && (value === "." || value === "..")) return [`may not be '${value}'`];
  return ["/", "%"].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
}

/** The garbage collector's finalizers (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
export const ORPHAN_FINALIZER = "orphan";
export const FOREGROUND_FINALIZER = "foregroundDeletion";

/** The finalizers Kubernetes itself knows by their bare names (core's IsStandardFinalizerName). */
const STANDARD_FINALIZERS = new Set(["kubernetes", ORPHAN_FINALIZER, FOREGROUND_FINALIZER]);

/**
 * The warnings a custom resource's create or update gets for the finalizers it adds (apiextensions'
 * generateWarningsFromObj and validateKubeFinalizerName): in sorted order, each added name that is
 * not a qualified name, and each without a "/" that Kubernetes does not own, since two controllers
 * choosing the same bare name would remove each other's finalizer. `old`: the stored object's.
 */
export function finalizerWarnings(finalizers: unknown, old?: unknown): string[] {
  if (!Array.isArray(finalizers)) return [];
  const before = new Set(Array.isArray(old) ? old : []);
  const added = sortGoStrings([
    ...new Set(finalizers.filter((f): f is string => typeof f === "string" && !before.has(f))),
  ]);
  const warnings: string[] = [];
  for (const name of added) {
    const quoted = goQuote(name);
    for (const msg of isQualifiedName(name)) warnings.push(`metadata.finalizers: ${quoted}: ${msg}`);
    if (!name.includes("/") && !STANDARD_FINALIZERS.has(name)) {
      warnings.push(
        name.includes(".")
          ? `metadata.finalizers: ${quoted}: prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers`
          : `metadata.finalizers: ${quoted}: prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers`,
      );
    }
  }
  return warnings;
}

/** Kubernetes' IsQualifiedName: `[prefix/]name` as label and annotation keys use. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    const [prefix, rest] = parts as [string, string];
    name = rest;
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const msg of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    return [
      `a qualified name ${regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        qualifiedNameFmt,
        ["MyName", "my.name", "123-abc"],
      )} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > MAX_LABEL_LENGTH) errs.push(`name part must be no more than ${MAX_LABEL_LENGTH} characters`);
  if (name.length > 0 && !qualifiedName.test(name)) {
    errs.push(
      `name part ${regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        qualifiedNameFmt,
        ["MyName", "my.name", "123-abc"],
      )}`,
    );
  }
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_LABEL_LENGTH) errs.push(`must be no more than ${MAX_LABEL_LENGTH} characters`);
  if (!labelValue.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        qualifiedNameFmt,
        ["MyValue", "my_value", "12345"],
      ),
    );
  }
  return errs;
}

export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== "object" || Array.isArray(labels)) {
    return [fieldErrors.typeInvalid(field, labels, "must be a map of string keys to string values")];
  }
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const msg of isQualifiedName(key)) errs.push(fieldErrors.invalid(field, key, msg));
    if (typeof value !== "string") {
      errs.push(fieldErrors.typeInvalid(`${field}[${key}]`, value, "must be a string"));
      continue;
    }
    for (const msg of isValidLabelValue(value)) errs.push(fieldErrors.invalid(field, value, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== "object" || Array.isArray(annotations)) {
    return [fieldErrors.typeInvalid(field, annotations, "must be a map of string keys to string values")];
  }
  const errs: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(key.toLowerCase())) errs.push(fieldErrors.invalid(field, key, msg));
    if (typeof value !== "string") {
      errs.push(fieldErrors.typeInvalid(`${field}[${key}]`, value, "must be a string"));
      continue;
    }
    total += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (total > MAX_ANNOTATIONS_BYTES) {
    errs.push({ type: "FieldValueTooLong", field, detail: `must have at most ${MAX_ANNOTATIONS_BYTES} bytes` });
  }
  return errs;
}

export interface ObjectMetaRules {
  namespaced: boolean;
  /** Checks a name; returns messages. Default: DNS-1123 subdomain. */
  validateName?: (name: string) => string[];
  /** Checks a generateName as it is (no trailing dash masked); default: `validateName` on it, masked. */
  validateGenerateName?: (prefix: string) => string[];
}

/**
 * Validates the metadata of an object about to be created or updated, once its name has been
 * generated (apimachinery's ValidateObjectMetaAccessor): a bad generateName is reported on
 * itself and again on the name made from it.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: ObjectMetaRules): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta || typeof meta !== "object") return [fieldErrors.required("metadata", "")];
  const nameCheck = rules.validateName ?? isDNS1123Subdomain;
  if (meta.generateName !== undefined && meta.generateName !== "") {
    if (typeof meta.generateName !== "string") {
      errs.push(fieldErrors.typeInvalid("metadata.generateName", meta.generateName, "must be a string"));
    } else {
      // A prefix may end in '-' (Kubernetes masks a trailing dash before checking).
      const masked = meta.generateName.endsWith("-") ? `${meta.generateName.slice(0, -1)}a` : meta.generateName;
      const messages = rules.validateGenerateName ? rules.validateGenerateName(meta.generateName) : nameCheck(masked);
      for (const msg of messages) errs.push(fieldErrors.invalid("metadata.generateName", meta.generateName, msg));
    }
  }
  if (meta.name === undefined || meta.name === "") {
    errs.push(fieldErrors.required("metadata.name", "name or generateName is required"));
  } else if (typeof meta.name !== "string") {
    errs.push(fieldErrors.typeInvalid("metadata.name", meta.name, "must be a string"));
  } else {
    for (const msg of nameCheck(meta.name)) errs.push(fieldErrors.invalid("metadata.name", meta.name, msg));
  }
  if (rules.namespaced) {
    if (!meta.namespace) errs.push(fieldErrors.required("metadata.namespace", ""));
    else
      for (const msg of isDNS1123Label(meta.namespace))
        errs.push(fieldErrors.invalid("metadata.namespace", meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(fieldErrors.forbidden("metadata.namespace", "not allowed on this type"));
  }
  errs.push(...validateLabels(meta.labels, "metadata.labels"));
  errs.push(...validateAnnotations(meta.annotations, "metadata.annotations"));
  if (meta.finalizers !== undefined) {
    if (!Array.isArray(meta.finalizers)) {
      errs.push(fieldErrors.typeInvalid("metadata.finalizers", meta.finalizers, "must be a list of strings"));
    } else {
      meta.finalizers.forEach((f, i) => {
        const field = `metadata.finalizers[${i}]`;
        if (typeof f !== "string") errs.push(fieldErrors.typeInvalid(field, f, "must be a string"));
        else for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(field, f, msg));
      });
      if (meta.finalizers.includes(ORPHAN_FINALIZER) && meta.finalizers.includes(FOREGROUND_FINALIZER)) {
        errs.push(
          fieldErrors.invalid(
            "metadata.finalizers",
            new RawBadValue(goStrings(meta.finalizers)),
            "finalizer orphan and foregroundDeletion cannot be both set",
          ),
        );
      }
    }
  }
  if (meta.ownerReferences !== undefined) {
    if (!Array.isArray(meta.ownerReferences)) {
      errs.push(fieldErrors.typeInvalid("metadata.ownerReferences", meta.ownerReferences, "must be a list"));
    } else {
      errs.push(...validateOwnerReferences(meta.ownerReferences));
    }
  }
  return errs;
}

/** apimachinery's ValidateOwnerReferences: its messages, on the list's path (no index), as upstream reports them. */
function validateOwnerReferences(refs: readonly OwnerReference[]): FieldError[] {
  const errs: FieldError[] = [];
  const field = "metadata.ownerReferences";
  let controller = "";
  for (const ref of refs) {
    if (ref === null || typeof ref !== "object" || Array.isArray(ref)) {
      errs.push(fieldErrors.typeInvalid(field, ref, "must be an object"));
      continue;
    }
    const apiVersion = typeof ref.apiVersion === "string" ? ref.apiVersion : "";
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    if (version === "") errs.push(fieldErrors.invalid(`${field}.apiVersion`, apiVersion, "version must not be empty"));
    for (const key of ["kind", "name", "uid"] as const) {
      const value = typeof ref[key] === "string" ? ref[key] : "";
      if (value === "") errs.push(fieldErrors.invalid(`${field}.${key}`, value, `${key} must not be empty`));
    }
    // apimachinery's BannedOwners: the v1 Event.
    if (group === "" && version === "v1" && ref.kind === "Event") {
      errs.push(fieldErrors.invalid(field, ref, `/${version}, Kind=${ref.kind} is disallowed from being an owner`));
    }
    if (ref.controller === true) {
      const name = `${ref.kind}/${ref.name}`;
      if (controller === "") controller = name;
      else
        errs.push(
          fieldErrors.invalid(
            field,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${name}`,
          ),
        );
    }
  }
  return errs;
}

/** Go's %#v of a []string, as field errors print one. */
export function goStrings(values: readonly string[]): string {
  return `[]string{${values.map((v) => goQuote(v)).join(", ")}}`;
}
