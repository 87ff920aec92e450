/**
 * OpenAPI v3 schema validation with ajv (compiled once per kind and version), reported
 * as Kubernetes field errors with the messages kube-openapi's validator produces
 * (`spec.replicas in body should be greater than or equal to 1`).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { type FieldError, fieldErrors } from "../api/errors.js";
import type { ObjectMeta } from "../api/meta.js";
import type { JSONSchemaProps } from "../model/schema.js";
import { isDNS1035Label, isValidPathSegmentName, validateObjectMeta } from "../validation/object-meta.js";

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type AjvSchema = Record<string, unknown>;

/** Formats Kubernetes checks; any other format is ignored, as Kubernetes ignores it. */
const checkedFormats = new Set([
  "date",
  "date-time",
  "datetime",
  "uri",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "uuid",
  "byte",
  "cidr",
  "mac",
  "duration",
]);

let sharedAjv: Ajv | undefined;
function ajv(): Ajv {
  if (sharedAjv) return sharedAjv;
  const instance = new Ajv({
    allErrors: true,
    strict: false,
    verbose: true,
    validateSchema: false,
    unicodeRegExp: true,
  });
  addFormats(instance, ["date", "date-time", "uri", "email", "hostname", "ipv4", "ipv6", "uuid", "byte"]);
  instance.addFormat("datetime", instance.formats["date-time"] as never);
  instance.addFormat("cidr", {
    type: "string",
    validate: (s: string) => /^(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/.test(s),
  });
  instance.addFormat("mac", { type: "string", validate: /^(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/ });
  // Go's time.ParseDuration syntax: "1h30m", "-2.5s", "0".
  instance.addFormat("duration", {
    type: "string",
    validate:
      /^[-+]?(?:0|(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))*$/,
  });
  sharedAjv = instance;
  return instance;
}

/** Converts a structural schema into what ajv (draft-07) understands. */
export function toAjvSchema(schema: JSONSchemaProps, isResource = false): AjvSchema {
  const out: AjvSchema = {};
  const intOrString = schema["x-kubernetes-int-or-string"] === true;
  if (intOrString) out.type = schema.nullable ? ["integer", "string", "null"] : ["integer", "string"];
  else if (schema.type) out.type = schema.nullable ? [schema.type, "null"] : schema.type;
  if (schema.format && checkedFormats.has(schema.format)) out.format = schema.format;
  if (schema.enum) out.enum = schema.nullable ? [...schema.enum, null] : schema.enum;
  for (const key of [
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
  ] as const) {
    if (schema[key] !== undefined) out[key] = schema[key];
  }
  if (schema.minimum !== undefined) {
    if (schema.exclusiveMinimum) out.exclusiveMinimum = schema.minimum;
    else out.minimum = schema.minimum;
  }
  if (schema.maximum !== undefined) {
    if (schema.exclusiveMaximum) out.exclusiveMaximum = schema.maximum;
    else out.maximum = schema.maximum;
  }
  const embedded = isResource || schema["x-kubernetes-embedded-resource"] === true;
  if (schema.properties) {
    const properties: Record<string, AjvSchema> = {};
    for (const [name, property] of Object.entries(schema.properties)) {
      // metadata is ObjectMeta, checked by the object-meta rules, not by the schema.
      if (embedded && name === "metadata") continue;
      properties[name] = toAjvSchema(property);
    }
    out.properties = properties;
  }
  if (schema.required?.length) {
    out.required = embedded ? schema.required.filter((r) => r !== "metadata") : schema.required;
  }
  if (typeof schema.additionalProperties === "object")
    out.additionalProperties = toAjvSchema(schema.additionalProperties);
  if (schema.items) out.items = toAjvSchema(schema.items);
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const list = schema[key];
    if (list) out[key] = list.map((s) => toAjvSchema(s));
  }
  if (schema.not) out.not = toAjvSchema(schema.not);
  return out;
}

export interface SchemaValidator {
  /** Validates a (pruned, defaulted) object; returns Kubernetes field errors. */
  validate(object: unknown): FieldError[];
}

/**
 * Compiles a validator for one version's schema. Throws when the schema can't compile. Besides
 * the schema, it checks each embedded resource's apiVersion, kind and metadata (apiextensions'
 * objectmeta.Validate); the root's are the object-meta rules' business.
 */
export function compileSchemaValidator(schema: JSONSchemaProps): SchemaValidator {
  const compiled: ValidateFunction = ajv().compile(toAjvSchema(schema, true));
  const embeds = hasEmbeddedResource(schema);
  return {
    validate(object) {
      const errors = compiled(object) ? [] : (compiled.errors ?? []).map((e) => toFieldError(e, object));
      if (embeds) errors.push(...embeddedResourceErrors(object, schema, ""));
      return errors;
    },
  };
}

/** Whether any schema below `schema` is an embedded resource (most kinds have none: no walk). */
function hasEmbeddedResource(schema: JSONSchemaProps | undefined, seen = new Set<JSONSchemaProps>()): boolean {
  if (!schema || seen.has(schema)) return false;
  seen.add(schema);
  if (schema["x-kubernetes-embedded-resource"] === true) return true;
  const additional = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  return [...Object.values(schema.properties ?? {}), schema.items, additional].some((s) =>
    hasEmbeddedResource(s, seen),
  );
}

const childPath = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** The errors of every embedded resource in `value`, walked along `schema` (properties, map values, items). */
function embeddedResourceErrors(value: unknown, schema: JSONSchemaProps | undefined, path: string): FieldError[] {
  if (!schema || value === null || typeof value !== "object") return [];
  const errors: FieldError[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      errors.push(...embeddedResourceErrors(item, schema.items, `${path}[${i}]`));
    });
    return errors;
  }
  const object = value as Record<string, unknown>;
  if (path !== "" && schema["x-kubernetes-embedded-resource"] === true) {
    errors.push(...embeddedResourceMetaErrors(object, path));
  }
  const additional = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  for (const [key, field] of Object.entries(object)) {
    const property = schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (property) errors.push(...embeddedResourceErrors(field, property, childPath(path, key)));
    else if (additional) errors.push(...embeddedResourceErrors(field, additional, `${path}[${key}]`));
  }
  return errors;
}

/** Go's %T of a JSON value as apimachinery decodes it. */
function goTypeName(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int64" : "float64";
  if (Array.isArray(value)) return "[]interface {}";
  return "map[string]interface {}";
}

/** An embedded resource's type meta and object meta, checked as kube-apiserver checks a custom resource's. */
function embeddedResourceMetaErrors(object: Record<string, unknown>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const { apiVersion, kind, metadata } = object;
  const at = (key: string) => childPath(path, key);
  if (apiVersion === undefined) errors.push(fieldErrors.required(at("apiVersion")));
  else if (typeof apiVersion !== "string")
    errors.push(fieldErrors.invalid(at("apiVersion"), apiVersion, "must be a string"));
  else if (apiVersion === "") errors.push(fieldErrors.required(at("apiVersion")));
  else if (apiVersion.split("/").length > 2) {
    errors.push(fieldErrors.invalid(at("apiVersion"), apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
  }
  if (kind === undefined) errors.push(fieldErrors.required(at("kind")));
  else if (typeof kind !== "string") errors.push(fieldErrors.invalid(at("kind"), kind, "must be a string"));
  else if (kind === "") errors.push(fieldErrors.required(at("kind")));
  else {
    const messages = isDNS1035Label(kind.toLowerCase());
    if (messages.length > 0) {
      errors.push(
        fieldErrors.invalid(at("kind"), kind, `may have mixed case, but should otherwise match: ${messages.join(",")}`),
      );
    }
  }
  if (metadata === undefined || metadata === null) return errors;
  if (typeof metadata !== "object" || Array.isArray(metadata)) {
    // kube-apiserver reports its JSON decoder's message here; this is the same fact in its words for the lenient path.
    errors.push(
      fieldErrors.invalid(at("metadata"), metadata, `invalid metadata: expected object, got ${goTypeName(metadata)}`),
    );
    return errors;
  }
  const meta = metadata as ObjectMeta;
  // An embedded resource's name may be left out (kube-apiserver checks a stand-in then).
  const named = meta.name === undefined || meta.name === "" ? { ...meta, name: "fakename" } : meta;
  const metaErrors = validateObjectMeta(named, {
    namespaced: typeof meta.namespace === "string" && meta.namespace !== "",
    validateName: (name) => isValidPathSegmentName(name),
    validateGenerateName: (prefix) => isValidPathSegmentName(prefix, true),
  });
  for (const error of metaErrors) errors.push({ ...error, field: childPath(path, error.field) });
  return errors;
}

/** `/spec/stages/0/name` → `spec.stages[0].name`, using the data to tell indexes from keys. */
export function pointerToFieldPath(pointer: string, root: unknown): string {
  if (!pointer) return "";
  let path = "";
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      path += `[${segment}]`;
      node = node[Number(segment)];
    } else {
      path = path ? `${path}.${segment}` : segment;
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function toFieldError(error: ErrorObject, root: unknown): FieldError {
  const path = pointerToFieldPath(error.instancePath, root);
  const name = path || ".";
  const params = error.params as Record<string, unknown>;
  const value = error.data;
  const inBody = `${name} in body`;
  switch (error.keyword) {
    case "required": {
      const missing = String(params.missingProperty);
      return fieldErrors.required(path ? `${path}.${missing}` : missing, "");
    }
    case "type": {
      const expected = Array.isArray(params.type) ? params.type.join(",") : String(params.type);
      const actual = jsonType(value);
      return fieldErrors.typeInvalid(path, actual, `${inBody} must be of type ${expected}: ${JSON.stringify(actual)}`);
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
      return fieldErrors.notSupported(path, value, allowed);
    }
    case "maxLength":
      return fieldErrors.tooLong(path, Number(params.limit));
    case "maxItems":
    case "maxProperties":
      return fieldErrors.tooMany(
        path,
        Array.isArray(value) ? value.length : Object.keys(value as object).length,
        Number(params.limit),
      );
    default:
      return fieldErrors.invalid(path, value, describe(error, inBody, params));
  }
}

function describe(error: ErrorObject, inBody: string, params: Record<string, unknown>): string {
  switch (error.keyword) {
    case "minLength":
      return `${inBody} should be at least ${params.limit} chars long`;
    case "pattern":
      return `${inBody} should match '${params.pattern}'`;
    case "minimum":
      return `${inBody} should be greater than or equal to ${params.limit}`;
    case "exclusiveMinimum":
      return `${inBody} should be greater than ${params.limit}`;
    case "maximum":
      return `${inBody} should be less than or equal to ${params.limit}`;
    case "exclusiveMaximum":
      return `${inBody} should be less than ${params.limit}`;
    case "multipleOf":
      return `${inBody} should be a multiple of ${params.multipleOf}`;
    case "minItems":
      return `${inBody} should have at least ${params.limit} items`;
    case "minProperties":
      return `${inBody} should have at least ${params.limit} properties`;
    case "uniqueItems":
      return `${inBody} shouldn't contain duplicates`;
    case "format":
      return `${inBody} must be of type ${params.format}: ${JSON.stringify(error.data)}`;
    default:
      return `${inBody} ${error.message ?? "is invalid"}`;
  }
}
