import { posix } from "node:path";
import type {
  ClassDeclaration,
  EnumDeclaration,
  InterfaceDeclaration,
  SourceFile,
  TypeAliasDeclaration,
} from "ts-morph";
import type { SourceLocation } from "../errors/codegen-error.js";
import type { WellKnownTypeName } from "../model/api-model.js";
import { isWellKnownTypeName, RUNTIME_MODULE } from "./meta-types.js";
import { Node } from "./ts-morph.js";

export type Declaration = InterfaceDeclaration | TypeAliasDeclaration | ClassDeclaration | EnumDeclaration;

export type Resolution =
  | { kind: "declaration"; declaration: Declaration; file: ApiSourceFile }
  | { kind: "wellKnown"; name: WellKnownTypeName }
  | { kind: "unknownMeta"; name: string }
  | { kind: "external"; module: string }
  | { kind: "unresolved"; reason: string };

type ImportBinding = { kind: "named"; module: string; name: string } | { kind: "namespace"; module: string };

/** One file under `src/apis`, indexed by name from its syntax tree alone (no type checker). */
export class ApiSourceFile {
  readonly declarations = new Map<string, Declaration>();
  readonly imports = new Map<string, ImportBinding>();
  /** `export { a as b } from "./x.js"`: exported name → where it comes from. */
  readonly reexports = new Map<string, { module: string; name: string }>();
  /** `export { a as b }`: exported name → local name. */
  readonly localExports = new Map<string, string>();
  readonly starExports: string[] = [];

  constructor(
    readonly sourceFile: SourceFile,
    /** Relative to the project root, `/`-separated. */
    readonly path: string,
  ) {
    for (const statement of sourceFile.getStatements()) {
      if (
        Node.isInterfaceDeclaration(statement) ||
        Node.isTypeAliasDeclaration(statement) ||
        Node.isClassDeclaration(statement) ||
        Node.isEnumDeclaration(statement)
      ) {
        const name = statement.getName();
        // Interfaces may merge; the first declaration is the one read.
        if (name !== undefined && !this.declarations.has(name)) this.declarations.set(name, statement);
      } else if (Node.isImportDeclaration(statement)) {
        const module = statement.getModuleSpecifierValue();
        const namespace = statement.getNamespaceImport();
        if (namespace) this.imports.set(namespace.getText(), { kind: "namespace", module });
        for (const specifier of statement.getNamedImports()) {
          const local = specifier.getAliasNode()?.getText() ?? specifier.getName();
          this.imports.set(local, { kind: "named", module, name: specifier.getName() });
        }
        const defaultImport = statement.getDefaultImport();
        if (defaultImport) this.imports.set(defaultImport.getText(), { kind: "named", module, name: "default" });
      } else if (Node.isExportDeclaration(statement)) {
        const module = statement.getModuleSpecifierValue();
        const named = statement.getNamedExports();
        if (module !== undefined && named.length === 0 && !statement.getNamespaceExport()) {
          this.starExports.push(module);
        }
        for (const specifier of named) {
          const exported = specifier.getAliasNode()?.getText() ?? specifier.getName();
          if (module === undefined) this.localExports.set(exported, specifier.getName());
          else this.reexports.set(exported, { module, name: specifier.getName() });
        }
      }
    }
  }
}

/** Name resolution across the files of `src/apis`: imports, re-exports, and the runtime's meta types. */
export class SourceIndex {
  readonly #byPath = new Map<string, ApiSourceFile>();
  readonly #bySourceFile = new Map<SourceFile, ApiSourceFile>();

  constructor(
    sourceFiles: readonly SourceFile[],
    /** Absolute, `/`-separated; file paths in errors are relative to it. */
    readonly projectRoot: string,
  ) {
    for (const sourceFile of sourceFiles) {
      const file = new ApiSourceFile(sourceFile, this.relative(sourceFile.getFilePath()));
      this.#byPath.set(sourceFile.getFilePath(), file);
      this.#bySourceFile.set(sourceFile, file);
    }
  }

  get files(): ApiSourceFile[] {
    return [...this.#byPath.values()];
  }

  fileOf(node: Node): ApiSourceFile {
    const sourceFile = node.getSourceFile();
    const file = this.#bySourceFile.get(sourceFile);
    if (file === undefined) throw new Error(`${sourceFile.getFilePath()} is not under the indexed folder`);
    return file;
  }

  relative(absolutePath: string): string {
    const relative = posix.relative(this.projectRoot, absolutePath);
    return relative === "" ? absolutePath : relative;
  }

  location(node: Node): SourceLocation {
    const sourceFile = node.getSourceFile();
    const { line, column } = sourceFile.getLineAndColumnAtPos(node.getStart());
    return { file: this.relative(sourceFile.getFilePath()), line, column };
  }

  /** Resolves a type name as written in `from` (a local declaration, an import, a re-export). */
  resolve(from: ApiSourceFile, name: string): Resolution {
    const local = from.declarations.get(name);
    if (local) return { kind: "declaration", declaration: local, file: from };
    const binding = from.imports.get(name);
    if (binding === undefined)
      return { kind: "unresolved", reason: `${name} is neither declared nor imported in ${from.path}` };
    if (binding.kind === "namespace") return { kind: "unresolved", reason: `${name} is a namespace, not a type` };
    return this.#resolveImport(from, binding.module, binding.name, new Set());
  }

  /** Resolves `ns.Name` where `ns` is a namespace import. */
  resolveQualified(from: ApiSourceFile, namespace: string, name: string): Resolution {
    const binding = from.imports.get(namespace);
    if (binding?.kind !== "namespace") return { kind: "unresolved", reason: `${namespace} is not a namespace import` };
    return this.#resolveImport(from, binding.module, name, new Set());
  }

  #resolveImport(from: ApiSourceFile, module: string, name: string, seen: Set<string>): Resolution {
    if (module === RUNTIME_MODULE) {
      return isWellKnownTypeName(name) ? { kind: "wellKnown", name } : { kind: "unknownMeta", name };
    }
    if (!module.startsWith(".")) return { kind: "external", module };
    const target = this.#resolveModule(from, module);
    if (target === undefined) {
      return { kind: "unresolved", reason: `${module} (imported by ${from.path}) is not a file under src/apis` };
    }
    return this.#resolveExport(target, name, seen);
  }

  #resolveExport(file: ApiSourceFile, name: string, seen: Set<string>): Resolution {
    const key = `${file.path}#${name}`;
    if (seen.has(key)) return { kind: "unresolved", reason: `${name} is re-exported in a cycle` };
    seen.add(key);
    const localName = file.localExports.get(name) ?? name;
    const declaration = file.declarations.get(localName);
    if (declaration) return { kind: "declaration", declaration, file };
    const reexport = file.reexports.get(name);
    if (reexport) return this.#resolveImport(file, reexport.module, reexport.name, seen);
    const imported = file.imports.get(localName);
    if (imported?.kind === "named" && file.localExports.has(name)) {
      return this.#resolveImport(file, imported.module, imported.name, seen);
    }
    for (const module of file.starExports) {
      const found = this.#resolveImport(file, module, name, seen);
      if (found.kind !== "unresolved") return found;
    }
    return { kind: "unresolved", reason: `${file.path} does not export ${name}` };
  }

  #resolveModule(from: ApiSourceFile, specifier: string): ApiSourceFile | undefined {
    const base = posix.join(posix.dirname(from.sourceFile.getFilePath()), specifier);
    const stem = base.replace(/\.(js|ts|mjs|mts)$/, "");
    for (const candidate of [base, `${stem}.ts`, `${stem}.mts`, `${base}/index.ts`, `${stem}/index.ts`]) {
      const file = this.#byPath.get(candidate);
      if (file) return file;
    }
    return undefined;
  }
}
