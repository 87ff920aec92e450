/**
 * ts-morph's values, loaded with require(). An ES module importing a CommonJS package makes
 * Node scan the package's source for export names before it runs; for ts-morph and the
 * TypeScript compiler it bundles, that scan was about 0.3 s of every `scaffold generate`
 * (packages/cli/bench/codegen.mjs). Types come from the package as usual; each value below has
 * a type of the same name, so that callers use them as they would ts-morph's own.
 */
import type * as TsMorph from "ts-morph";
import { requireWithCompileCache } from "./compile-cache.js";

/** Loaded with V8's cached code for its ~12 MB of bundles where an earlier run left it (compile-cache.ts). */
const tsMorph = requireWithCompileCache<typeof TsMorph>("ts-morph", import.meta.url);

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
