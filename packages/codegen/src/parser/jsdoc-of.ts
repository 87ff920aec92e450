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
