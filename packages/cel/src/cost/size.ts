import { Quantity } from "../library/quantity.js";

/** cel-go's actualSize: the size of strings (code points), bytes, lists and maps; 1 for anything else. */
export function actualSize(v: unknown): number {
  if (typeof v === "string") return codePointCount(v);
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length;
  if (typeof v === "object" && v !== null && !(v instanceof Quantity)) {
    const p = Object.getPrototypeOf(v);
    if (p === null || p === Object.prototype) return Object.keys(v).length;
  }
  return 1;
}

function codePointCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** Kubernetes' traversalCost: the cost of walking a value as a data tree. */
export function traversalCost(v: unknown): number {
  if (typeof v === "string") return Math.floor(codePointCount(v) * 0.1);
  if (v instanceof Uint8Array) return Math.floor(v.length * 0.1);
  if (Array.isArray(v)) {
    let c = 0;
    for (const x of v) c += traversalCost(x);
    return c;
  }
  if (typeof v === "object" && v !== null) {
    const p = Object.getPrototypeOf(v);
    if (p === null || p === Object.prototype) {
      let c = 0;
      for (const [k, x] of Object.entries(v)) c += traversalCost(k) + traversalCost(x);
      return c;
    }
  }
  return 1;
}
