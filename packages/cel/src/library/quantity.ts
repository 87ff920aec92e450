import { celError } from "./errors.js";

// Kubernetes' quantity library (apiserver pkg/cel/library/quantity.go) over resource.ParseQuantity.
// A quantity is kept as an exact fraction; like Kubernetes, precision finer than 10^-9 rounds up.

const FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NANO = 1_000_000_000n;
const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;

const binary: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** A resource quantity (CEL type kubernetes.Quantity): the value num / den. */
export class Quantity {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint) {
    // Round away from zero to nano precision, as resource.Quantity does.
    if (den > NANO) {
      const scale = den / NANO;
      const q = num / scale;
      num = q * scale === num ? q : num > 0n ? q + 1n : q - 1n;
      den = NANO;
    }
    this.num = num;
    this.den = den;
  }

  compareTo(o: Quantity): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  equals(o: unknown): boolean {
    return o instanceof Quantity && this.compareTo(o) === 0;
  }

  add(o: Quantity): Quantity {
    const den = this.den > o.den ? this.den : o.den;
    return new Quantity(this.num * (den / this.den) + o.num * (den / o.den), den);
  }

  sub(o: Quantity): Quantity {
    return this.add(new Quantity(-o.num, o.den));
  }

  sign(): bigint {
    return this.num > 0n ? 1n : this.num < 0n ? -1n : 0n;
  }

  /** The value as int64, or undefined when it has a fraction or overflows. */
  asInt64(): bigint | undefined {
    if (this.num % this.den !== 0n) return undefined;
    const v = this.num / this.den;
    return v > MAX_INT || v < MIN_INT ? undefined : v;
  }

  asApproximateFloat(): number {
    return Number(this.num) / Number(this.den);
  }

  toString(): string {
    const i = this.asInt64();
    if (i !== undefined) return String(i);
    return `${this.num}/${this.den}`;
  }
}

/** Parses a quantity string (`500m`, `1.5Gi`, `1e3`), or returns Kubernetes' error text. */
export function parseQuantity(s: string): Quantity | string {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(s);
  if (!m || s === "") return FORMAT_ERROR;
  const [, sign, whole = "", frac = "", suffix = ""] = m;
  if (whole === "" && frac === "") return FORMAT_ERROR;
  let num = BigInt(`${whole}${frac}` || "0");
  let den = 10n ** BigInt(frac.length);
  const bin = binary[suffix];
  if (bin !== undefined) {
    num *= bin;
  } else {
    let exp = decimal[suffix];
    if (exp === undefined) {
      const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
      if (!e) return FORMAT_ERROR;
      exp = Number(e[1]);
      if (Math.abs(exp) > 1000) return "unable to parse quantity's suffix";
    }
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  if (sign === "-") num = -num;
  return new Quantity(num, den);
}

export function quantity(s: string): Quantity {
  const q = parseQuantity(s);
  if (typeof q === "string") throw celError(q);
  return q;
}

export function isQuantity(s: string): boolean {
  return typeof parseQuantity(s) !== "string";
}

export function asInteger(q: Quantity): bigint {
  const v = q.asInt64();
  if (v === undefined) throw celError("cannot convert value to integer");
  return v;
}

export function fromInt(i: bigint): Quantity {
  return new Quantity(i, 1n);
}
