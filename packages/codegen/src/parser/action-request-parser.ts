import type { InterfaceDeclaration, TypeAliasDeclaration } from "ts-morph";
import type { SourceLocation } from "../errors/codegen-error.js";
import { parseMarkerArguments } from "../jsdoc/arguments.js";
import type { JsDoc, JsDocTag } from "../jsdoc/jsdoc.js";
import { findMarker } from "../markers/catalog.js";
import type { ActionRequestModel } from "../model/api-model.js";
import { isKindName } from "../model/names.js";
import type { ApiSourceFile } from "./source-index.js";
import { checkTree } from "./tree-checks.js";
import type { TypeResolver } from "./type-resolver.js";

/** One `@actionRequest` interface, before it is attached to the kind it names. */
export interface ActionRequestDraft {
  /** The kind whose action takes this body. */
  target: string;
  model: ActionRequestModel;
  /** Where the marker is written. */
  at: SourceLocation;
}

const SYNTAX = `write @actionRequest ${findMarker("actionRequest")?.syntax ?? ""}, e.g. @actionRequest kind=Fischer action=ban`;
/** A custom subresource's name, as the runtime accepts it: a lower-case DNS label. */
const ACTION = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads an interface marked `@actionRequest kind=<Kind> action=<name>`: the request body of that
 * action subresource. Its schema is the interface's, with the usual markers; its kind is the
 * interface's name in the group and version of the folder it is declared in.
 */
export function parseActionRequest(
  declaration: InterfaceDeclaration | TypeAliasDeclaration,
  doc: JsDoc,
  file: ApiSourceFile,
  version: string | undefined,
  resolver: TypeResolver,
): ActionRequestDraft | undefined {
  const errors = resolver.errors;
  const name = declaration.getName();
  const tag = doc.tags.find((t) => t.name === "actionRequest") as JsDocTag;
  const at = { file: file.path, line: tag.line, column: tag.column };
  const fail = (message: string, hint?: string) => {
    errors.report("InvalidActionRequest", message, at, hint);
    return undefined;
  };
  if (doc.tags.filter((t) => t.name === "actionRequest").length > 1) {
    const second = doc.tags.filter((t) => t.name === "actionRequest")[1] as JsDocTag;
    errors.report(
      "DuplicateMarker",
      "@actionRequest is given more than once",
      { file: file.path, line: second.line, column: second.column },
      "declare one interface per action's request body",
    );
  }
  if (!("getMembers" in declaration)) {
    return fail(`${name}: a request body is declared as an interface`, "write export interface ... { ... }");
  }
  if (version === undefined) {
    return fail(
      `${name} is marked @actionRequest outside a version folder`,
      "request bodies live in src/apis/<group>/<version>/*.ts, beside the kinds",
    );
  }
  if (!declaration.isExported()) {
    errors.report(
      "InvalidActionRequest",
      `${name} is marked @actionRequest but not exported`,
      at,
      `write export interface ${name}, so that the handler can import it`,
    );
  }
  if (!isKindName(name)) {
    return fail(
      `${name} is not a kind name`,
      "the interface's name is the request's kind: CamelCase letters and digits",
    );
  }
  const parsed = parseMarkerArguments(tag.text);
  if (!parsed.ok) return fail(`@actionRequest: ${parsed.error}`, SYNTAX);
  const { positional, named } = parsed.value;
  const unknown = [...positional, ...[...named.keys()].filter((key) => key !== "kind" && key !== "action")];
  if (unknown.length > 0) return fail(`@actionRequest does not take ${unknown.join(", ")}`, SYNTAX);
  const target = named.get("kind");
  const action = named.get("action");
  if (target === undefined || action === undefined) {
    return fail(`@actionRequest needs ${target === undefined ? "kind" : "action"}=`, SYNTAX);
  }
  if (!isKindName(target))
    return fail(`@actionRequest kind=${target} is not a kind name`, "the kind as declared, e.g. Fischer");
  if (!ACTION.test(action) || action.length > 63 || action === "status" || action === "scale") {
    return fail(
      `@actionRequest action=${action} is not a custom subresource name`,
      "a lower-case DNS label other than status and scale, as given to scaffold add subresource",
    );
  }
  const nameNode = declaration.getNameNode();
  const schema = resolver.declarationType(declaration, nameNode);
  checkTree(schema, errors, resolver.at(nameNode));
  return {
    target,
    at,
    model: { action, kind: name, version, schema, source: resolver.at(nameNode) },
  };
}
