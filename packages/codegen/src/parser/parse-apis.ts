import { posix } from "node:path";
import type { SourceFile } from "ts-morph";
import { type CodegenError, ErrorCollector, type SourceLocation } from "../errors/codegen-error.js";
import { parseJsDoc } from "../jsdoc/jsdoc.js";
import { isDocumentationTag } from "../markers/catalog.js";
import type { ApiModel, GroupModel, KindModel, SubresourceTypeModel } from "../model/api-model.js";
import {
  compareKubeVersions,
  isDNS1123Subdomain,
  isKubeVersion,
  pluralize,
  subresourcePascal,
} from "../model/names.js";
import { DETACHED_JSDOC_HINT, DETACHED_JSDOC_MESSAGE, detachedJsDocStarts, jsDocOf } from "./jsdoc-of.js";
import { type KindDraft, parseKind } from "./kind-parser.js";
import { type ApiSourceFile, SourceIndex } from "./source-index.js";
import {
  parseSubresourceType,
  SUBRESOURCE_TYPE_MARKERS,
  type SubresourceTypeDraft,
  type SubresourceTypeMarker,
} from "./subresource-type-parser.js";
import { Node, type Project } from "./ts-morph.js";
import { TypeResolver } from "./type-resolver.js";

export interface ParseOptions {
  /** Absolute path of the project; error and model paths are relative to it. Default `/` (the in-memory root). */
  projectRoot?: string;
  /** The folder holding `<group>/<version>/*.ts`, relative to the project root. Default `src/apis`. */
  apisDir?: string;
}

export interface ParseResult {
  model: ApiModel;
  /** Every problem found, sorted by position; the model is incomplete when this is not empty. */
  errors: CodegenError[];
}

interface GroupDraft {
  folder: string;
  name: string;
  description?: string;
  at?: SourceLocation;
  drafts: KindDraft[];
  /** `@actionRequest`, `@subresourceOptions` and `@subresourceResponse` interfaces. */
  subresourceTypes: SubresourceTypeDraft[];
}

/**
 * Reads the API types of a project into the API model. Only the syntax trees are used (no
 * type checking), so the cost grows with the size of the files under `src/apis`, not with
 * their dependencies.
 */
export function parseApis(project: Project, options: ParseOptions = {}): ParseResult {
  const projectRoot = (options.projectRoot ?? "/").replace(/\\/g, "/");
  const apisRoot = posix.join(projectRoot, options.apisDir ?? "src/apis");
  const errors = new ErrorCollector();
  const sourceFiles = project
    .getSourceFiles()
    .filter((file) => isApiFile(file, apisRoot))
    .sort((a, b) => (a.getFilePath() < b.getFilePath() ? -1 : 1));
  reportSyntaxErrors(sourceFiles, projectRoot, errors);
  if (errors.count > 0) return { model: { groups: [] }, errors: errors.sorted() };
  const index = new SourceIndex(sourceFiles, projectRoot);
  const resolver = new TypeResolver(index, errors);

  const groups = new Map<string, GroupDraft>();
  const groupOf = (folder: string): GroupDraft => {
    let group = groups.get(folder);
    if (group === undefined) {
      group = { folder, name: folder, drafts: [], subresourceTypes: [] };
      groups.set(folder, group);
    }
    return group;
  };

  for (const file of index.files) {
    const segments = posix.relative(apisRoot, file.sourceFile.getFilePath()).split("/");
    if (segments.length === 2 && segments[1] === "doc.ts") readGroupDoc(file, groupOf(segments[0] ?? ""), errors);
  }
  for (const file of index.files) {
    const segments = posix.relative(apisRoot, file.sourceFile.getFilePath()).split("/");
    const version = segments.length === 3 && isKubeVersion(segments[1] ?? "") ? segments[1] : undefined;
    for (const statement of file.sourceFile.getStatements()) {
      if (!Node.isInterfaceDeclaration(statement) && !Node.isTypeAliasDeclaration(statement)) continue;
      for (const start of detachedJsDocStarts(statement)) {
        const { line, column } = file.sourceFile.getLineAndColumnAtPos(start);
        errors.report("DetachedJsDoc", DETACHED_JSDOC_MESSAGE, { file: file.path, line, column }, DETACHED_JSDOC_HINT);
      }
      const doc = jsDocOf(statement);
      if (!doc.tags.some((tag) => tag.name === "kind")) {
        const marker = doc.tags.find((tag) => Object.hasOwn(SUBRESOURCE_TYPE_MARKERS, tag.name))?.name as
          | SubresourceTypeMarker
          | undefined;
        if (marker !== undefined) {
          const draft = parseSubresourceType(marker, statement, doc, file, version, resolver);
          if (draft) groupOf(segments[0] ?? "").subresourceTypes.push(draft);
        }
        continue;
      }
      const at = resolver.at(statement.getNameNode());
      if (Node.isTypeAliasDeclaration(statement)) {
        errors.report(
          "InvalidKind",
          `${statement.getName()}: a kind is declared as an interface`,
          at,
          "write export interface ... { ... }",
        );
        continue;
      }
      if (version === undefined) {
        errors.report(
          "KindOutsideVersion",
          `${statement.getName()} is marked @kind outside a version folder`,
          at,
          "kinds live in src/apis/<group>/<version>/*.ts, with <version> like v1, v1beta1 or v1alpha1",
        );
        continue;
      }
      const group = groupOf(segments[0] ?? "");
      const draft = parseKind(statement, doc, file, group.name, version, resolver);
      if (draft) group.drafts.push(draft);
    }
  }

  for (const group of groups.values()) {
    if (group.at === undefined && group.drafts.length > 0 && !isDNS1123Subdomain(group.name)) {
      errors.report(
        "InvalidGroup",
        `the folder name ${group.folder} is not a valid API group`,
        { file: posix.relative(projectRoot, posix.join(apisRoot, group.folder)), line: 1, column: 1 },
        "add a doc.ts in the folder with a /** @group example.com */ comment",
      );
    }
  }

  const seenGroupNames = new Map<string, string>();
  const model: ApiModel = { groups: [] };
  for (const group of [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const other = seenGroupNames.get(group.name);
    if (other !== undefined) {
      errors.report(
        "InvalidGroup",
        `the folders ${other} and ${group.folder} both declare group ${group.name}`,
        group.at ?? firstAt(group),
      );
      continue;
    }
    seenGroupNames.set(group.name, group.folder);
    if (group.drafts.length === 0) {
      for (const draft of group.subresourceTypes) reportUnknownTarget(draft, group.name, [], errors);
      continue;
    }
    model.groups.push(assembleGroup(group, errors));
  }
  return { model, errors: errors.sorted() };
}

/**
 * TypeScript's parser recovers from syntax errors (a property with an initializer, a stray
 * brace) and builds a tree anyway; read as it stands, that tree would be a different API than
 * the one written. The errors the parser found are reported, and nothing else is read.
 */
function reportSyntaxErrors(files: readonly SourceFile[], projectRoot: string, errors: ErrorCollector): void {
  for (const file of files) {
    const node = file.compilerNode as unknown as { parseDiagnostics?: readonly ParseDiagnostic[] };
    for (const diagnostic of node.parseDiagnostics ?? []) {
      const { line, column } = file.getLineAndColumnAtPos(diagnostic.start ?? 0);
      errors.report(
        "SyntaxError",
        flattenMessage(diagnostic.messageText),
        { file: posix.relative(projectRoot, file.getFilePath()), line, column },
        "fix the TypeScript first: `npx tsc --noEmit` reports the same",
      );
    }
  }
}

interface ParseDiagnostic {
  start?: number;
  messageText: string | { messageText: string; next?: Array<{ messageText: string }> };
}

function flattenMessage(text: ParseDiagnostic["messageText"]): string {
  return (typeof text === "string" ? text : text.messageText).replace(/\.$/, "");
}

function isApiFile(file: SourceFile, apisRoot: string): boolean {
  const path = file.getFilePath();
  return (
    path.startsWith(`${apisRoot}/`) &&
    !file.isDeclarationFile() &&
    !/\.(test|spec)\.ts$/.test(path) &&
    path.endsWith(".ts")
  );
}

function firstAt(group: GroupDraft): SourceLocation {
  return group.drafts[0]?.model.source ?? { file: group.folder, line: 1, column: 1 };
}

/** The group's doc.ts: a `/** @group name *\/` comment names the group and describes it. */
function readGroupDoc(file: ApiSourceFile, group: GroupDraft, errors: ErrorCollector): void {
  const text = file.sourceFile.getFullText();
  for (const match of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const before = text.slice(0, match.index);
    const line = before.split("\n").length;
    const column = match.index - before.lastIndexOf("\n");
    const doc = parseJsDoc(match[0], line, column);
    const groupTag = doc.tags.find((tag) => tag.name === "group");
    if (groupTag === undefined) continue;
    const at = { file: file.path, line: groupTag.line, column: groupTag.column };
    if (group.at !== undefined) {
      errors.report("DuplicateMarker", "@group is given more than once", at);
      continue;
    }
    for (const tag of doc.tags) {
      if (tag.name !== "group" && !isDocumentationTag(tag.name)) {
        errors.report("MarkerNotApplicable", `@${tag.name} does not belong in a group's doc.ts`, {
          file: file.path,
          line: tag.line,
          column: tag.column,
        });
      }
    }
    if (!isDNS1123Subdomain(groupTag.text)) {
      errors.report(
        "InvalidGroup",
        `@group "${groupTag.text}" is not a valid API group`,
        at,
        "a lower-case DNS name such as wardle.example.com",
      );
      continue;
    }
    group.name = groupTag.text;
    group.at = at;
    if (doc.description !== undefined) group.description = doc.description;
  }
}

/**
 * Each `@actionRequest`, `@subresourceOptions` and `@subresourceResponse` to the kind it names,
 * kinds of this group only: one body or options and one response per subresource, and no type
 * named like a kind or like another subresource's type.
 */
function attachSubresourceTypes(kinds: KindModel[], group: GroupDraft, errors: ErrorCollector): void {
  const byKind = new Map(kinds.map((kind) => [kind.kind, kind]));
  for (const draft of group.subresourceTypes) {
    const kind = byKind.get(draft.target);
    if (kind === undefined) {
      reportUnknownTarget(draft, group.name, kinds, errors);
      continue;
    }
    const { duplicate: code, list, suffix } = SUBRESOURCE_TYPE_MARKERS[draft.marker];
    // What a subresource takes is a body (an action) or options (a read or a stream), not both;
    // what it answers is declared apart.
    const taken =
      draft.marker === "subresourceResponse"
        ? kind.subresourceResponses
        : [...kind.actionRequests, ...kind.subresourceOptions];
    const twin = taken.find((t) => t.subresource === draft.subresource);
    if (twin) {
      errors.report(
        code,
        `${kind.kind}'s subresource ${draft.subresource} already ${draft.marker === "subresourceResponse" ? "answers" : "takes"} ${twin.kind} (${twin.source.file}:${twin.source.line})`,
        draft.at,
        draft.marker === "subresourceResponse"
          ? "a subresource has one response"
          : "a subresource has one request body or one set of options",
      );
      continue;
    }
    const named = [...byKind.keys(), ...kinds.flatMap(subresourceTypesOf).map((t) => t.kind)];
    if (named.includes(draft.kind)) {
      errors.report(
        code,
        byKind.has(draft.kind)
          ? `${draft.kind} is already a kind of ${group.name}; a subresource's type needs a kind name of its own`
          : `${draft.kind} already names another subresource's type in ${group.name}`,
        draft.source,
        byKind.has(draft.kind)
          ? `rename it, e.g. ${draft.target}${subresourcePascal(draft.subresource)}${suffix}`
          : "each is a kind of its own in OpenAPI: rename one of them",
      );
      continue;
    }
    const { subresource, kind: name, version, schema, source } = draft;
    kind[list].push({ subresource, kind: name, version, schema, source });
  }
  const bySubresource = (a: { subresource: string }, b: { subresource: string }) =>
    a.subresource < b.subresource ? -1 : a.subresource > b.subresource ? 1 : 0;
  for (const kind of kinds) {
    for (const marker of Object.values(SUBRESOURCE_TYPE_MARKERS)) kind[marker.list].sort(bySubresource);
  }
}

/** Every subresource type a kind has, of every marker. */
function subresourceTypesOf(kind: KindModel): SubresourceTypeModel[] {
  return Object.values(SUBRESOURCE_TYPE_MARKERS).flatMap((marker) => kind[marker.list]);
}

function reportUnknownTarget(
  draft: SubresourceTypeDraft,
  group: string,
  kinds: readonly KindModel[],
  errors: ErrorCollector,
): void {
  errors.report(
    SUBRESOURCE_TYPE_MARKERS[draft.marker].invalid,
    `@${draft.marker} kind=${draft.target}: ${group} has no kind ${draft.target}`,
    draft.at,
    kinds.length > 0 ? `its kinds: ${kinds.map((kind) => kind.kind).join(", ")}` : "declare the kind with @kind first",
  );
}

function assembleGroup(group: GroupDraft, errors: ErrorCollector): GroupModel {
  const byKind = new Map<string, KindDraft[]>();
  for (const draft of group.drafts) {
    const list = byKind.get(draft.kind) ?? [];
    const twin = list.find((other) => other.version === draft.version);
    if (twin) {
      errors.report(
        "DuplicateKind",
        `${draft.kind} is declared twice in ${group.name}/${draft.version} (also at ${twin.model.source.file}:${twin.model.source.line})`,
        draft.model.source,
      );
      continue;
    }
    list.push(draft);
    byKind.set(draft.kind, list);
  }
  const kinds = [...byKind.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([kind, drafts]) => assembleKind(kind, drafts, errors));
  checkNameCollisions(kinds, byKind, group.name, errors);
  attachSubresourceTypes(kinds, group, errors);
  const versions = [...new Set(group.drafts.map((draft) => draft.version))].sort(compareKubeVersions);
  const description = group.description === undefined ? {} : { description: group.description };
  return { name: group.name, folder: group.folder, ...description, versions, kinds };
}

/** Combines a kind's versions: names and scope must agree, and exactly one version is stored. */
function assembleKind(kind: string, unsorted: KindDraft[], errors: ErrorCollector): KindModel {
  const drafts = [...unsorted].sort((a, b) => compareKubeVersions(a.version, b.version));
  const agree = <T>(
    what: string,
    pick: (draft: KindDraft) => { value: T; at: SourceLocation } | undefined,
    key: (v: T) => string,
  ) => {
    let chosen: { value: T; at: SourceLocation; version: string } | undefined;
    for (const draft of drafts) {
      const found = pick(draft);
      if (found === undefined) continue;
      if (chosen === undefined) chosen = { ...found, version: draft.version };
      else if (key(chosen.value) !== key(found.value)) {
        errors.report(
          "ConflictingKindMarkers",
          `${kind} ${draft.version} says ${what} ${key(found.value)} but ${chosen.version} says ${key(chosen.value)}`,
          found.at,
          "kind-level names and scope are shared by every version: write them the same way, or only once",
        );
      }
    }
    return chosen?.value;
  };
  const list = (items: Array<{ value: string; at: SourceLocation }>) =>
    items.length === 0 ? undefined : { value: items.map((item) => item.value), at: items[0]?.at as SourceLocation };
  const scope = agree("@scope", (d) => d.markers.scope, String) ?? "Namespaced";
  const plural = agree("@plural", (d) => d.markers.plural, String) ?? pluralize(kind);
  const singular = agree("@singular", (d) => d.markers.singular, String) ?? kind.toLowerCase();
  const shortNames =
    agree(
      "@shortName",
      (d) => list(d.markers.shortNames),
      (v) => v.join(","),
    ) ?? [];
  const categories =
    agree(
      "@category",
      (d) => list(d.markers.categories),
      (v) => v.join(","),
    ) ?? [];
  const unconditionalUpdate =
    agree(
      "@unconditionalUpdate",
      (d) => (d.markers.unconditionalUpdate ? { value: true, at: d.markers.unconditionalUpdate } : undefined),
      String,
    ) ?? false;

  const stored = drafts.filter((draft) => draft.markers.storageVersion !== undefined);
  const first = drafts[0];
  if (drafts.length === 1 && first) {
    first.model.storage = true;
  } else if (stored.length === 1 && stored[0]) {
    stored[0].model.storage = true;
  } else if (stored.length === 0 && first) {
    errors.report(
      "StorageVersion",
      `${kind} is declared in ${drafts.map((d) => d.version).join(", ")}: mark exactly one with @storageVersion`,
      first.model.source,
    );
  } else {
    for (const draft of stored.slice(1)) {
      errors.report(
        "StorageVersion",
        `${kind} has @storageVersion in ${stored.map((d) => d.version).join(" and ")}; only one version is stored`,
        draft.markers.storageVersion ?? draft.model.source,
      );
    }
  }
  return {
    kind,
    listKind: `${kind}List`,
    plural,
    singular,
    scope,
    shortNames,
    categories,
    unconditionalUpdate,
    versions: drafts.map((draft) => draft.model),
    actionRequests: [],
    subresourceOptions: [],
    subresourceResponses: [],
  };
}

/**
 * Plural, singular and short names address resources in URLs and kubectl: no two kinds may share
 * one; nor may a kind be named like another kind's list.
 */
function checkNameCollisions(
  kinds: KindModel[],
  drafts: Map<string, KindDraft[]>,
  group: string,
  errors: ErrorCollector,
): void {
  const listOf = new Map(kinds.map((kind) => [kind.listKind, kind.kind]));
  for (const kind of kinds) {
    const listed = listOf.get(kind.kind);
    const at = drafts.get(kind.kind)?.[0]?.model.source;
    if (listed !== undefined && at !== undefined) {
      errors.report(
        "DuplicateKind",
        `${kind.kind} is also the list kind of ${listed} in ${group} (a list of ${listed} objects is a ${kind.kind})`,
        at,
        `rename ${kind.kind}; kube-apiserver refuses a kind named like another kind's list (ListKindConflict)`,
      );
    }
  }
  const owners = new Map<string, string>();
  for (const kind of kinds) {
    const at = drafts.get(kind.kind)?.[0]?.model.source;
    if (at === undefined) continue;
    const names = new Set([kind.plural, kind.singular, ...kind.shortNames]);
    for (const name of names) {
      const owner = owners.get(name);
      if (owner !== undefined && owner !== kind.kind) {
        errors.report(
          "DuplicateResourceName",
          `${kind.kind} and ${owner} in ${group} both answer to "${name}"`,
          at,
          "set @plural, @singular or @shortName so that each name is used once",
        );
      }
      owners.set(name, kind.kind);
    }
  }
}
