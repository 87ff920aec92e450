// The engine ships its own `matches` (JavaScript RegExp: backtracking, not RE2) and string functions
// that count UTF-16 units instead of code points. Its overloads can't be replaced, so calls to these
// methods are renamed after parsing to the Kubernetes implementations registered under internal names.

const INTERNAL_SUFFIX = "__k8s";

/** Methods whose built-in engine version differs from cel-go's. */
export const replacedMethods: ReadonlySet<string> = new Set([
  "matches",
  "lowerAscii",
  "upperAscii",
  "indexOf",
  "lastIndexOf",
  "substring",
  "trim",
]);

export function internalName(method: string): string {
  return `${method}${INTERNAL_SUFFIX}`;
}

interface AstLike {
  op: string;
  args: unknown;
}

function isNode(v: unknown): v is AstLike {
  return typeof v === "object" && v !== null && "op" in v && "args" in v;
}

/** Renames replaced method calls in a parsed (unchecked) expression tree, in place. */
export function renameReplacedMethods(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) renameReplacedMethods(n);
    return;
  }
  if (!isNode(node)) return;
  const args = node.args;
  if (node.op === "rcall" && Array.isArray(args) && typeof args[0] === "string" && replacedMethods.has(args[0])) {
    args[0] = internalName(args[0]);
  }
  if (Array.isArray(args)) renameReplacedMethods(args);
  else if (isNode(args)) renameReplacedMethods(args);
}

/** Shows users the names they wrote in engine messages. */
export function restoreMethodNames(message: string): string {
  return message.replaceAll(INTERNAL_SUFFIX, "");
}
