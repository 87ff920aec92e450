import { Duration } from "@marcbachmann/cel-js/evaluator";
import type { DeclType } from "./decl.js";

/**
 * Converts decoded JSON into the values the CEL engine evaluates, following the schema as Kubernetes'
 * UnstructuredToVal does: integers become bigint (CEL int), numbers stay doubles, formatted strings
 * become timestamps, durations or bytes, objects expose only their declared (escaped) properties.
 * `cache` remembers converted objects within one validation so nested rules don't convert twice.
 */
export function toCelValue(value: unknown, decl: DeclType | undefined, cache?: WeakMap<object, unknown>): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "object" && cache) {
    const hit = cache.get(value);
    if (hit !== undefined) return hit;
    const converted = convert(value, decl, cache);
    cache.set(value, converted);
    return converted;
  }
  return convert(value, decl, cache);
}

function convert(value: unknown, decl: DeclType | undefined, cache: WeakMap<object, unknown> | undefined): unknown {
  if (!decl) return toDynValue(value);
  switch (decl.kind) {
    case "dyn":
      return toDynValue(value);
    case "int":
      return typeof value === "number" && Number.isInteger(value) ? BigInt(value) : toDynValue(value);
    case "double":
      return typeof value === "bigint" ? Number(value) : value;
    case "bytes":
      return typeof value === "string" ? new Uint8Array(Buffer.from(value, "base64")) : value;
    case "timestamp":
      return typeof value === "string" ? (parseTimestamp(value) ?? value) : value;
    case "duration":
      return typeof value === "string" ? (parseDuration(value) ?? value) : value;
    case "list":
      return Array.isArray(value) ? value.map((v) => toCelValue(v, decl.elem, cache)) : toDynValue(value);
    case "map": {
      if (!isPlainObject(value)) return toDynValue(value);
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, v] of Object.entries(value)) out[k] = toCelValue(v, decl.elem, cache);
      return out;
    }
    case "object": {
      if (!isPlainObject(value)) return toDynValue(value);
      const out: Record<string, unknown> = Object.create(null);
      for (const field of decl.fields?.values() ?? []) {
        const v = value[field.name];
        if (v !== undefined) out[field.celName] = toCelValue(v, field.type, cache);
      }
      return out;
    }
    default:
      return value;
  }
}

/** Schemaless data: JSON integers are CEL ints, other numbers doubles (as Kubernetes' JSON decoding). */
export function toDynValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toDynValue);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = toDynValue(v);
    return out;
  }
  return value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$/;

function parseTimestamp(s: string): Date | undefined {
  if (!rfc3339.test(s)) return undefined;
  const t = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isNaN(t) ? undefined : new Date(t);
}

const durationUnits: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/** A Go duration string (with the d and w units strfmt also accepts) as a CEL duration. */
export function parseDuration(s: string): Duration | undefined {
  let rest = s;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return new Duration(0, 0);
  if (rest === "") return undefined;
  let nanos = 0n;
  const part = /^(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h|d|w)/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m) return undefined;
    const unit = durationUnits[m[3] as string] as bigint;
    nanos += BigInt(m[1] as string) * unit;
    if (m[2]) nanos += (BigInt(m[2].slice(0, 18).padEnd(18, "0")) * unit) / 10n ** 18n;
    rest = rest.slice(m[0].length);
  }
  if (negative) nanos = -nanos;
  return new Duration(nanos / 1_000_000_000n, Number(nanos % 1_000_000_000n));
}
