import type {
  ExpressionWithTypeArguments,
  InterfaceDeclaration,
  PropertySignature,
  TypeElementTypes,
  TypeNode,
  TypeReferenceNode,
} from "ts-morph";
import type { CodegenErrorCode, ErrorCollector, SourceLocation } from "../errors/codegen-error.js";
import type { JsDocTag } from "../jsdoc/jsdoc.js";
import { findMarker } from "../markers/catalog.js";
import { applySchemaMarkers } from "../markers/schema-markers.js";
import type { FieldModel, TypeModel } from "../model/api-model.js";
import {
  DETACHED_JSDOC_HINT,
  DETACHED_JSDOC_MESSAGE,
  detachedJsDocStarts,
  jsDocOf,
  TRAILING_JSDOC_HINT,
  TRAILING_JSDOC_MESSAGE,
  trailingJsDocStarts,
} from "./jsdoc-of.js";
import { RUNTIME_MODULE, WELL_KNOWN_TYPE_NAMES, wellKnownType } from "./meta-types.js";
import type { ApiSourceFile, Declaration, Resolution, SourceIndex } from "./source-index.js";
import { Node, SyntaxKind } from "./ts-morph.js";

const UTILITY_TYPES = new Set([
  "Partial",
  "Required",
  "Readonly",
  "Pick",
  "Omit",
  "Exclude",
  "Extract",
  "NonNullable",
  "ReturnType",
  "Parameters",
  "InstanceType",
  "Awaited",
  "Uppercase",
  "Lowercase",
  "Capitalize",
  "Uncapitalize",
]);

/**
 * Turns TypeScript type syntax into schema nodes by walking the syntax tree and resolving
 * names through the SourceIndex: no type checker, so a project is read in one pass over its
 * files. Everything a Kubernetes schema can't say becomes a typed error at its position.
 */
export class TypeResolver {
  readonly #cache = new Map<Declaration, TypeModel>();
  readonly #resolving: Declaration[] = [];

  constructor(
    readonly index: SourceIndex,
    readonly errors: ErrorCollector,
  ) {}

  at(node: Node): SourceLocation {
    return this.index.location(node);
  }

  /** A placeholder after an error: preserves anything, so that it causes no further errors. */
  #invalid(code: CodegenErrorCode, message: string, node: Node, hint?: string): TypeModel {
    this.errors.report(code, message, this.at(node), hint);
    return { type: "any", preserveUnknownFields: true };
  }

  typeFromNode(node: TypeNode, file: ApiSourceFile): TypeModel {
    const source = this.at(node);
    if (Node.isTypeReference(node)) return this.#reference(node, file);
    if (Node.isArrayTypeNode(node)) {
      return { type: "array", items: this.typeFromNode(node.getElementTypeNode(), file), source };
    }
    if (Node.isParenthesizedTypeNode(node)) return this.typeFromNode(node.getTypeNode(), file);
    if (Node.isTypeOperatorTypeNode(node)) {
      if (node.getOperator() === SyntaxKind.ReadonlyKeyword) return this.typeFromNode(node.getTypeNode(), file);
      return this.#invalid(
        "UnsupportedType",
        `\`${node.getText()}\` has no Kubernetes schema`,
        node,
        unsupportedHint(node),
      );
    }
    if (Node.isTypeLiteral(node)) return this.#object(node, node.getMembers(), [], file, undefined, source);
    if (Node.isUnionTypeNode(node)) return this.#union(node.getTypeNodes(), node, file);
    if (Node.isLiteralTypeNode(node)) return this.#literal(node, source);
    if (Node.isTupleTypeNode(node)) {
      return this.#invalid(
        "TupleType",
        `the tuple \`${node.getText()}\` has no Kubernetes schema`,
        node,
        "use an array of one item type, or an object with named fields",
      );
    }
    if (Node.isIntersectionTypeNode(node)) {
      return this.#invalid(
        "IntersectionType",
        `the intersection \`${node.getText()}\` is not supported`,
        node,
        "declare an interface that extends the parts (interface C extends A, B {})",
      );
    }
    if (Node.isFunctionTypeNode(node) || Node.isConstructorTypeNode(node)) {
      return this.#invalid(
        "FunctionType",
        "functions can't be part of a Kubernetes object",
        node,
        "remove the field: objects are data",
      );
    }
    switch (node.getKind()) {
      case SyntaxKind.StringKeyword:
        return { type: "string", source };
      case SyntaxKind.NumberKeyword:
        return { type: "number", source };
      case SyntaxKind.BooleanKeyword:
        return { type: "boolean", source };
      case SyntaxKind.AnyKeyword:
      case SyntaxKind.UnknownKeyword:
        // Allowed only with @preserveUnknownFields; the tree checks report it otherwise.
        return { type: "any", source };
      case SyntaxKind.ObjectKeyword:
        return this.#invalid(
          "UnsupportedType",
          "`object` has no Kubernetes schema",
          node,
          "use Record<string, T>, an interface, or unknown with @preserveUnknownFields",
        );
    }
    return this.#invalid(
      "UnsupportedType",
      `\`${node.getText()}\` has no Kubernetes schema`,
      node,
      unsupportedHint(node),
    );
  }

  #literal(node: Node, source: SourceLocation): TypeModel {
    const literal = node.getFirstChildOrThrow();
    if (Node.isStringLiteral(literal) || Node.isNoSubstitutionTemplateLiteral(literal)) {
      return { type: "string", enum: [literal.getLiteralValue()], source };
    }
    if (Node.isNumericLiteral(literal)) return numericLiteral(literal.getLiteralValue(), source);
    if (Node.isPrefixUnaryExpression(literal) && literal.getOperatorToken() === SyntaxKind.MinusToken) {
      const operand = literal.getOperand();
      if (Node.isNumericLiteral(operand)) return numericLiteral(-operand.getLiteralValue(), source);
    }
    if (literal.getKind() === SyntaxKind.TrueKeyword) return { type: "boolean", enum: [true], source };
    if (literal.getKind() === SyntaxKind.FalseKeyword) return { type: "boolean", enum: [false], source };
    if (literal.getKind() === SyntaxKind.NullKeyword) {
      return this.#invalid(
        "UnsupportedType",
        "`null` alone is not a type",
        node,
        "write `T | null` for a nullable field",
      );
    }
    return this.#invalid("UnsupportedType", `\`${node.getText()}\` has no Kubernetes schema`, node);
  }

  #union(members: TypeNode[], node: Node, file: ApiSourceFile): TypeModel {
    let nullable = false;
    const parts: TypeModel[] = [];
    for (const member of members) {
      if (Node.isLiteralTypeNode(member) && member.getFirstChildOrThrow().getKind() === SyntaxKind.NullKeyword) {
        nullable = true;
        continue;
      }
      // `T | undefined` is an optional field; the field reads it from the syntax.
      if (member.getKind() === SyntaxKind.UndefinedKeyword) continue;
      const part = this.typeFromNode(member, file);
      if (part.nullable) nullable = true;
      parts.push(part);
    }
    const only = parts.length === 1 ? parts[0] : undefined;
    if (parts.length === 0) {
      return this.#invalid("UnsupportedType", `\`${node.getText()}\` has no values`, node);
    }
    const merged = only ?? this.#mergeScalars(parts, node);
    if (merged === undefined) {
      if (parts.some((part) => part.type === "object" || part.type === "map" || part.type === "array")) {
        return this.#invalid(
          "UnionOfObjects",
          `the union \`${node.getText()}\` mixes object types; a Kubernetes schema can't say "one of these shapes"`,
          node,
          'use one object with a discriminator and optional members, e.g. { type: "A" | "B"; a?: A; b?: B }',
        );
      }
      return this.#invalid(
        "UnsupportedUnion",
        `the union \`${node.getText()}\` mixes value types`,
        node,
        "use IntOrString from @apiserver-kit/runtime for number | string; otherwise choose one type",
      );
    }
    if (!nullable || merged.nullable) return merged;
    return { ...merged, nullable: true };
  }

  /** `"A" | "B"` → one enum; `string | "A"` → string; undefined when the parts don't merge. */
  #mergeScalars(parts: TypeModel[], node: Node): TypeModel | undefined {
    const source = this.at(node);
    const kinds = new Set(parts.map((part) => (part.type === "integer" ? "number" : part.type)));
    if (kinds.size !== 1) return undefined;
    const kind = [...kinds][0];
    if (kind !== "string" && kind !== "number" && kind !== "boolean") return undefined;
    if (parts.some((part) => part.enum === undefined)) {
      // A literal next to its own base type adds nothing (TypeScript collapses it the same way).
      return parts.every((part) => part.type === parts[0]?.type)
        ? { type: parts[0]?.type ?? "string", source }
        : undefined;
    }
    const values: Array<string | number | boolean> = [];
    for (const part of parts) for (const value of part.enum ?? []) if (!values.includes(value)) values.push(value);
    if (kind === "boolean") {
      return values.length === 2 ? { type: "boolean", source } : { type: "boolean", enum: values, source };
    }
    if (kind === "number") {
      const integral = values.every((value) => Number.isInteger(value));
      return { type: integral ? "integer" : "number", enum: values, source };
    }
    return { type: "string", enum: values, source };
  }

  #reference(node: TypeReferenceNode, file: ApiSourceFile): TypeModel {
    const nameNode = node.getTypeName();
    const args = node.getTypeArguments();
    let resolution: Resolution;
    let name: string;
    if (Node.isQualifiedName(nameNode)) {
      name = nameNode.getRight().getText();
      resolution = this.index.resolveQualified(file, nameNode.getLeft().getText(), name);
    } else {
      name = nameNode.getText();
      resolution = this.index.resolve(file, name);
      if (resolution.kind === "unresolved") {
        const builtin = this.#builtin(name, args, node, file);
        if (builtin !== undefined) return builtin;
      }
    }
    return this.#fromResolution(resolution, name, args.length > 0, node);
  }

  #fromResolution(resolution: Resolution, name: string, hasTypeArguments: boolean, node: Node): TypeModel {
    switch (resolution.kind) {
      case "declaration":
        if (hasTypeArguments) {
          return this.#invalid(
            "GenericType",
            `${name}<...> is generic; a schema needs one concrete shape`,
            node,
            "declare a non-generic interface per use",
          );
        }
        return this.declarationType(resolution.declaration, node);
      case "wellKnown":
        return wellKnownType(resolution.name);
      case "unknownMeta":
        return this.#invalid(
          "UnknownMetaType",
          `${name} from ${RUNTIME_MODULE} is not one of the meta types codegen maps`,
          node,
          `known: ${WELL_KNOWN_TYPE_NAMES.join(", ")}`,
        );
      case "external":
        return this.#invalid(
          "ExternalType",
          `${name} comes from ${resolution.module}; codegen reads only src/apis and the meta types of ${RUNTIME_MODULE}`,
          node,
          "declare the type under src/apis",
        );
      case "unresolved":
        return this.#invalid(
          "UnresolvedType",
          `cannot find type ${name}: ${resolution.reason}`,
          node,
          `declare it, or import it from a file under src/apis (meta types from ${RUNTIME_MODULE})`,
        );
    }
  }

  #builtin(name: string, args: TypeNode[], node: TypeReferenceNode, file: ApiSourceFile): TypeModel | undefined {
    const source = this.at(node);
    switch (name) {
      case "Array":
      case "ReadonlyArray": {
        const item = args[0];
        if (item === undefined || args.length !== 1)
          return this.#invalid("UnsupportedType", `${name} needs one type argument`, node);
        return { type: "array", items: this.typeFromNode(item, file), source };
      }
      case "Record": {
        const [key, value] = args;
        if (key === undefined || value === undefined)
          return this.#invalid("UnsupportedType", "Record needs two type arguments", node);
        if (key.getKind() !== SyntaxKind.StringKeyword) {
          return this.#invalid(
            "UnsupportedType",
            `Record<${key.getText()}, ...>: map keys are strings in Kubernetes`,
            key,
            "use Record<string, T>, or an interface with one field per key",
          );
        }
        return { type: "map", values: this.typeFromNode(value, file), source };
      }
      case "Date":
        return this.#invalid(
          "UnsupportedType",
          "Date is not JSON",
          node,
          `use Time from ${RUNTIME_MODULE} (an RFC 3339 string, schema format date-time)`,
        );
      case "Map":
      case "Set":
      case "WeakMap":
      case "WeakSet":
        return this.#invalid(
          "UnsupportedType",
          `${name} is not JSON`,
          node,
          name.endsWith("Map") ? "use Record<string, T>" : "use T[] with @listType set",
        );
      case "Function":
        return this.#invalid("FunctionType", "functions can't be part of a Kubernetes object", node);
      case "Promise":
      case "Object":
      case "BigInt":
      case "Symbol":
        return this.#invalid("UnsupportedType", `${name} has no Kubernetes schema`, node);
    }
    if (UTILITY_TYPES.has(name)) {
      return this.#invalid(
        "UnsupportedType",
        `the utility type ${name}<...> is not read by codegen`,
        node,
        "write the fields out in an interface",
      );
    }
    return undefined;
  }

  /** The schema of a named type with the markers of its own comment, resolved once and shared. */
  declarationType(declaration: Declaration, referencedAt: Node): TypeModel {
    const cached = this.#cache.get(declaration);
    if (cached) return cached;
    const name = declaration.getName() ?? "(anonymous)";
    if (this.#resolving.includes(declaration)) {
      const cycle = [...this.#resolving.slice(this.#resolving.indexOf(declaration)), declaration]
        .map((d) => d.getName())
        .join(" → ");
      return this.#invalid(
        "RecursiveType",
        `${name} contains itself (${cycle}); Kubernetes schemas can't be recursive`,
        referencedAt,
        "break the cycle with a field typed unknown and marked @preserveUnknownFields",
      );
    }
    if (Node.isClassDeclaration(declaration)) {
      return this.#invalid(
        "ClassType",
        `${name} is a class; API types are plain data`,
        referencedAt,
        `declare ${name} as an interface`,
      );
    }
    if (Node.isEnumDeclaration(declaration)) {
      return this.#invalid(
        "EnumDeclaration",
        `${name} is a TypeScript enum`,
        referencedAt,
        `declare it as a string-literal union: type ${name} = "A" | "B"`,
      );
    }
    const file = this.index.fileOf(declaration);
    this.#resolving.push(declaration);
    let type: TypeModel;
    try {
      if (declaration.getTypeParameters().length > 0) {
        type = this.#invalid(
          "GenericType",
          `${name} is generic; a schema needs one concrete shape`,
          declaration.getNameNode(),
        );
      } else if (Node.isInterfaceDeclaration(declaration)) {
        type = this.interfaceObject(declaration);
      } else {
        const aliased = this.typeFromNode(declaration.getTypeNodeOrThrow(), file);
        type = { ...aliased, typeName: name, source: aliased.source ?? this.at(declaration.getNameNode()) };
      }
      const doc = jsDocOf(declaration);
      if (doc.description !== undefined) type = { ...type, description: doc.description };
      // A kind's own markers are read by the kind parser, and @actionRequest and
      // @subresourceOptions by the subresource-type parser; here the declaration is only a type.
      const isKind = doc.tags.some((tag) => tag.name === "kind");
      const tags = doc.tags.filter((tag) => {
        const target = findMarker(tag.name)?.target;
        return target !== "request" && !(isKind && target === "kind");
      });
      type = this.applyMarkers(type, tags, "type", file);
    } finally {
      this.#resolving.pop();
    }
    this.#cache.set(declaration, type);
    return type;
  }

  applyMarkers(
    type: TypeModel,
    tags: readonly JsDocTag[],
    site: "field" | "type" | "kind",
    file: ApiSourceFile,
  ): TypeModel {
    if (tags.length === 0) return type;
    return applySchemaMarkers(type, tags, {
      errors: this.errors,
      site,
      locate: (tag) => ({ file: file.path, line: tag.line, column: tag.column }),
    });
  }

  /** An interface's own fields after those of the interfaces it extends; no markers of its own comment. */
  interfaceObject(declaration: InterfaceDeclaration): TypeModel {
    const file = this.index.fileOf(declaration);
    return this.#object(
      declaration,
      declaration.getMembers(),
      declaration.getExtends(),
      file,
      declaration.getName(),
      this.at(declaration.getNameNode()),
    );
  }

  #object(
    container: Node,
    members: TypeElementTypes[],
    bases: ExpressionWithTypeArguments[],
    file: ApiSourceFile,
    typeName: string | undefined,
    source: SourceLocation,
  ): TypeModel {
    const properties: FieldModel[] = [];
    const put = (field: FieldModel) => {
      const existing = properties.findIndex((p) => p.name === field.name);
      if (existing >= 0) properties.splice(existing, 1, field);
      else properties.push(field);
    };
    for (const base of bases) {
      const baseType = this.#heritage(base, file);
      if (baseType.type === "object") for (const field of baseType.properties ?? []) put(field);
      else if (!(baseType.type === "any" && baseType.preserveUnknownFields)) {
        this.errors.report("UnsupportedType", `${base.getText()} is not an object type to extend`, this.at(base));
      }
    }
    this.#reportJsDocsAt(trailingJsDocStarts(container), container, file, TRAILING_JSDOC_MESSAGE, TRAILING_JSDOC_HINT);
    for (const member of members) {
      this.#reportJsDocsAt(detachedJsDocStarts(member), member, file, DETACHED_JSDOC_MESSAGE, DETACHED_JSDOC_HINT);
      if (Node.isPropertySignature(member)) {
        const field = this.#field(member, file);
        if (field) put(field);
      } else if (
        Node.isMethodSignature(member) ||
        Node.isCallSignatureDeclaration(member) ||
        Node.isConstructSignatureDeclaration(member)
      ) {
        this.errors.report(
          "FunctionType",
          `${member.getText().split("(")[0]?.trim() || "a call signature"}: functions can't be part of a Kubernetes object`,
          this.at(member),
          "remove the method: objects are data",
        );
      } else if (Node.isIndexSignatureDeclaration(member)) {
        this.errors.report(
          "IndexSignature",
          `the index signature \`${member.getText()}\` is not supported`,
          this.at(member),
          "use a field typed Record<string, T>",
        );
      } else {
        this.errors.report("UnsupportedType", `\`${member.getText()}\` is not a field`, this.at(member));
      }
    }
    const out: TypeModel = { type: "object", properties, source };
    if (typeName !== undefined) out.typeName = typeName;
    return out;
  }

  /** A DetachedJsDoc error at each of `starts` (positions in `node`'s file). */
  #reportJsDocsAt(starts: Iterable<number>, node: Node, file: ApiSourceFile, message: string, hint: string): void {
    for (const start of starts) {
      const { line, column } = node.getSourceFile().getLineAndColumnAtPos(start);
      this.errors.report("DetachedJsDoc", message, { file: file.path, line, column }, hint);
    }
  }

  #heritage(base: ExpressionWithTypeArguments, file: ApiSourceFile): TypeModel {
    const expression = base.getExpression();
    const hasArgs = base.getTypeArguments().length > 0;
    if (Node.isIdentifier(expression)) {
      const name = expression.getText();
      return this.#fromResolution(this.index.resolve(file, name), name, hasArgs, base);
    }
    if (Node.isPropertyAccessExpression(expression)) {
      const name = expression.getName();
      return this.#fromResolution(
        this.index.resolveQualified(file, expression.getExpression().getText(), name),
        name,
        hasArgs,
        base,
      );
    }
    return this.#invalid("UnsupportedType", `cannot extend \`${base.getText()}\``, base);
  }

  #field(member: PropertySignature, file: ApiSourceFile): FieldModel | undefined {
    const nameNode = member.getNameNode();
    let name: string;
    if (Node.isIdentifier(nameNode)) name = nameNode.getText();
    else if (Node.isStringLiteral(nameNode) || Node.isNoSubstitutionTemplateLiteral(nameNode))
      name = nameNode.getLiteralValue();
    else if (Node.isNumericLiteral(nameNode)) name = nameNode.getText();
    else {
      this.errors.report(
        "UnsupportedPropertyName",
        `the field name \`${nameNode.getText()}\` is computed`,
        this.at(nameNode),
        "write the JSON field name literally",
      );
      return undefined;
    }
    const location = this.at(nameNode);
    if (name === "") {
      this.errors.report(
        "UnsupportedPropertyName",
        "the field name is empty: a Kubernetes field needs a name",
        location,
        "name the field: JSON field names in a Kubernetes schema are non-empty",
      );
      return undefined;
    }
    const initializer = member.getInitializer();
    if (initializer !== undefined) {
      this.errors.report(
        "SyntaxError",
        `the field ${name} has an initializer (= ${initializer.getText()}); a type's field cannot (TypeScript error TS1246)`,
        this.at(initializer),
        `write a default as a marker: /** @default ${initializer.getText()} */`,
      );
    }
    const typeNode = member.getTypeNode();
    if (typeNode === undefined) {
      this.errors.report(
        "UntypedField",
        `the field ${name} has no type`,
        location,
        "give it a type, or type it unknown with @preserveUnknownFields",
      );
      return undefined;
    }
    const optional =
      member.hasQuestionToken() ||
      (Node.isUnionTypeNode(typeNode) &&
        typeNode.getTypeNodes().some((t) => t.getKind() === SyntaxKind.UndefinedKeyword));
    const doc = jsDocOf(member);
    let type = this.typeFromNode(typeNode, file);
    if (doc.tags.length > 0) type = { ...this.applyMarkers(type, doc.tags, "field", file), source: location };
    const field: FieldModel = { name, required: !optional, type, source: location };
    if (doc.description !== undefined) field.description = doc.description;
    return field;
  }
}

const SUPPORTED =
  "supported: string, number, boolean, int32/int64 and the meta types, string or number literal unions, interfaces and aliases of them, T[], Record<string, T>, T | null";

/** What to write instead of a type construct that has no schema. */
function unsupportedHint(node: Node): string {
  switch (node.getKind()) {
    case SyntaxKind.BigIntKeyword:
      return "use int64 from @apiserver-kit/runtime (JSON numbers past 2^53 lose precision in JavaScript: a string if you need more)";
    case SyntaxKind.TemplateLiteralType:
      return "use string with @pattern for the shape, e.g. /** @pattern ^ref-.+$ */";
    case SyntaxKind.TypeOperator:
      return 'write the names out as a string-literal union: "a" | "b"';
    case SyntaxKind.TypeQuery:
    case SyntaxKind.IndexedAccessType:
    case SyntaxKind.ConditionalType:
    case SyntaxKind.MappedType:
    case SyntaxKind.InferType:
    case SyntaxKind.ImportType:
      return `write the type out, as an interface or alias (${SUPPORTED})`;
    default:
      return SUPPORTED;
  }
}

function numericLiteral(value: number, source: SourceLocation): TypeModel {
  return { type: Number.isInteger(value) ? "integer" : "number", enum: [value], source };
}
