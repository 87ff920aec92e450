/**
 * What `scaffold generate` refuses to leave behind: files you own (controllers, conversions,
 * subresources, tests, src/resources.ts) that still use a kind or version whose types are gone
 * from src/apis. Generated code drops such a kind at once; a file of yours that imports its
 * generated names or its type file would stop compiling, with a compiler error that names the
 * symptom but not the cause. Scaffold never deletes or rewrites files you own to hide it.
 */
import { posix } from "node:path";
import type { KindModel } from "@apiserver-kit/codegen";
import { CliError } from "../cli/errors.js";
import { importsOf, objectArgumentKeys, type Position } from "../machinery/ast-edits.js";
import type { FilePlan } from "../machinery/file-plan.js";
import { APIS_DIR, GENERATED_DIR, identifiers, layout } from "../project/layout.js";
import { camelCase } from "../project/names.js";
import type { ProjectFile } from "../project/project-file.js";

/** The declarations generated TypeScript exports (it is ours: one `export <keyword> <name>` per line). */
const EXPORTED = /^export (?:declare )?(?:const|let|function|interface|type|class|enum) ([A-Za-z_$][\w$]*)/gm;

/** The names each generated TypeScript module exports, as the run will leave it (or as it is, before planning). */
export function generatedExports(plan: FilePlan): Map<string, Set<string>> {
  const exports = new Map<string, Set<string>>();
  for (const path of plan.files(GENERATED_DIR)) {
    if (!path.endsWith(".ts")) continue;
    const names = [...(plan.read(path) ?? "").matchAll(EXPORTED)].map((match) => match[1] as string);
    exports.set(path, new Set(names));
  }
  return exports;
}

/** A relative module specifier as a path under the project (`../generated/kinds.js` -> `src/generated/kinds.ts`). */
function resolveImport(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  if (/\.[mc]?js$/.test(joined)) return joined.replace(/\.[mc]?js$/, ".ts");
  return joined.endsWith(".ts") ? joined : `${joined}.ts`;
}

interface Use extends Position {
  file: string;
  what: string;
}

/**
 * Throws when a kind or version of PROJECT is gone from the model (or a generated name is gone)
 * while a file the user owns still uses it: each use with file:line:column, and what to do.
 * `before` is what the generated modules exported before this run.
 */
export function checkRemovedKindsUnused(
  plan: FilePlan,
  project: ProjectFile,
  kinds: readonly KindModel[],
  before: Map<string, Set<string>>,
): void {
  const removedKinds = project.resources.map((r) => r.kind).filter((kind) => !kinds.some((k) => k.kind === kind));
  const removedVersions = project.resources.flatMap((record) => {
    const kind = kinds.find((k) => k.kind === record.kind);
    if (kind === undefined) return [];
    return record.versions.filter((v) => !kind.versions.some((k) => k.name === v)).map((v) => `${record.kind} in ${v}`);
  });
  const now = generatedExports(plan);
  const gone = new Map<string, Set<string>>();
  const drop = (path: string, name: string) => {
    if (now.get(path)?.has(name)) return;
    gone.set(path, (gone.get(path) ?? new Set()).add(name));
  };
  for (const [path, names] of before) for (const name of names) drop(path, name);
  // What generated code exported for a removed kind, even when it was re-created without it already.
  for (const kind of removedKinds) {
    drop(layout.generated.kinds, identifiers.resourceType(kind));
    drop(layout.generated.resources, `${camelCase(kind)}Definition`);
  }
  if (removedKinds.length === 0 && removedVersions.length === 0 && gone.size === 0) return;

  const uses: Use[] = [];
  const importsByFile = new Map<string, ReturnType<typeof importsOf>>();
  for (const file of plan.files("src")) {
    if (!file.endsWith(".ts") || file.endsWith(".d.ts") || file.startsWith(`${GENERATED_DIR}/`)) continue;
    const text = plan.read(file) ?? "";
    const imports = importsOf(file, text);
    importsByFile.set(file, imports);
    for (const use of imports) {
      const target = resolveImport(file, use.from);
      if (target === undefined) continue;
      if (target.startsWith(`${GENERATED_DIR}/`)) {
        const names = use.names.filter((n) => gone.get(target)?.has(n.name)).map((n) => n.name);
        if (names.length > 0) {
          const them = names.length === 1 ? "it" : "them";
          uses.push({
            file,
            ...use,
            what: `imports ${names.join(", ")} from ${target}, which will no longer export ${them}`,
          });
        }
        if (target !== layout.generated.register) continue;
        for (const { local } of use.names.filter((n) => n.name === "withHooks")) {
          for (const key of objectArgumentKeys(file, text, local)) {
            if (removedKinds.includes(key.name)) {
              uses.push({
                file,
                ...key,
                what: `gives withHooks hooks for ${key.name}, which will no longer be a kind`,
              });
            }
          }
        }
      } else if (target.startsWith(`${APIS_DIR}/`) && !plan.exists(target)) {
        const names = use.names.map((n) => n.name);
        uses.push({
          file,
          ...use,
          what: `imports ${names.length > 0 ? `${names.join(", ")} from ` : ""}${target}, which no longer exists`,
        });
      }
    }
  }
  if (uses.length === 0) return;
  // A file that imports what was removed is often one to delete (a controller): name the files
  // importing it, which deleting it would break in turn.
  const importing = new Set(uses.filter((use) => use.what.startsWith("imports ")).map((use) => use.file));
  for (const [file, imports] of importsByFile) {
    for (const use of imports) {
      const target = resolveImport(file, use.from);
      if (target !== undefined && target !== file && importing.has(target)) {
        uses.push({ file, ...use, what: `imports ${target}: drop this import too if you delete that file` });
      }
    }
  }
  uses.sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column));
  const removed = [...removedKinds, ...removedVersions];
  const subject =
    removed.length > 0
      ? `src/apis no longer declares ${removed.join(", ")}`
      : `the generated code will no longer export ${[...gone.values()].flatMap((names) => [...names]).join(", ")}`;
  const files = new Set(uses.map((use) => use.file)).size;
  throw new CliError(
    "RemovedKindInUse",
    `${subject}, but ${files} file(s) you own still use ${removed.length === 1 ? "it" : "them"}:\n${uses
      .map((use) => `  ${use.file}:${use.line}:${use.column} - ${use.what}`)
      .join("\n")}`,
    "scaffold does not delete or rewrite your files: change each one so it no longer uses what was removed " +
      `(delete a file only about it, such as its controller, and its import and entry in ${layout.controllersIndex}), ` +
      "or put the types back in src/apis; then run `scaffold generate` again",
  );
}
