import { type JsDoc, parseJsDoc } from "../jsdoc/jsdoc.js";
import { Node, SyntaxKind } from "./ts-morph.js";

const EMPTY: JsDoc = { tags: [] };

/** The JSDoc comment closest to a declaration or member, parsed; empty when there is none. */
export function jsDocOf(node: Node): JsDoc {
  if (!Node.isJSDocable(node)) return EMPTY;
  const docs = node.getJsDocs();
  const last = docs[docs.length - 1];
  if (last === undefined) return EMPTY;
  const sourceFile = node.getSourceFile();
  const { line, column } = sourceFile.getLineAndColumnAtPos(last.getStart());
  return parseJsDoc(last.getText(), line, column);
}

/**
 * Where `/** *\/` comments before a node start that TypeScript attaches to nothing: those on the
 * line of the previous declaration, field or opening brace. Their markers and descriptions
 * would be dropped without a word (editors show nothing for them either).
 */
export function detachedJsDocStarts(node: Node): number[] {
  const attached = new Set(Node.isJSDocable(node) ? node.getJsDocs().map((doc) => doc.getStart()) : []);
  return jsDocStartsIn(node.getSourceFile().getFullText(), node.getPos(), node.getStart()).filter(
    (start) => !attached.has(start),
  );
}

/**
 * Where `/** *\/` comments start after the last member of an interface or object type (or after
 * its `{` when it has none), before its closing `}`: there is nothing below them to describe.
 */
export function trailingJsDocStarts(container: Node): number[] {
  const close = container.getLastChildByKind(SyntaxKind.CloseBraceToken);
  if (close === undefined) return [];
  return jsDocStartsIn(container.getSourceFile().getFullText(), close.getPos(), close.getStart());
}

/** The starts of the `/** *\/` comments in the trivia `text[from, to)` (comments only: no code there). */
function jsDocStartsIn(text: string, from: number, to: number): number[] {
  const starts: number[] = [];
  for (const comment of text.slice(from, to).matchAll(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g)) {
    if (comment[0].startsWith("/**") && comment[0] !== "/**/") starts.push(from + comment.index);
  }
  return starts;
}

export const DETACHED_JSDOC_MESSAGE =
  "this JSDoc comment belongs to nothing: TypeScript attaches a comment only to a declaration on a later line";
export const DETACHED_JSDOC_HINT = "put the comment on its own line above what it describes";
export const TRAILING_JSDOC_MESSAGE =
  "this JSDoc comment belongs to nothing: it comes after the last field, before the closing }";
export const TRAILING_JSDOC_HINT = "put it on its own line above the field it describes, or remove it";
