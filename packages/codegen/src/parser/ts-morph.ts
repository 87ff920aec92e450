/**
 * ts-morph's values, loaded with require(). An ES module importing a CommonJS package makes
 * Node scan the package's source for export names before it runs; for ts-morph and the
 * TypeScript compiler it bundles, that scan was about 0.3 s of every `scaffold generate`
 * (packages/cli/bench/codegen.mjs). Types come from the package as usual; each value below has
 * a type of the same name, so that callers use them as they would ts-morph's own.
 */
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";

const tsMorph = createRequire(import.meta.url)("ts-morph") as typeof TsMorph;

export const Node = tsMorph.Node;
export type Node<T extends TsMorph.ts.Node = TsMorph.ts.Node> = TsMorph.Node<T>;
export const Project = tsMorph.Project;
export type Project = TsMorph.Project;
export const SyntaxKind = tsMorph.SyntaxKind;
export type SyntaxKind = TsMorph.SyntaxKind;
export const IndentationText = tsMorph.IndentationText;
export type IndentationText = TsMorph.IndentationText;
export const QuoteKind = tsMorph.QuoteKind;
export type QuoteKind = TsMorph.QuoteKind;
