/** Where something is in the user's type definitions (file relative to the project root, 1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * One reason per failure kind, so that callers (the CLI, tests, editors) can act on the
 * code rather than parse the message.
 */
export type CodegenErrorCode =
  // TypeScript a Kubernetes API can't express
  | "UnionOfObjects"
  | "UnsupportedUnion"
  | "FunctionType"
  | "UntypedField"
  | "TupleType"
  | "ClassType"
  | "EnumDeclaration"
  | "IndexSignature"
  | "IntersectionType"
  | "GenericType"
  | "RecursiveType"
  | "UnsupportedType"
  | "UnsupportedPropertyName"
  // names that can't be resolved without leaving the project
  | "UnresolvedType"
  | "ExternalType"
  | "UnknownMetaType"
  | "SyntaxError"
  // markers
  | "UnknownMarker"
  | "DetachedJsDoc"
  | "InvalidMarker"
  | "MarkerNotApplicable"
  | "DuplicateMarker"
  | "ConflictingMarkers"
  | "InvalidDefault"
  | "InvalidListType"
  | "InvalidJSONPath"
  | "InvalidValidationRule"
  // kinds, versions and groups
  | "InvalidKind"
  | "KindOutsideVersion"
  | "InvalidGroup"
  | "DuplicateKind"
  | "DuplicateResourceName"
  | "ConflictingKindMarkers"
  | "StorageVersion"
  | "InvalidSubresource"
  // action request bodies, subresource options and responses
  | "InvalidActionRequest"
  | "DuplicateActionRequest"
  | "InvalidSubresourceOptions"
  | "DuplicateSubresourceOptions"
  | "InvalidSubresourceResponse"
  | "DuplicateSubresourceResponse";

export interface CodegenError extends SourceLocation {
  code: CodegenErrorCode;
  message: string;
  /** What to write instead. */
  hint?: string;
}

/** `file:line:column - Code: message` plus an indented hint line, as compilers print. */
export function formatCodegenError(error: CodegenError): string {
  const head = `${error.file}:${error.line}:${error.column} - ${error.code}: ${error.message}`;
  return error.hint === undefined ? head : `${head}\n    hint: ${error.hint}`;
}

/** Sorts errors by file, line, column and code so that output is stable. */
export function compareCodegenErrors(a: CodegenError, b: CodegenError): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/**
 * Collects every error of a run (never stopping at the first) and drops repeats: a shared
 * type reached through several fields reports its problem once.
 */
export class ErrorCollector {
  readonly #errors: CodegenError[] = [];
  readonly #seen = new Set<string>();

  report(code: CodegenErrorCode, message: string, at: SourceLocation, hint?: string): void {
    const key = `${at.file}:${at.line}:${at.column}:${code}:${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const error: CodegenError = { code, message, file: at.file, line: at.line, column: at.column };
    if (hint !== undefined) error.hint = hint;
    this.#errors.push(error);
  }

  get count(): number {
    return this.#errors.length;
  }

  sorted(): CodegenError[] {
    return [...this.#errors].sort(compareCodegenErrors);
  }
}
