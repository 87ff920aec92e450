/** Index of the first item with a revision greater than `revision` in a revision-ordered array. */
export function firstAfter(items: readonly { readonly revision: number }[], revision: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as { revision: number }).revision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
