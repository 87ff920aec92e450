/**
 * Idempotent additions to user-owned TypeScript files, made on the syntax tree (ts-morph) rather
 * than at text markers: each returns the text unchanged when the addition is already there, so
 * a command can be re-run safely and hand edits around the addition survive.
 */
import { IndentationText, Node, Project, QuoteKind, SyntaxKind } from "@apiserver-kit/codegen";
import type { InterfaceDeclaration, SourceFile } from "ts-morph";
import { CliError } from "../cli/errors.js";

const project = new Project({
  useInMemoryFileSystem: true,
  skipLoadingLibFiles: true,
  manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
});

function withSource(path: string, text: string, change: (file: SourceFile) => void): string {
  const file = project.createSourceFile(`/edit/${path}`, text, { overwrite: true });
  try {
    change(file);
    return file.getFullText();
  } finally {
    project.removeSourceFile(file);
  }
}

function kindInterface(file: SourceFile, path: string, name: string): InterfaceDeclaration {
  const declaration = file.getInterface(name);
  if (!declaration) {
    throw new CliError(
      "EditFailed",
      `${path} has no interface ${name}`,
      `declare \`export interface ${name}\` there, or edit the file by hand`,
    );
  }
  return declaration;
}

/** Biome's import order, enough for the files scaffold edits: packages before relative paths, then by path. */
function importRank(specifier: string): [number, string] {
  if (specifier.startsWith("node:")) return [0, specifier];
  if (specifier.startsWith(".")) return [2, specifier];
  return [1, specifier];
}

function compareSpecifiers(a: string, b: string): number {
  const [ra, sa] = importRank(a);
  const [rb, sb] = importRank(b);
  if (ra !== rb) return ra - rb;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Adds `import { name } from "specifier"` (or adds the name to an existing import of it). */
export function ensureNamedImport(path: string, text: string, specifier: string, name: string, typeOnly = false) {
  return withSource(path, text, (file) => addImport(file, specifier, name, typeOnly));
}

function addImport(file: SourceFile, specifier: string, name: string, typeOnly: boolean): void {
  const existing = file.getImportDeclaration((declaration) => declaration.getModuleSpecifierValue() === specifier);
  if (existing) {
    const names = existing.getNamedImports().map((named) => named.getName());
    if (names.includes(name)) return;
    const all = [...names, name].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    existing.insertNamedImport(all.indexOf(name), name);
    return;
  }
  const imports = file.getImportDeclarations();
  const index = imports.findIndex(
    (declaration) => compareSpecifiers(declaration.getModuleSpecifierValue(), specifier) > 0,
  );
  file.insertImportDeclaration(index < 0 ? imports.length : index, {
    namedImports: [name],
    moduleSpecifier: specifier,
    isTypeOnly: typeOnly,
  });
}

/**
 * Adds `element` to the array literal initialising `export const <arrayName> = [...]`, and its
 * import. One line while it fits in `lineWidth`, one element per line after that.
 */
export function addArrayElement(
  path: string,
  text: string,
  options: { arrayName: string; element: string; importFrom: string; lineWidth?: number },
): string {
  return withSource(path, text, (file) => {
    const declaration = file.getVariableDeclaration(options.arrayName);
    const array = declaration?.getInitializerIfKind(SyntaxKind.ArrayLiteralExpression);
    if (!declaration || !array) {
      throw new CliError(
        "EditFailed",
        `${path} has no \`const ${options.arrayName} = [...]\` to add ${options.element} to`,
        `add ${options.element} (from "${options.importFrom}") to the list by hand`,
      );
    }
    addImport(file, options.importFrom, options.element, false);
    const elements = array.getElements().map((element) => element.getText());
    if (elements.includes(options.element)) return;
    elements.push(options.element);
    const statement = declaration.getVariableStatementOrThrow();
    const head = statement.getText().slice(0, array.getStart() - statement.getStart());
    const flat = `[${elements.join(", ")}]`;
    const width = options.lineWidth ?? 120;
    const indent = " ".repeat(array.getIndentationLevel() * 2 + 2);
    array.replaceWithText(
      head.length + flat.length + 1 <= width ? flat : `[\n${elements.map((e) => `${indent}${e},`).join("\n")}\n]`,
    );
  });
}

/** True when the interface's JSDoc carries `@tag` (with `argument`, when given). */
export function hasKindTag(path: string, text: string, interfaceName: string, tag: string, argument?: string): boolean {
  let found = false;
  withSource(path, text, (file) => {
    found = findTag(kindInterface(file, path, interfaceName), tag, argument) !== undefined;
  });
  return found;
}

function findTag(declaration: InterfaceDeclaration, tag: string, argument?: string) {
  for (const doc of declaration.getJsDocs()) {
    for (const candidate of doc.getTags()) {
      if (candidate.getTagName() !== tag) continue;
      const text = (candidate.getCommentText() ?? "").trim();
      if (argument === undefined || text === argument || text.split(/\s+/)[0] === argument.split(/\s+/)[0]) {
        return candidate;
      }
    }
  }
  return undefined;
}

/**
 * Adds `@tag argument` to the interface's JSDoc unless a tag of that name with the same first
 * word is there (`@subresource scale ...` counts as present whatever its paths).
 */
export function ensureKindTag(path: string, text: string, interfaceName: string, tag: string, argument = ""): string {
  return withSource(path, text, (file) => {
    const declaration = kindInterface(file, path, interfaceName);
    if (findTag(declaration, tag, argument === "" ? undefined : argument)) return;
    const doc = declaration.getJsDocs().at(-1) ?? declaration.addJsDoc({ description: "" });
    doc.addTag({ tagName: tag, text: argument === "" ? undefined : argument });
  });
}

/** Removes every `@tag` from the interface's JSDoc. */
export function removeKindTag(path: string, text: string, interfaceName: string, tag: string): string {
  return withSource(path, text, (file) => {
    for (const doc of kindInterface(file, path, interfaceName).getJsDocs()) {
      for (const candidate of doc.getTags()) if (candidate.getTagName() === tag) candidate.remove();
    }
  });
}

/** Adds a property (with its JSDoc) to an interface unless one of that name exists. */
export function ensureProperty(
  path: string,
  text: string,
  interfaceName: string,
  property: {
    name: string;
    type: string;
    optional?: boolean;
    docs?: string;
    importType?: { name: string; from: string };
  },
): string {
  return withSource(path, text, (file) => {
    const declaration = kindInterface(file, path, interfaceName);
    if (declaration.getProperty(property.name)) return;
    declaration.addProperty({
      name: property.name,
      type: property.type,
      hasQuestionToken: property.optional ?? true,
      ...(property.docs ? { docs: [property.docs] } : {}),
    });
    if (property.importType) addImport(file, property.importType.from, property.importType.name, true);
  });
}

/** The type text of a property of an interface, e.g. `WidgetSpec` for `spec?: WidgetSpec`. */
export function propertyType(path: string, text: string, interfaceName: string, name: string): string | undefined {
  let found: string | undefined;
  withSource(path, text, (file) => {
    const property = file.getInterface(interfaceName)?.getProperty(name);
    const typeNode = property?.getTypeNode();
    found = typeNode && Node.isTypeReference(typeNode) ? typeNode.getTypeName().getText() : undefined;
  });
  return found;
}

/** Rewrites string literals equal to `from` (e.g. an `apiVersion: "g/v1alpha1"` type) to `to`. */
export function replaceStringLiterals(path: string, text: string, from: string, to: string): string {
  return withSource(path, text, (file) => {
    for (const literal of file.getDescendantsOfKind(SyntaxKind.StringLiteral)) {
      if (literal.getLiteralValue() === from) literal.setLiteralValue(to);
    }
  });
}

/** The names of the interfaces marked `@kind` in a file. */
export function kindsDeclaredIn(path: string, text: string): string[] {
  return interfacesTagged(path, text, "kind");
}

/** The names of the interfaces whose JSDoc carries one of `tags` (e.g. `kind`, `actionRequest`). */
export function interfacesTagged(path: string, text: string, ...tags: string[]): string[] {
  return taggedInterfaces(path, text, ...tags).map((found) => found.name);
}

/** The interfaces whose JSDoc carries one of `tags`, each with the tag's argument (`kind=Widget action=approve`). */
export function taggedInterfaces(
  path: string,
  text: string,
  ...tags: string[]
): Array<{ name: string; argument: string }> {
  const found: Array<{ name: string; argument: string }> = [];
  withSource(path, text, (file) => {
    for (const declaration of file.getInterfaces()) {
      for (const doc of declaration.getJsDocs()) {
        const marker = doc.getTags().find((t) => tags.includes(t.getTagName()));
        if (marker) found.push({ name: declaration.getName(), argument: (marker.getCommentText() ?? "").trim() });
      }
    }
  });
  return found;
}

/** Where something is in a file: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** One `import ... from` or `export ... from` of a file. */
export interface ImportUse extends Position {
  /** The module specifier as written (`../generated/kinds.js`). */
  from: string;
  /** The named imports or re-exports, each with its local name. */
  names: Array<{ name: string; local: string }>;
}

/** Every static import and re-export of a file, with the names it takes. */
export function importsOf(path: string, text: string): ImportUse[] {
  const found: ImportUse[] = [];
  withSource(path, text, (file) => {
    for (const declaration of [...file.getImportDeclarations(), ...file.getExportDeclarations()]) {
      const from = declaration.getModuleSpecifierValue();
      if (from === undefined) continue;
      const named = Node.isImportDeclaration(declaration)
        ? declaration.getNamedImports()
        : declaration.getNamedExports();
      const names = named.map((specifier) => ({
        name: specifier.getName(),
        local: specifier.getAliasNode()?.getText() ?? specifier.getName(),
      }));
      found.push({ from, names, ...file.getLineAndColumnAtPos(declaration.getStart()) });
    }
  });
  return found;
}

/** The property names of the object literals passed first to calls of `callee` (`withHooks({ Widget: ... })`). */
export function objectArgumentKeys(path: string, text: string, callee: string): Array<Position & { name: string }> {
  const found: Array<Position & { name: string }> = [];
  withSource(path, text, (file) => {
    for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      if (call.getExpression().getText() !== callee) continue;
      const argument = call.getArguments()[0];
      if (!Node.isObjectLiteralExpression(argument)) continue;
      for (const property of argument.getProperties()) {
        if (!Node.isPropertyAssignment(property) && !Node.isShorthandPropertyAssignment(property)) continue;
        const nameNode = property.getNameNode();
        const name = Node.isStringLiteral(nameNode) ? nameNode.getLiteralValue() : nameNode.getText();
        found.push({ name, ...file.getLineAndColumnAtPos(property.getStart()) });
      }
    }
  });
  return found;
}
