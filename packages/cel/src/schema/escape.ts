// Property names become CEL identifiers the way Kubernetes escapes them (apiserver pkg/cel/escaping.go).

const reserved = new Set([
  "true",
  "false",
  "null",
  "in",
  "as",
  "break",
  "const",
  "continue",
  "else",
  "for",
  "function",
  "if",
  "import",
  "let",
  "loop",
  "package",
  "namespace",
  "return",
  "var",
  "void",
  "while",
]);

/** The CEL identifier for a property name, or undefined when Kubernetes cannot expose it. */
export function escapePropertyName(name: string): string | undefined {
  if (name.length === 0 || (name[0] !== undefined && name[0] >= "0" && name[0] <= "9")) return undefined;
  if (reserved.has(name)) return `__${name}__`;
  if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) && !name.includes("__")) return name;
  let ok = true;
  const escaped = name.replace(/__|[-./]|[^a-zA-Z0-9_]/g, (m) => {
    switch (m) {
      case "__":
        return "__underscores__";
      case ".":
        return "__dot__";
      case "-":
        return "__dash__";
      case "/":
        return "__slash__";
      default:
        ok = false;
        return "";
    }
  });
  return ok ? escaped : undefined;
}
