/**
 * CEL validation rules checked when types are generated, not when the server starts: each kind
 * version's schema is compiled as the runtime (and Kubernetes for a CRD) compiles it, and every
 * problem points at the type or field whose marker declared the rule.
 */
import { compileValidationRules } from "@apiserver-kit/cel";
import { toJSONSchema } from "../emit/schema.js";
import type { CodegenError, SourceLocation } from "../errors/codegen-error.js";
import type { ApiModel, FieldModel, KindVersionModel, TypeModel } from "../model/api-model.js";

export function checkValidationRules(model: ApiModel): CodegenError[] {
  const errors: CodegenError[] = [];
  for (const group of model.groups) {
    for (const kind of group.kinds) {
      for (const version of kind.versions) {
        if (!hasRules(version.schema, new Set())) continue;
        const compiled = compileValidationRules(toJSONSchema(version.schema));
        if (compiled.ok) continue;
        for (const error of compiled.errors) {
          const at = locate(version, error.field);
          const detail = error.detail ?? "";
          errors.push({
            code: "InvalidValidationRule",
            message: `${kind.kind} ${version.name}: ${error.rule === undefined ? "" : `rule ${JSON.stringify(error.rule)}: `}${detail}`,
            file: at.file,
            line: at.line,
            column: at.column,
            hint: hintFor(error.reason),
          });
        }
      }
    }
  }
  return errors;
}

function hasRules(type: TypeModel, seen: Set<TypeModel>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  if ((type.validations?.length ?? 0) > 0) return true;
  const children = [...(type.properties ?? []).map((field) => field.type), type.items, type.values];
  return children.some((child) => child !== undefined && hasRules(child, seen));
}

/** Follows `openAPIV3Schema.properties[spec].items.x-kubernetes-validations[0]...` through the model. */
function locate(version: KindVersionModel, path: string): SourceLocation {
  let type: TypeModel | undefined = version.schema;
  let at: SourceLocation = version.schema.source ?? version.source;
  for (const segment of path.split(".").slice(1)) {
    if (type === undefined || segment.startsWith("x-kubernetes-validations")) break;
    const property = /^properties\[(.+)\]$/.exec(segment);
    if (property) {
      const field: FieldModel | undefined = type.properties?.find((candidate) => candidate.name === property[1]);
      type = field?.type;
      at = field?.source ?? type?.source ?? at;
    } else if (segment === "items") {
      type = type.items;
      at = type?.source ?? at;
    } else if (segment === "additionalProperties") {
      type = type.values;
      at = type?.source ?? at;
    } else break;
  }
  return at;
}

function hintFor(reason: string): string {
  switch (reason) {
    case "CompilationFailed":
      return "`self` is the value of the type or field the rule is written on; check field names and types";
    case "CostExceeded":
      return "bound the lists, maps and strings the rule walks with @maxItems, @maxProperties or @maxLength";
    case "InvalidFieldPath":
      return "fieldPath is a path below the rule's own node, such as .spec.replicas";
    case "UncorrelatableOldSelf":
      return "oldSelf needs lists above the rule to be @listType map (or the rule placed above them)";
    default:
      return "see docs/guides/cel-validation.md";
  }
}
