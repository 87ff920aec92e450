import type { InterfaceDeclaration, TypeAliasDeclaration } from "ts-morph";
import type { ErrorCollector, SourceLocation } from "../errors/codegen-error.js";
import { parseMarkerArguments } from "../jsdoc/arguments.js";
import type { JsDoc, JsDocTag } from "../jsdoc/jsdoc.js";
import { findMarker } from "../markers/catalog.js";
import type { TypeModel } from "../model/api-model.js";
import { isKindName } from "../model/names.js";
import type { ApiSourceFile } from "./source-index.js";
import { checkTree } from "./tree-checks.js";
import type { TypeResolver } from "./type-resolver.js";

/** The markers that make an interface the type of a custom subresource, and what each names. */
export const SUBRESOURCE_TYPE_MARKERS = {
  /** The body of an action (POST). */
  actionRequest: {
    argument: "action",
    example: "@actionRequest kind=Fischer action=ban",
    list: "actionRequests",
    suffix: "Request",
    invalid: "InvalidActionRequest",
    duplicate: "DuplicateActionRequest",
  },
  /** The query options of a read or stream (GET). */
  subresourceOptions: {
    argument: "subresource",
    example: "@subresourceOptions kind=Build subresource=log",
    list: "subresourceOptions",
    suffix: "Options",
    invalid: "InvalidSubresourceOptions",
    duplicate: "DuplicateSubresourceOptions",
  },
  /** What an action or a read answers. */
  subresourceResponse: {
    argument: "subresource",
    example: "@subresourceResponse kind=Build subresource=summary",
    list: "subresourceResponses",
    suffix: "Response",
    invalid: "InvalidSubresourceResponse",
    duplicate: "DuplicateSubresourceResponse",
  },
} as const;

export type SubresourceTypeMarker = keyof typeof SUBRESOURCE_TYPE_MARKERS;

/** One marked interface, before it is attached to the kind it names. */
export interface SubresourceTypeDraft {
  marker: SubresourceTypeMarker;
  /** The kind whose subresource takes this type. */
  target: string;
  /** The subresource's name: the URL segment after the object's name. */
  subresource: string;
  /** The interface's name: the kind of the body or options. */
  kind: string;
  version: string;
  schema: TypeModel;
  source: SourceLocation;
  /** Where the marker is written. */
  at: SourceLocation;
}

/** A custom subresource's name, as the runtime accepts it: a lower-case DNS label. */
const SUBRESOURCE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** What a query parameter can be: the runtime converts these three. */
const PARAMETER_TYPES = new Set(["string", "integer", "boolean"]);
/** TypeModel keys a query parameter can't carry: the runtime converts parameters, it does not validate them. */
const CONSTRAINTS = [
  "enum",
  "default",
  "nullable",
  "minimum",
  "maximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "validations",
] as const;

/**
 * Reads an interface marked `@actionRequest kind=<Kind> action=<name>` (the request body of that
 * action) or `@subresourceOptions kind=<Kind> subresource=<name>` (the query options of that read
 * or stream). Its schema is the interface's, with the usual markers; its kind is the interface's
 * name in the group and version of the folder it is declared in.
 */
export function parseSubresourceType(
  marker: SubresourceTypeMarker,
  declaration: InterfaceDeclaration | TypeAliasDeclaration,
  doc: JsDoc,
  file: ApiSourceFile,
  version: string | undefined,
  resolver: TypeResolver,
): SubresourceTypeDraft | undefined {
  const errors = resolver.errors;
  const { argument, example, invalid: code } = SUBRESOURCE_TYPE_MARKERS[marker];
  const syntax = `write @${marker} ${findMarker(marker)?.syntax ?? ""}, e.g. ${example}`;
  const name = declaration.getName();
  const tags = doc.tags.filter((t) => t.name === marker);
  const tag = tags[0] as JsDocTag;
  const at = { file: file.path, line: tag.line, column: tag.column };
  const fail = (message: string, hint?: string) => {
    errors.report(code, message, at, hint);
    return undefined;
  };
  const second = tags[1];
  if (second) {
    errors.report(
      "DuplicateMarker",
      `@${marker} is given more than once`,
      { file: file.path, line: second.line, column: second.column },
      "declare one interface per subresource",
    );
  }
  if (!("getMembers" in declaration)) {
    return fail(`${name}: a subresource's type is declared as an interface`, "write export interface ... { ... }");
  }
  if (version === undefined) {
    return fail(
      `${name} is marked @${marker} outside a version folder`,
      "subresource types live in src/apis/<group>/<version>/*.ts, beside the kinds",
    );
  }
  if (!declaration.isExported()) {
    errors.report(
      code,
      `${name} is marked @${marker} but not exported`,
      at,
      `write export interface ${name}, so that the handler can import it`,
    );
  }
  if (!isKindName(name)) {
    return fail(`${name} is not a kind name`, "the interface's name is its kind: CamelCase letters and digits");
  }
  const parsed = parseMarkerArguments(tag.text);
  if (!parsed.ok) return fail(`@${marker}: ${parsed.error}`, syntax);
  const { positional, named } = parsed.value;
  const unknown = [...positional, ...[...named.keys()].filter((key) => key !== "kind" && key !== argument)];
  if (unknown.length > 0) return fail(`@${marker} does not take ${unknown.join(", ")}`, syntax);
  const target = named.get("kind");
  const subresource = named.get(argument);
  if (target === undefined || subresource === undefined) {
    return fail(`@${marker} needs ${target === undefined ? "kind" : argument}=`, syntax);
  }
  if (!isKindName(target))
    return fail(`@${marker} kind=${target} is not a kind name`, "the kind as declared, e.g. Fischer");
  if (
    !SUBRESOURCE.test(subresource) ||
    subresource.length > 63 ||
    subresource === "status" ||
    subresource === "scale"
  ) {
    return fail(
      `@${marker} ${argument}=${subresource} is not a custom subresource name`,
      "a lower-case DNS label other than status and scale, as given to scaffold add subresource",
    );
  }
  const nameNode = declaration.getNameNode();
  const source = resolver.at(nameNode);
  const schema = resolver.declarationType(declaration, nameNode);
  checkTree(schema, errors, source);
  if (marker === "subresourceOptions") checkParameters(schema, errors, source);
  return { marker, target, subresource, kind: name, version, schema, source, at };
}

/** Options become query parameters: optional strings, integers or booleans, converted and not validated. */
function checkParameters(schema: TypeModel, errors: ErrorCollector, fallback: SourceLocation): void {
  for (const field of schema.properties ?? []) {
    const at = field.source ?? fallback;
    const report = (message: string, hint: string) => errors.report("InvalidSubresourceOptions", message, at, hint);
    if (field.required) {
      report(`${field.name}: a query parameter is optional`, `write ${field.name}?: ...`);
    } else if (!PARAMETER_TYPES.has(field.type.type)) {
      report(
        `${field.name}: a query parameter is a string, an integer or a boolean`,
        "use string, int32, int64 or boolean",
      );
    } else {
      const constraint = CONSTRAINTS.find((key) => field.type[key] !== undefined);
      if (constraint !== undefined) {
        report(
          `${field.name}: a query parameter is converted by type, not validated (${constraint})`,
          `check ${field.name}'s value in the handler, and answer a StatusError`,
        );
      }
    }
  }
}
