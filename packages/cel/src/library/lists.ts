import { celCompare, celEquals } from "./equality.js";
import { celError } from "./errors.js";

// Kubernetes' lists library (apiserver pkg/cel/library/lists.go).

const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;

export function isSorted(list: readonly unknown[]): boolean {
  for (let i = 1; i < list.length; i++) if (celCompare(list[i - 1], list[i]) > 0) return false;
  return true;
}

export function sum(list: readonly unknown[], zero: bigint | number): bigint | number {
  let acc: bigint | number = zero;
  for (const v of list) {
    if (typeof acc === "bigint" && typeof v === "bigint") {
      acc += v;
      if (acc > MAX_INT || acc < MIN_INT) throw celError("integer overflow");
    } else {
      acc = Number(acc) + Number(v);
    }
  }
  return acc;
}

export function min(list: readonly unknown[]): unknown {
  if (list.length === 0) throw celError("min called on empty list");
  return list.reduce((m, v) => (celCompare(v, m) < 0 ? v : m));
}

export function max(list: readonly unknown[]): unknown {
  if (list.length === 0) throw celError("max called on empty list");
  return list.reduce((m, v) => (celCompare(v, m) > 0 ? v : m));
}

export function listIndexOf(list: readonly unknown[], v: unknown): bigint {
  return BigInt(list.findIndex((x) => celEquals(x, v)));
}

export function listLastIndexOf(list: readonly unknown[], v: unknown): bigint {
  for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], v)) return BigInt(i);
  return -1n;
}
