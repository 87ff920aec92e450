import { Optional } from "@marcbachmann/cel-js";

/**
 * CEL equality of runtime values: numbers compare across int, uint and double; lists by element;
 * maps by entry; values with an `equals` method (quantities, IPs, CIDRs) by that method.
 */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => celEquals(x, b[i]));
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  }
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Optional || b instanceof Optional) {
    if (!(a instanceof Optional && b instanceof Optional)) return false;
    return a.hasValue() === b.hasValue() && (!a.hasValue() || celEquals(a.value(), b.value()));
  }
  const eq = (a as { equals?: unknown }).equals;
  if (typeof eq === "function") return (eq as (o: unknown) => boolean).call(a, b);
  if (!isRecord(a) || !isRecord(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && celEquals(a[k], b[k]));
}

function isRecord(v: object): v is Record<string, unknown> {
  const p = Object.getPrototypeOf(v);
  return p === null || p === Object.prototype;
}

function numeric(v: unknown): number | bigint | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isInteger(v) && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof v === "object" && v !== null && v.constructor?.name === "UnsignedInt")
    return (v as { value: bigint }).value;
  return undefined;
}

/** CEL ordering of two comparable values (ints, uints, doubles, strings, bytes, bools, timestamps, durations). */
export function celCompare(a: unknown, b: unknown): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  const ta = (a as { valueOf?: () => unknown })?.valueOf?.();
  const tb = (b as { valueOf?: () => unknown })?.valueOf?.();
  if (typeof ta === "bigint" && typeof tb === "bigint") return ta < tb ? -1 : ta > tb ? 1 : 0;
  throw new TypeError("no such overload");
}

function compareCodePoints(a: string, b: string): number {
  // Go compares strings bytewise (UTF-8), which orders like code points, not like UTF-16 units.
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
