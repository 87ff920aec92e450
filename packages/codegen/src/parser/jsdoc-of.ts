import { type JsDoc, parseJsDoc } from "../jsdoc/jsdoc.js";
import { Node } from "./ts-morph.js";

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
  const text = node.getSourceFile().getFullText();
  const attached = new Set(Node.isJSDocable(node) ? node.getJsDocs().map((doc) => doc.getStart()) : []);
  const trivia = text.slice(node.getPos(), node.getStart());
  const starts: number[] = [];
  for (const comment of trivia.matchAll(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g)) {
    if (!comment[0].startsWith("/**") || comment[0] === "/**/") continue;
    const start = node.getPos() + comment.index;
    if (!attached.has(start)) starts.push(start);
  }
  return starts;
}

export const DETACHED_JSDOC_MESSAGE =
  "this JSDoc comment belongs to nothing: TypeScript attaches a comment only to a declaration on a later line";
export const DETACHED_JSDOC_HINT = "put the comment on its own line above what it describes";
