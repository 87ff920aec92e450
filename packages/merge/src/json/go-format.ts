import { isJSONObject, type JSONValue, jsonKind } from "./json.js";

// Kubernetes' error messages print values with Go's fmt verbs; these reproduce them for decoded JSON.

/** Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, `<nil>`, numbers as Go prints them. */
export function goValue(value: JSONValue | undefined): string {
  if (value === undefined || value === null) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (isJSONObject(value)) {
    const keys = sortGoStrings(Object.keys(value));
    return `map[${keys.map((key) => `${key}:${goValue(value[key])}`).join(" ")}]`;
  }
  if (typeof value === "number") return goNumber(value);
  return String(value);
}

/** Go's `%s`: strings as they are, anything else flagged the way fmt does. */
export function goString(value: JSONValue | undefined): string {
  if (typeof value === "string") return value;
  return `%!s(${goTypeName(value)}=${goValue(value)})`;
}

/** The Go type a JSON decoder (with preserved integers) gives a value, as `%s` of reflect.Type prints it. */
export function goTypeName(value: JSONValue | undefined): string {
  if (value === undefined || value === null) return "<nil>";
  switch (jsonKind(value)) {
    case "array":
      return "[]interface {}";
    case "object":
      return "map[string]interface {}";
    case "number":
      return Number.isInteger(value) ? "int64" : "float64";
    case "boolean":
      return "bool";
    default:
      return "string";
  }
}

/** strconv's shortest formatting: exponent form below 1e-4 and from 1e21, two-digit exponents. */
function goNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    return n.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(n);
}

const surrogate = /[\uD800-\uDFFF]/;

/**
 * Sorts strings in place in Go's order (compareGoStrings). Without surrogates, UTF-16 code
 * unit order is code point order, and the built-in comparison is several times cheaper.
 */
export function sortGoStrings(strings: string[]): string[] {
  for (const s of strings) if (surrogate.test(s)) return strings.sort(compareGoStrings);
  return strings.sort();
}

/** Byte-wise (UTF-8) order of Go's string comparison, which is code-point order. */
export function compareGoStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
