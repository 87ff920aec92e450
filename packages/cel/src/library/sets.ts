import { celEquals } from "./equality.js";

// cel-go's sets extension as Kubernetes enables it: lists treated as sets, CEL equality between elements.

/** sets.contains(a, b): every element of b is in a. */
export function setsContains(a: readonly unknown[], b: readonly unknown[]): boolean {
  return b.every((x) => a.some((y) => celEquals(x, y)));
}

/** sets.equivalent(a, b): a and b hold the same elements, duplicates aside. */
export function setsEquivalent(a: readonly unknown[], b: readonly unknown[]): boolean {
  return setsContains(a, b) && setsContains(b, a);
}

/** sets.intersects(a, b): a and b share at least one element. */
export function setsIntersects(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.some((x) => b.some((y) => celEquals(x, y)));
}
