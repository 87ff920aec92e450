import type { CodegenErrorCode, ErrorCollector, SourceLocation } from "../errors/codegen-error.js";
import { parseMarkerArguments } from "../jsdoc/arguments.js";
import type { JsDocTag } from "../jsdoc/jsdoc.js";
import type { JsonValue, TypeKind, TypeModel, ValidationRuleModel } from "../model/api-model.js";
import { findMarker, isDocumentationTag, unknownMarkerHint } from "./catalog.js";

/** String formats Kubernetes validates (k8s.io/apiextensions-apiserver supportedFormats), plus `date-time`. */
export const STRING_FORMATS: ReadonlySet<string> = new Set([
  "bsonobjectid",
  "uri",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "cidr",
  "mac",
  "uuid",
  "uuid3",
  "uuid4",
  "uuid5",
  "isbn",
  "isbn10",
  "isbn13",
  "creditcard",
  "ssn",
  "hexcolor",
  "rgbcolor",
  "byte",
  "password",
  "date",
  "duration",
  "datetime",
  "date-time",
]);
const NUMBER_FORMATS: Readonly<Record<string, ReadonlySet<string>>> = {
  integer: new Set(["int32", "int64"]),
  number: new Set(["float", "double"]),
};

const VALIDATION_REASONS = new Set([
  "FieldValueInvalid",
  "FieldValueForbidden",
  "FieldValueRequired",
  "FieldValueDuplicate",
]);
const PATCH_STRATEGIES = ["merge", "replace", "retainKeys", "merge,retainKeys"] as const;

const NUMERIC: readonly TypeKind[] = ["integer", "number"];
const TEXTUAL: readonly TypeKind[] = ["string", "int-or-string"];
const OBJECTS: readonly TypeKind[] = ["object", "map"];

/** Markers taking a count, and the values each applies to. */
const COUNTS: Record<
  "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties",
  readonly TypeKind[]
> = {
  minLength: TEXTUAL,
  maxLength: TEXTUAL,
  minItems: ["array"],
  maxItems: ["array"],
  minProperties: OBJECTS,
  maxProperties: OBJECTS,
};

export interface MarkerSite {
  errors: ErrorCollector;
  /** Where a tag is, for errors. */
  locate(tag: JsDocTag): SourceLocation;
  /** What the comment belongs to, for "belongs on" messages: a field, a type, or a kind's interface. */
  site: "field" | "type" | "kind";
}

type Fail = (code: CodegenErrorCode, message: string, hint?: string) => void;

/**
 * Applies the schema markers of one comment to a copy of `base` (nodes are shared: never
 * mutated in place). Kind and group markers found here are errors: they belong elsewhere.
 * Checks that need the finished tree (list map keys, defaults, min ≤ max) run later, in tree checks.
 */
export function applySchemaMarkers(base: TypeModel, tags: readonly JsDocTag[], site: MarkerSite): TypeModel {
  const relevant = tags.filter(
    (tag) => !isDocumentationTag(tag.name) && !(tag.name === "deprecated" && site.site !== "kind"),
  );
  if (relevant.length === 0) return base;
  const out: TypeModel = { ...base };
  const seen = new Set<string>();
  for (const tag of relevant) {
    const fail: Fail = (code, message, hint) => site.errors.report(code, message, site.locate(tag), hint);
    const info = findMarker(tag.name);
    if (info === undefined) {
      fail("UnknownMarker", `@${tag.name} is not a marker`, unknownMarkerHint(tag.name));
      continue;
    }
    if (info.target === "kind") {
      fail("MarkerNotApplicable", `@${tag.name} belongs on a @kind interface, not on a ${site.site}`);
      continue;
    }
    if (info.target === "request") {
      fail(
        "MarkerNotApplicable",
        `@${tag.name} belongs on an exported interface of its own (the subresource's type), not on a ${site.site}`,
      );
      continue;
    }
    if (info.target === "group") {
      fail("MarkerNotApplicable", `@${tag.name} belongs in the group folder's doc.ts`);
      continue;
    }
    if (!info.repeatable && seen.has(tag.name)) {
      fail("DuplicateMarker", `@${tag.name} is given more than once`);
      continue;
    }
    seen.add(tag.name);
    applyOne(out, tag, fail);
  }
  if (seen.has("minimum") && seen.has("exclusiveMinimum")) {
    const tag = relevant.find((t) => t.name === "exclusiveMinimum");
    if (tag)
      site.errors.report(
        "ConflictingMarkers",
        "@minimum and @exclusiveMinimum both set the lower bound",
        site.locate(tag),
      );
  }
  if (seen.has("maximum") && seen.has("exclusiveMaximum")) {
    const tag = relevant.find((t) => t.name === "exclusiveMaximum");
    if (tag)
      site.errors.report(
        "ConflictingMarkers",
        "@maximum and @exclusiveMaximum both set the upper bound",
        site.locate(tag),
      );
  }
  return out;
}

function applyOne(out: TypeModel, tag: JsDocTag, fail: Fail): void {
  const name = tag.name;
  const requireType = (kinds: readonly TypeKind[]): boolean => {
    if (kinds.includes(out.type)) return true;
    fail(
      "MarkerNotApplicable",
      `@${name} applies to ${kinds.join(" or ")} values, not to ${describeKind(out)}`,
      itemsHint(out),
    );
    return false;
  };
  const flag = (): boolean => {
    if (tag.text === "" || tag.text === "true") return true;
    fail("InvalidMarker", `@${name} takes no argument (found "${tag.text}")`);
    return false;
  };
  const count = (): number | undefined => {
    if (/^(0|[1-9][0-9]*)$/.test(tag.text)) return Number(tag.text);
    fail("InvalidMarker", `@${name} needs a non-negative integer (found "${tag.text}")`);
    return undefined;
  };
  const oneOf = <T extends string>(values: readonly T[]): T | undefined => {
    const found = values.find((value) => value === tag.text);
    if (found === undefined)
      fail("InvalidMarker", `@${name} must be one of ${values.join(", ")} (found "${tag.text}")`);
    return found;
  };
  const fieldName = (): string | undefined => {
    if (/^[A-Za-z_$][\w$-]*$/.test(tag.text)) return tag.text;
    fail("InvalidMarker", `@${name} needs a field name (found "${tag.text}")`);
    return undefined;
  };
  const bound = (): number | undefined => {
    const value = parseNumber(tag.text);
    if (value === undefined) {
      fail("InvalidMarker", `@${name} needs a number (found "${tag.text}")`);
      return undefined;
    }
    if (out.type === "integer" && !Number.isInteger(value)) {
      fail("InvalidMarker", `@${name} ${tag.text} is not a whole number, but the field is an integer`);
      return undefined;
    }
    return value;
  };

  switch (name) {
    case "minimum":
    case "exclusiveMinimum": {
      if (!requireType(NUMERIC)) return;
      const value = bound();
      if (value === undefined) return;
      out.minimum = value;
      if (name === "exclusiveMinimum") out.exclusiveMinimum = true;
      else delete out.exclusiveMinimum;
      return;
    }
    case "maximum":
    case "exclusiveMaximum": {
      if (!requireType(NUMERIC)) return;
      const value = bound();
      if (value === undefined) return;
      out.maximum = value;
      if (name === "exclusiveMaximum") out.exclusiveMaximum = true;
      else delete out.exclusiveMaximum;
      return;
    }
    case "multipleOf": {
      if (!requireType(NUMERIC)) return;
      const value = bound();
      if (value === undefined) return;
      if (value <= 0) {
        fail("InvalidMarker", "@multipleOf needs a number greater than 0");
        return;
      }
      out.multipleOf = value;
      return;
    }
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
    case "minProperties":
    case "maxProperties": {
      if (!requireType(COUNTS[name])) return;
      const value = count();
      if (value !== undefined) out[name] = value;
      return;
    }
    case "pattern": {
      if (!requireType(TEXTUAL)) return;
      if (tag.text === "") {
        fail("InvalidMarker", "@pattern needs a regular expression");
        return;
      }
      try {
        new RegExp(tag.text);
      } catch (error) {
        fail("InvalidMarker", `@pattern is not a valid regular expression: ${(error as Error).message}`);
        return;
      }
      out.pattern = tag.text;
      return;
    }
    case "format": {
      if (!requireType(["string", "integer", "number"])) return;
      const allowed = out.type === "string" ? STRING_FORMATS : NUMBER_FORMATS[out.type];
      if (!allowed?.has(tag.text)) {
        fail(
          "InvalidMarker",
          `@format ${tag.text || "(empty)"} is not a ${out.type} format Kubernetes knows`,
          `one of: ${[...(allowed ?? [])].join(", ")}`,
        );
        return;
      }
      out.format = tag.text;
      return;
    }
    case "default": {
      if (tag.text === "") {
        fail("InvalidMarker", "@default needs a JSON value");
        return;
      }
      const value = parseDefault(tag.text, out);
      if (value === undefined) {
        fail(
          "InvalidDefault",
          `@default ${tag.text} is not JSON`,
          'strings are written with quotes, e.g. @default "Red"',
        );
        return;
      }
      out.default = value;
      return;
    }
    case "preserveUnknownFields":
      if (requireType(["object", "map", "any"]) && flag()) out.preserveUnknownFields = true;
      return;
    case "embeddedResource":
      if (requireType(["object", "map", "any"]) && flag()) out.embeddedResource = true;
      return;
    case "listType": {
      const value = requireType(["array"]) ? oneOf(["atomic", "set", "map"] as const) : undefined;
      if (value !== undefined) out.listType = value;
      return;
    }
    case "listMapKey": {
      const key = requireType(["array"]) ? fieldName() : undefined;
      if (key !== undefined) out.listMapKeys = [...(out.listMapKeys ?? []), key];
      return;
    }
    case "mapType": {
      const value = requireType(OBJECTS) ? oneOf(["atomic", "granular"] as const) : undefined;
      if (value !== undefined) out.mapType = value;
      return;
    }
    case "patchStrategy": {
      const value = requireType(["array", "object", "map"]) ? oneOf(PATCH_STRATEGIES) : undefined;
      if (value !== undefined) out.patchStrategy = value;
      return;
    }
    case "patchMergeKey": {
      const key = requireType(["array"]) ? fieldName() : undefined;
      if (key !== undefined) out.patchMergeKey = key;
      return;
    }
    case "validation": {
      const rule = parseValidationRule(tag.text);
      if (typeof rule === "string") {
        fail("InvalidMarker", `@validation: ${rule}`);
        return;
      }
      out.validations = [...(out.validations ?? []), rule];
      return;
    }
    default:
      fail("UnknownMarker", `@${name} is not a schema marker`);
  }
}

/** `@validation rule=".." message=".."` → one x-kubernetes-validations entry, or what is wrong with it. */
export function parseValidationRule(text: string): ValidationRuleModel | string {
  const parsed = parseMarkerArguments(text);
  if (!parsed.ok) return parsed.error;
  const { positional, named } = parsed.value;
  if (positional.length > 0) return `write each part as key=value (found "${positional[0]}")`;
  const rule = named.get("rule");
  if (rule === undefined || rule.trim() === "") return 'rule=".." is required';
  const out: ValidationRuleModel = { rule };
  for (const [key, value] of named) {
    switch (key) {
      case "rule":
        break;
      case "message":
        out.message = value;
        break;
      case "messageExpression":
        out.messageExpression = value;
        break;
      case "reason":
        if (!VALIDATION_REASONS.has(value)) return `reason must be one of ${[...VALIDATION_REASONS].join(", ")}`;
        out.reason = value as NonNullable<ValidationRuleModel["reason"]>;
        break;
      case "fieldPath":
        if (!value.startsWith(".")) return `fieldPath must be a path starting with "." (found "${value}")`;
        out.fieldPath = value;
        break;
      case "optionalOldSelf":
        if (value !== "true" && value !== "false") return "optionalOldSelf must be true or false";
        out.optionalOldSelf = value === "true";
        break;
      default:
        return `unknown key ${key} (rule, message, messageExpression, reason, fieldPath, optionalOldSelf)`;
    }
  }
  return out;
}

function parseNumber(text: string): number | undefined {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** JSON, except that a string field may take its default unquoted (`@default Red`). */
function parseDefault(text: string, type: TypeModel): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    if (type.type === "string" && !/^["[{]/.test(text)) return text;
    return undefined;
  }
}

function describeKind(type: TypeModel): string {
  const name = type.typeName ?? type.wellKnown;
  const kind = type.type === "map" ? "map (Record)" : type.type === "any" ? "untyped" : type.type;
  return name === undefined ? `a ${kind}` : `${name} (${kind})`;
}

function itemsHint(type: TypeModel): string | undefined {
  if (type.type !== "array") return undefined;
  return "to constrain the items, declare a type alias for the item type with the marker, e.g. /** @minimum 1 */ type Port = int32, and use Port[]";
}
