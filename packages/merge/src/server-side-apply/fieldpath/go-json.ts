import { sortGoStrings } from "../../json/go-format.js";
import { isJSONObject, type JSONValue } from "../../json/json.js";

// JSON as Go's encoding/json writes it: object keys sorted, and <, >, &, U+2028, U+2029 escaped.
// Kubernetes writes path-element keys, manager identifiers and last-applied annotations this way.

const escapes: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** A JSON string literal escaped as Go's encoding/json escapes it (HTML-safe). */
export function goJSONString(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what gets escaped
  const escaped = value.replace(/["\\<>&\u2028\u2029\u0000-\u001f]/g, (c) => {
    return escapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `"${escaped}"`;
}

/** Compact JSON with sorted object keys (Go's json.Marshal of a decoded value). */
export function goJSON(value: JSONValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return goJSONString(value);
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(goJSON).join(",")}]`;
  if (isJSONObject(value)) {
    const keys = sortGoStrings(Object.keys(value));
    return `{${keys.map((key) => `${goJSONString(key)}:${goJSON(value[key] as JSONValue)}`).join(",")}}`;
  }
  return "null";
}

/** Go's `%q` of a string, as Kubernetes prints key values in field paths. */
export function goQuote(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what gets escaped
  const escaped = value.replace(/["\\\u0000-\u001f\u007f]/g, (c) => {
    const named: Record<string, string> = {
      '"': '\\"',
      "\\": "\\\\",
      "\u0007": "\\a",
      "\b": "\\b",
      "\f": "\\f",
      "\n": "\\n",
      "\r": "\\r",
      "\t": "\\t",
      "\u000b": "\\v",
    };
    return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return `"${escaped}"`;
}
