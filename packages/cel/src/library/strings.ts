import { celError } from "./errors.js";

// Kubernetes' strings library (cel-go ext/strings as Kubernetes configures it). Indexes count
// Unicode code points, as in cel-go; JavaScript's UTF-16 indexes would differ outside the BMP.

const codePoints = (s: string): string[] => Array.from(s);

export function charAt(s: string, index: bigint): string {
  const cps = codePoints(s);
  const i = Number(index);
  if (i < 0 || i > cps.length) throw celError(`index out of range: ${index}`);
  return cps[i] ?? "";
}

export function indexOf(s: string, sub: string, offset = 0n): bigint {
  const cps = codePoints(s);
  const subCps = codePoints(sub);
  const start = Number(offset);
  if (start < 0 || start > cps.length) throw celError(`index out of range: ${offset}`);
  if (subCps.length === 0) return offset;
  for (let i = start; i + subCps.length <= cps.length; i++) {
    if (matchesAt(cps, subCps, i)) return BigInt(i);
  }
  return -1n;
}

export function lastIndexOf(s: string, sub: string, offset?: bigint): bigint {
  const cps = codePoints(s);
  const subCps = codePoints(sub);
  const start = offset === undefined ? cps.length : Number(offset);
  if (start < 0 || start > cps.length) throw celError(`index out of range: ${offset}`);
  if (subCps.length === 0) return BigInt(start);
  for (let i = Math.min(start, cps.length - subCps.length); i >= 0; i--) {
    if (matchesAt(cps, subCps, i)) return BigInt(i);
  }
  return -1n;
}

function matchesAt(cps: string[], sub: string[], at: number): boolean {
  for (let j = 0; j < sub.length; j++) if (cps[at + j] !== sub[j]) return false;
  return true;
}

export function lowerAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export function upperAscii(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

export function replace(s: string, from: string, to: string, limit = -1n): string {
  if (limit === 0n) return s;
  if (limit < 0n)
    return from === ""
      ? codePoints(s)
          .map((c) => to + c)
          .join("") + to
      : s.split(from).join(to);
  let out = "";
  let rest = s;
  let n = Number(limit);
  while (n > 0) {
    if (from === "") {
      const [first, ...others] = codePoints(rest);
      out += to + (first ?? "");
      rest = others.join("");
      if (first === undefined) break;
    } else {
      const at = rest.indexOf(from);
      if (at < 0) break;
      out += rest.slice(0, at) + to;
      rest = rest.slice(at + from.length);
    }
    n--;
  }
  return out + rest;
}

export function substring(s: string, start: bigint, end?: bigint): string {
  const cps = codePoints(s);
  const e = end === undefined ? cps.length : Number(end);
  const b = Number(start);
  if (b < 0 || b > cps.length) throw celError(`index out of range: ${start}`);
  if (e < 0 || e > cps.length) throw celError(`index out of range: ${end}`);
  if (b > e) throw celError(`invalid substring range. start: ${start}, end: ${end}`);
  return cps.slice(b, e).join("");
}

// Go's unicode.IsSpace, which strings.TrimSpace (cel-go's trim) uses.
const goSpace =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

export function trim(s: string): string {
  return s.replace(goSpace, "");
}

export function reverse(s: string): string {
  return codePoints(s).reverse().join("");
}

/** strings.quote: a double-quoted CEL string literal. */
export function quote(s: string): string {
  const esc: Record<string, string> = {
    "\x07": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
  };
  let out = "";
  for (const c of s) out += esc[c] ?? c;
  return `"${out}"`;
}

/** The CEL string form of a value, as format's %s prints it. */
export function formatValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (typeof v === "number") return formatDouble(v);
  if (v === null) return "null";
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  if (v instanceof Date) return v.toISOString().replace(".000Z", "Z");
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (typeof v === "object") {
    if (
      typeof (v as { toString?: unknown }).toString === "function" &&
      Object.getPrototypeOf(v) !== null &&
      Object.getPrototypeOf(v) !== Object.prototype
    ) {
      return String(v);
    }
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${k}: ${formatValue(x)}`).join(", ")}}`;
  }
  return String(v);
}

function formatDouble(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

/** `"%s has %d items".format([name, n])` with the verbs of cel-go's strings extension. */
export function format(template: string, args: readonly unknown[]): string {
  let out = "";
  let argIndex = 0;
  const next = (verb: string): unknown => {
    if (argIndex >= args.length) throw celError(`index ${argIndex} out of range`);
    const v = args[argIndex++];
    if (v === undefined) throw celError(`missing argument for %${verb}`);
    return v;
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== "%") {
      out += c;
      continue;
    }
    let precision: number | undefined;
    let j = i + 1;
    if (template[j] === ".") {
      let digits = "";
      j++;
      while (template[j] !== undefined && /[0-9]/.test(template[j] as string)) digits += template[j++];
      precision = Number(digits || "0");
    }
    const verb = template[j];
    i = j;
    switch (verb) {
      case "%":
        out += "%";
        break;
      case "s":
        out += formatValue(next(verb));
        break;
      case "d": {
        const v = next(verb);
        if (typeof v !== "bigint" && !(typeof v === "object" && v !== null && "value" in v))
          throw celError(
            `error during formatting: decimal clause can only be used on integers, was given ${typeName(v)}`,
          );
        out += String(typeof v === "bigint" ? v : (v as { value: unknown }).value);
        break;
      }
      case "f":
      case "e": {
        const v = next(verb);
        const n = typeof v === "bigint" ? Number(v) : v;
        if (typeof n !== "number")
          throw celError(
            `error during formatting: fixed-point clause can only be used on doubles, was given ${typeName(v)}`,
          );
        const p = precision ?? 6;
        out += verb === "f" ? n.toFixed(p) : goExponent(n, p);
        break;
      }
      case "b":
      case "o":
      case "x":
      case "X": {
        const v = next(verb);
        const radix = verb === "b" ? 2 : verb === "o" ? 8 : 16;
        let s: string;
        if (typeof v === "bigint") s = v < 0n ? `-${(-v).toString(radix)}` : v.toString(radix);
        else if (typeof v === "string" && radix === 16) s = Buffer.from(v, "utf8").toString("hex");
        else if (v instanceof Uint8Array && radix === 16) s = Buffer.from(v).toString("hex");
        else if (typeof v === "boolean" && radix === 2) s = v ? "1" : "0";
        else
          throw celError(
            `error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given ${typeName(v)}`,
          );
        out += verb === "X" ? s.toUpperCase() : s;
        break;
      }
      default:
        throw celError(`could not parse formatting clause: unrecognized formatting clause "${verb ?? ""}"`);
    }
  }
  return out;
}

function goExponent(n: number, p: number): string {
  const [mantissa, exp] = n.toExponential(p).split("e");
  const e = Number(exp);
  return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

function typeName(v: unknown): string {
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "double";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  if (v === null) return "null_type";
  return "map";
}
