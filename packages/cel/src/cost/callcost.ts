import { REGEX_STRING_LENGTH_COST_FACTOR as REGEX, STRING_TRAVERSAL_COST_FACTOR as TRAVERSE } from "./limits.js";

// One table of call costs, shared by the runtime tracker (actual sizes) and the static estimator
// (worst-case sizes): cel-go's defaults (interpreter/runtimecost.go) plus Kubernetes' library costs
// (apiserver pkg/cel/library/cost.go). Sizes are in elements: code points, bytes, items or entries.

/** What a call cost depends on: the sizes of its receiver, arguments and result. */
export interface CallSizes {
  /** Receiver size, for method calls. */
  target?: number;
  args: readonly number[];
  result?: number;
  /** Cost of traversing the receiver list (lists library), when known. */
  targetTraversal?: number;
}

const ceil = Math.ceil;

/** The cost of one call of the named function, method or operator. */
export function callCost(name: string, s: CallSizes): number {
  const t = s.target ?? s.args[0] ?? 1;
  const a0 = s.target === undefined ? (s.args[1] ?? 1) : (s.args[0] ?? 1);
  switch (name) {
    // cel-go built-ins
    case "startsWith":
    case "endsWith":
      return ceil(t * TRAVERSE);
    case "contains":
      return ceil(t * TRAVERSE) * ceil(a0 * TRAVERSE);
    case "matches":
    case "find":
    case "findAll":
      return ceil((1 + t) * TRAVERSE) * ceil(a0 * REGEX);
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return Math.max(1, ceil(Math.min(s.args[0] ?? 1, s.args[1] ?? 1) * TRAVERSE));
    case "+":
      return Math.max(1, ceil(((s.args[0] ?? 1) + (s.args[1] ?? 1)) * TRAVERSE));
    case "in":
      return s.args[1] ?? 1;
    // Kubernetes lists library: one traversal
    case "isSorted":
    case "sum":
    case "max":
    case "min":
    case "indexOf":
    case "lastIndexOf":
      return s.targetTraversal ?? ceil(t * TRAVERSE);
    // strings
    case "url":
    case "lowerAscii":
    case "upperAscii":
    case "substring":
    case "trim":
    case "charAt":
    case "reverse":
    case "quote":
    case "quantity":
    case "isQuantity":
    case "ip":
    case "isIP":
    case "cidr":
    case "isCIDR":
    case "isURL":
    case "isCanonical":
    case "validate":
      return ceil(t * TRAVERSE);
    case "replace":
    case "split":
      return ceil(t * 2 * TRAVERSE);
    case "join":
    case "format":
      return ceil((s.result ?? t) * 2 * TRAVERSE);
    // sets: every element of one list against every element of the other
    case "contains_sets":
    case "equivalent":
    case "intersects":
      return Math.max(1, (s.args[0] ?? 1) * (s.args[1] ?? 1));
    case "containsIP":
    case "containsCIDR":
      return ceil(32 * TRAVERSE) + ceil(a0 * TRAVERSE);
    default:
      return 1;
  }
}
