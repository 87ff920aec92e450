/**
 * API reference pages from a package's public face: everything its `src/index.ts` exports, read
 * with ts-morph, each with its signature and the first paragraph of its TSDoc, grouped by the
 * module (concern folder) it comes from. The page is a pure function of the sources, so a test
 * can tell when it is stale.
 */
import { relative } from "node:path";
import {
  type ClassDeclaration,
  type FunctionDeclaration,
  type InterfaceDeclaration,
  type JSDocableNode,
  Node,
  Project,
  Scope,
} from "ts-morph";

export interface ApiPage {
  /** The package directory, e.g. `<checkout>/packages/runtime`. */
  packageDir: string;
  /** The page's title. */
  title: string;
  /** A paragraph under the title. */
  intro: string;
  /** The command that regenerates the page, for its header. */
  command: string;
}

/** The first paragraph of a node's TSDoc, on one line. */
function summary(node: Node): string {
  const docs = Node.isJSDocable(node) ? (node as unknown as JSDocableNode).getJsDocs() : [];
  const text = docs.at(-1)?.getDescription().trim() ?? "";
  return (text.split(/\n\s*\n/)[0] ?? "").replace(/\s+/g, " ").trim();
}

/** A one-line comment for a member, or nothing. */
function memberComment(node: Node, indent: string): string {
  const text = summary(node);
  return text ? `${indent}/** ${text} */\n` : "";
}

/** Collapses a declaration's internal whitespace runs that span lines, keeping it valid TypeScript. */
function oneLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, " ")
    .replace(/\(\s+/g, "(")
    .replace(/\s+\)/g, ")");
}

function functionSignature(fn: FunctionDeclaration, name: string): string {
  const typeParameters = fn.getTypeParameters().map((p) => p.getText());
  const parameters = fn.getParameters().map((p) => oneLine(p.getText()));
  const returns = fn.getReturnTypeNode()?.getText();
  const generic = typeParameters.length > 0 ? `<${typeParameters.join(", ")}>` : "";
  return `function ${name}${generic}(${parameters.join(", ")})${returns ? `: ${oneLine(returns)}` : ""};`;
}

function interfaceText(iface: InterfaceDeclaration, name: string): string {
  const typeParameters = iface.getTypeParameters().map((p) => p.getText());
  const heritage = iface.getExtends().map((e) => e.getText());
  const head = `interface ${name}${typeParameters.length ? `<${typeParameters.join(", ")}>` : ""}${
    heritage.length ? ` extends ${heritage.join(", ")}` : ""
  } {`;
  const members = iface.getMembers().map((member) => `${memberComment(member, "  ")}  ${oneLine(member.getText())}`);
  return [head, ...members, "}"].join("\n");
}

function classText(cls: ClassDeclaration, name: string): string {
  const typeParameters = cls.getTypeParameters().map((p) => p.getText());
  const base = cls.getExtends()?.getText();
  const implemented = cls.getImplements().map((i) => i.getText());
  const head = `class ${name}${typeParameters.length ? `<${typeParameters.join(", ")}>` : ""}${base ? ` extends ${base}` : ""}${
    implemented.length ? ` implements ${implemented.join(", ")}` : ""
  } {`;
  const lines: string[] = [];
  for (const ctor of cls.getConstructors()) {
    if (ctor.getScope() === Scope.Private || ctor.getScope() === Scope.Protected) continue;
    const parameters = ctor.getParameters().map((p) => oneLine(p.getText()));
    lines.push(`${memberComment(ctor, "  ")}  constructor(${parameters.join(", ")});`);
  }
  for (const member of cls.getMembers()) {
    if (Node.isConstructorDeclaration(member)) continue;
    if (Node.isScoped(member) && member.getScope() !== Scope.Public) continue;
    if ((Node.isPropertyDeclaration(member) || Node.isMethodDeclaration(member)) && member.getName().startsWith("#"))
      continue;
    let text: string | undefined;
    if (Node.isMethodDeclaration(member)) {
      const statics = member.isStatic() ? "static " : "";
      const asyncText = member.isAsync() ? "async " : "";
      const parameters = member.getParameters().map((p) => oneLine(p.getText()));
      const returns = member.getReturnTypeNode()?.getText();
      text = `${statics}${asyncText}${member.getName()}(${parameters.join(", ")})${returns ? `: ${oneLine(returns)}` : ""};`;
    } else if (Node.isPropertyDeclaration(member)) {
      const modifiers = [member.isStatic() ? "static" : "", member.isReadonly() ? "readonly" : ""].filter(Boolean);
      const type = member.getTypeNode()?.getText() ?? member.getType().getText(member);
      text = `${[...modifiers, member.getName()].join(" ")}${member.hasQuestionToken() ? "?" : ""}: ${oneLine(type)};`;
    } else if (Node.isGetAccessorDeclaration(member)) {
      const returns = member.getReturnTypeNode()?.getText() ?? member.getReturnType().getText(member);
      text = `get ${member.getName()}(): ${oneLine(returns)};`;
    }
    if (text) lines.push(`${memberComment(member, "  ")}  ${text}`);
  }
  return [head, ...lines, "}"].join("\n");
}

/** The signature block of one exported declaration. */
function declarationText(node: Node, name: string): { kind: string; text: string } | undefined {
  if (Node.isFunctionDeclaration(node)) return { kind: "function", text: functionSignature(node, name) };
  if (Node.isInterfaceDeclaration(node)) return { kind: "interface", text: interfaceText(node, name) };
  if (Node.isClassDeclaration(node)) return { kind: "class", text: classText(node, name) };
  if (Node.isTypeAliasDeclaration(node)) {
    const typeParameters = node.getTypeParameters().map((p) => p.getText());
    const generic = typeParameters.length ? `<${typeParameters.join(", ")}>` : "";
    return { kind: "type", text: `type ${name}${generic} = ${node.getTypeNodeOrThrow().getText()};` };
  }
  if (Node.isVariableDeclaration(node)) {
    const type = node.getTypeNode()?.getText() ?? node.getType().getText(node);
    return { kind: "const", text: `const ${name}: ${oneLine(type)};` };
  }
  if (Node.isEnumDeclaration(node)) return { kind: "enum", text: node.getText() };
  return undefined;
}

/** The Markdown of one package's API page. */
export function apiReferencePage(page: ApiPage): string {
  const project = new Project({ tsConfigFilePath: `${page.packageDir}/tsconfig.json` });
  const index = project.getSourceFileOrThrow(`${page.packageDir}/src/index.ts`);
  const modules = new Map<string, Array<{ name: string; kind: string; text: string; doc: string }>>();
  for (const [name, declarations] of index.getExportedDeclarations()) {
    for (const declaration of declarations) {
      const shown = declarationText(declaration, name);
      if (!shown) continue;
      const file = relative(`${page.packageDir}/src`, declaration.getSourceFile().getFilePath());
      const entries = modules.get(file) ?? [];
      // Functions with overloads: one entry per signature, the doc once.
      const doc = Node.isVariableDeclaration(declaration)
        ? summary(declaration.getVariableStatementOrThrow())
        : summary(declaration);
      entries.push({ name, ...shown, doc });
      modules.set(file, entries);
    }
  }
  const out: string[] = [
    `# ${page.title}`,
    "",
    `<!-- Generated by \`${page.command}\` from the package's src/index.ts and its TSDoc. Do not edit. -->`,
    "",
    page.intro,
    "",
  ];
  const files = [...modules.keys()].sort();
  out.push("## Modules", "");
  for (const file of files) {
    const names = (modules.get(file) ?? []).map((e) => e.name);
    out.push(
      `- \`${file}\`: ${[...new Set(names)]
        .sort()
        .map((n) => `\`${n}\``)
        .join(", ")}`,
    );
  }
  out.push("");
  for (const file of files) {
    out.push(`## \`${file}\``, "");
    const entries = (modules.get(file) ?? []).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      out.push(`### ${entry.name}`, "");
      if (entry.doc) out.push(entry.doc, "");
      out.push("```ts", entry.text, "```", "");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}
