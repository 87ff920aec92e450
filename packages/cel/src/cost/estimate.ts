import { internalName } from "../library/rewrite.js";
import type { DeclType } from "../schema/decl.js";
import { callCost } from "./callcost.js";
import {
  LIST_CREATE_BASE_COST,
  MAP_CREATE_BASE_COST,
  MAX_REQUEST_SIZE_BYTES,
  STRING_TRAVERSAL_COST_FACTOR,
} from "./limits.js";

// Static cost estimation, after cel-go's checker/cost.go with Kubernetes' size estimator: the
// worst-case cost of an expression given the schema's maxItems, maxProperties and maxLength (or,
// where those are missing, how many values fit into the largest request). It walks the parsed
// expression with its macros unexpanded and charges a comprehension its range size times the cost
// of one iteration, so nested loops over unbounded lists come out orders of magnitude too expensive.

interface Node {
  op: string;
  args: unknown;
}

/** A value's worst-case size and, where known, the schema it comes from. */
interface Estimate {
  cost: number;
  size: number;
  decl?: DeclType | undefined;
}

type Scope = ReadonlyMap<string, DeclType | undefined>;

const UNKNOWN_SIZE = MAX_REQUEST_SIZE_BYTES;
const LOOP_OVERHEAD: Record<string, number> = { all: 3, exists: 3, exists_one: 2, map: 12, filter: 12 };

/** The worst-case cost of a parsed expression whose `self` (and `oldSelf`) have type decl. */
export function estimateCost(root: unknown, decl: DeclType | undefined): number {
  const scope: Scope = new Map([
    ["self", decl],
    ["oldSelf", decl],
  ]);
  return Math.ceil(estimate(root as Node, scope).cost);
}

function sizeOf(decl: DeclType | undefined): number {
  if (!decl) return UNKNOWN_SIZE;
  switch (decl.kind) {
    case "int":
    case "double":
    case "bool":
    case "object":
      return 1;
    default:
      return decl.maxElements;
  }
}

const known = (decl: DeclType | undefined, cost: number): Estimate => ({ cost, size: sizeOf(decl), decl });

function estimate(n: Node, scope: Scope): Estimate {
  const a = n.args as unknown[];
  switch (n.op) {
    case "value": {
      const v = n.args;
      const size = typeof v === "string" ? Array.from(v).length : v instanceof Uint8Array ? v.length : 1;
      return { cost: 0, size };
    }
    case "id": {
      const name = String(n.args);
      return scope.has(name) ? known(scope.get(name), 1) : { cost: 1, size: UNKNOWN_SIZE };
    }
    case ".":
    case ".?": {
      const recv = estimate(a[0] as Node, scope);
      return known(member(recv.decl, String(a[1])), recv.cost + 1);
    }
    case "[]":
    case "[?]": {
      const recv = estimate(a[0] as Node, scope);
      const index = estimate(a[1] as Node, scope);
      return known(recv.decl?.elem, recv.cost + index.cost + 1);
    }
    case "list": {
      const items = a.map((x) => estimate(x as Node, scope));
      return { cost: LIST_CREATE_BASE_COST + sum(items), size: items.length };
    }
    case "map": {
      const entries = (a as Node[][]).flatMap(([k, v]) => [estimate(k as Node, scope), estimate(v as Node, scope)]);
      return { cost: MAP_CREATE_BASE_COST + sum(entries), size: entries.length / 2 };
    }
    case "?:": {
      const [c, t, f] = a.map((x) => estimate(x as Node, scope)) as [Estimate, Estimate, Estimate];
      const bigger = t.cost >= f.cost ? t : f;
      return { cost: c.cost + bigger.cost, size: Math.max(t.size, f.size), decl: bigger.decl };
    }
    case "&&":
    case "||":
      return { cost: sum(a.map((x) => estimate(x as Node, scope))), size: 1 };
    case "!_":
    case "-_":
      return { cost: estimate(n.args as Node, scope).cost + 1, size: 1 };
    case "call":
      return estimateCall(String(a[0]), undefined, a[1] as Node[], scope);
    case "rcall":
      return estimateCall(String(a[0]), a[1] as Node, a[2] as Node[], scope);
    case "in": {
      const [l, r] = a.map((x) => estimate(x as Node, scope)) as [Estimate, Estimate];
      const c = r.decl?.kind === "list" || r.decl === undefined ? r.size : 1;
      return { cost: l.cost + r.cost + c, size: 1 };
    }
    default: {
      const [l, r] = a.map((x) => estimate(x as Node, scope)) as [Estimate, Estimate];
      const sized = isSized(l) || isSized(r);
      const cost = sized ? callCost(n.op, { args: [l.size, r.size] }) : 1;
      const size = n.op === "+" ? l.size + r.size : 1;
      return { cost: l.cost + r.cost + cost, size, decl: n.op === "+" && l.decl?.kind === "list" ? l.decl : undefined };
    }
  }
}

function isSized(e: Estimate): boolean {
  return e.decl === undefined ? e.size > 1 : ["string", "bytes", "list", "map"].includes(e.decl.kind);
}

function member(decl: DeclType | undefined, name: string): DeclType | undefined {
  if (!decl) return undefined;
  if (decl.kind === "object") return decl.fields?.get(name)?.type;
  if (decl.kind === "map") return decl.elem;
  return undefined;
}

function estimateCall(rawName: string, target: Node | undefined, args: Node[], scope: Scope): Estimate {
  const suffix = internalName("");
  const name = rawName.endsWith(suffix) ? rawName.slice(0, -suffix.length) : rawName;
  if (name === "has") {
    const sel = args[0] as Node | undefined;
    const recv = sel && Array.isArray(sel.args) ? estimate(sel.args[0] as Node, scope) : { cost: 0 };
    return { cost: recv.cost + 1, size: 1 };
  }
  if (target && name in LOOP_OVERHEAD && args.length >= 2) return estimateLoop(name, target, args, scope);
  if (target && name === "bind" && args.length === 3) {
    const init = estimate(args[1] as Node, scope);
    const inner = new Map(scope).set(String((args[0] as Node).args), init.decl);
    const body = estimate(args[2] as Node, inner);
    return { cost: init.cost + body.cost, size: body.size, decl: body.decl };
  }
  const t = target ? estimate(target, scope) : undefined;
  const isNamespace =
    target?.op === "id" && ["sets", "strings", "format", "ip", "optional"].includes(String(target.args));
  const argEstimates = args.map((x) => estimate(x, scope));
  const base = (t?.cost ?? 0) + sum(argEstimates);
  // Wrappers and accessors keep their operand's schema, so sizes flow through them.
  if (target && !isNamespace && ["orValue", "value", "or"].includes(name))
    return { cost: base + 1, size: t?.size ?? UNKNOWN_SIZE, decl: t?.decl };
  const elemTraversal =
    t?.decl?.kind === "list" && t.decl.elem && ["string", "bytes"].includes(t.decl.elem.kind)
      ? t.size * (1 + sizeOf(t.decl.elem) * STRING_TRAVERSAL_COST_FACTOR)
      : t?.size;
  const cost = callCost(isNamespace && name === "contains" ? "contains_sets" : name, {
    target: isNamespace ? undefined : t?.size,
    targetTraversal: elemTraversal,
    args: argEstimates.map((e) => e.size),
  });
  const size = resultSize(name, t, argEstimates);
  return {
    cost: base + cost,
    size,
    decl: ["lowerAscii", "upperAscii", "trim", "substring", "reverse"].includes(name) ? t?.decl : undefined,
  };
}

function resultSize(name: string, t: Estimate | undefined, args: Estimate[]): number {
  switch (name) {
    case "lowerAscii":
    case "upperAscii":
    case "trim":
    case "substring":
    case "reverse":
    case "split":
    case "findAll":
    case "find":
      return t?.size ?? UNKNOWN_SIZE;
    case "replace":
    case "join":
    case "format":
    case "string":
      return UNKNOWN_SIZE;
    case "size":
    case "int":
    case "double":
    case "bool":
      return 1;
    default:
      return args.length === 0 && t === undefined ? 1 : Math.max(1, ...args.map((x) => x.size), t?.size ?? 1);
  }
}

function estimateLoop(name: string, target: Node, args: Node[], scope: Scope): Estimate {
  const range = estimate(target, scope);
  const iterVar = String((args[0] as Node).args);
  const elem = range.decl?.kind === "list" ? range.decl.elem : undefined;
  const inner = new Map(scope).set(iterVar, elem);
  const steps = args.slice(1).map((x) => estimate(x, inner));
  const perIteration = sum(steps) + (LOOP_OVERHEAD[name] ?? 0);
  const result: Estimate = {
    cost: range.cost + range.size * perIteration + (name === "map" || name === "filter" ? LIST_CREATE_BASE_COST : 0),
    size: 1,
  };
  if (name === "map" || name === "filter") {
    result.size = range.size;
    result.decl = name === "filter" ? range.decl : undefined;
  }
  return result;
}

function sum(es: readonly { cost: number }[]): number {
  let s = 0;
  for (const e of es) s += e.cost;
  return s;
}
