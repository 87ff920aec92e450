import { internalName } from "../library/rewrite.js";
import { callCost } from "./callcost.js";
import { LIST_CREATE_BASE_COST, MAP_CREATE_BASE_COST } from "./limits.js";
import { actualSize, traversalCost } from "./size.js";

// Runtime cost tracking. The engine has no cost hook, so each evaluation environment's evaluator is
// instrumented: every node evaluation passes through `run`, which adds cel-go's cost for that node
// (1 per identifier, select and call, size-based costs for string, list and library functions,
// 10/30 per list/map literal, loop overhead per comprehension step) and stops the evaluation as soon
// as the per-call limit is passed. This relies on the engine's internal Evaluator.run and AST shape,
// so the engine version is pinned and tests fail if the hook stops seeing evaluations.

/** The message cel-go cancels an evaluation with. */
export const COST_LIMIT_MESSAGE = "operation cancelled: actual cost limit exceeded";

/** An evaluation stopped because it passed its cost limit. */
export class CostLimitExceededError extends Error {
  override readonly name = "CostLimitExceededError";
  readonly reason = "CostLimitExceeded";
  constructor() {
    super(COST_LIMIT_MESSAGE);
  }
}

/** Counts the cost of one evaluation against a limit. */
export class CostTracker {
  cost = 0;
  exceeded = false;
  /** Values of nodes whose parents' cost depends on them, for the current evaluation. */
  readonly values = new Map<object, unknown>();

  constructor(readonly limit: number) {}

  /** Throws once the limit is passed; stays exceeded so the engine can't swallow it (`x || true`). */
  check(): void {
    if (this.cost > this.limit) {
      this.exceeded = true;
      throw new CostLimitExceededError();
    }
  }
}

/** An engine AST node, as far as cost tracking reads it. */
export interface CostNode {
  op: string;
  args: unknown;
  [RECORD]?: boolean;
  [STEP_OVERHEAD]?: number;
}

export const RECORD: unique symbol = Symbol("apiserverKitRecordValue");
export const STEP_OVERHEAD: unique symbol = Symbol("apiserverKitStepOverhead");

const MACROS = new Set(["all", "exists", "exists_one", "map", "filter", "bind", "has"]);
const LIST_FUNCTIONS = new Set(["isSorted", "sum", "max", "min", "indexOf", "lastIndexOf"]);
const SIZED_OPERATORS = new Set(["==", "!=", "<", "<=", ">", ">=", "+"]);

let active: CostTracker | undefined;

type Run = (this: unknown, ast: CostNode, ctx: unknown) => unknown;

/** Routes an engine evaluator's node evaluations through the active cost tracker. */
export function instrumentEvaluator(evaluator: { run: Run }): void {
  const original = evaluator.run;
  if (typeof original !== "function")
    throw new Error("cel engine evaluator has no run method: cost tracking is impossible");
  evaluator.run = function run(this: unknown, ast: CostNode, ctx: unknown): unknown {
    const t = active;
    if (t === undefined) return original.call(this, ast, ctx);
    if (t.exceeded) throw new CostLimitExceededError();
    const v = original.call(this, ast, ctx);
    t.cost += nodeCost(ast, v, t) + (ast[STEP_OVERHEAD] ?? 0);
    if (ast[RECORD]) t.values.set(ast, v);
    t.check();
    return v;
  };
}

/** Runs fn with tracker active; the root node's own cost is added afterwards (the engine doesn't route it). */
export function withCostTracking<T>(tracker: CostTracker, root: CostNode, fn: () => T): T {
  const previous = active;
  active = tracker;
  try {
    const v = fn();
    tracker.cost += nodeCost(root, v, tracker);
    tracker.check();
    return v;
  } finally {
    if (tracker.cost > tracker.limit) tracker.exceeded = true;
    active = previous;
    tracker.values.clear();
  }
}

function nodeCost(node: CostNode, value: unknown, t: CostTracker): number {
  switch (node.op) {
    case "value":
    case "?:":
    case "||":
    case "&&":
    case "comprehension":
      return 0;
    case "list":
      return LIST_CREATE_BASE_COST;
    case "map":
      return MAP_CREATE_BASE_COST;
    case "accuValue":
      return 1;
    case "accuInc":
      return 2;
    case "accuPush":
      return LIST_CREATE_BASE_COST + 2;
    case "call":
    case "rcall":
      return callNodeCost(node, value, t);
    case "in": {
      const [, r] = node.args as CostNode[];
      const rv = r === undefined ? undefined : t.values.get(r);
      return Array.isArray(rv) ? rv.length : 1;
    }
    default: {
      if (!SIZED_OPERATORS.has(node.op)) return 1;
      const [l, r] = node.args as CostNode[];
      const lv = l === undefined ? 1 : actualSize(t.values.get(l));
      const rv = r === undefined ? 1 : actualSize(t.values.get(r));
      return callCost(node.op, { args: [lv, rv] });
    }
  }
}

function callNodeCost(node: CostNode, value: unknown, t: CostTracker): number {
  const args = node.args as unknown[];
  const name = publicName(String(args[0]));
  if (MACROS.has(name)) return name === "has" ? 1 : 0;
  if (node.op === "call") {
    const argValues = (args[1] as CostNode[]).map((a) => t.values.get(a));
    return callCost(name, { args: argValues.map(actualSize), result: actualSize(value) });
  }
  const receiver = t.values.get(args[1] as CostNode);
  const argValues = (args[2] as CostNode[]).map((a) => t.values.get(a));
  const namespace = receiver?.constructor?.name.endsWith("Namespace") === true;
  return callCost(namespace && name === "contains" ? "contains_sets" : name, {
    target: namespace ? undefined : actualSize(receiver),
    targetTraversal: LIST_FUNCTIONS.has(name) && Array.isArray(receiver) ? traversalCost(receiver) : undefined,
    args: argValues.map(actualSize),
    result: actualSize(value),
  });
}

function publicName(name: string): string {
  const suffix = internalName("");
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

/**
 * Marks, in a checked evaluation AST, the nodes whose values a parent's cost needs and the loop
 * steps that carry cel-go's per-iteration overhead (the loop condition and accumulator reads).
 */
export function planCosts(root: unknown): void {
  const seen = new Set<object>();
  const visit = (n: unknown, parentNeedsArgs: boolean): void => {
    if (Array.isArray(n)) {
      for (const x of n) visit(x, parentNeedsArgs);
      return;
    }
    if (typeof n !== "object" || n === null || seen.has(n)) return;
    seen.add(n);
    if (!("op" in n)) {
      // comprehension arguments: { iterable, init, step, condition, ... }
      const c = n as { iterable?: unknown; init?: unknown; step?: CostNode; condition?: unknown };
      if (c.step && typeof c.condition === "function") c.step[STEP_OVERHEAD] = 3;
      visit(c.iterable, false);
      visit(c.init, false);
      visit(c.step, false);
      return;
    }
    const node = n as CostNode & { meta?: { alternate?: unknown } };
    if (parentNeedsArgs) node[RECORD] = true;
    const needs = node.op === "call" || node.op === "rcall" || node.op === "in" || SIZED_OPERATORS.has(node.op);
    visit(node.args, needs);
    const alternate = node.meta?.alternate as { op?: string; args?: unknown } | undefined;
    if (alternate) {
      if (alternate.op === "comprehension") visit(alternate.args, false);
      else visit(alternate, parentNeedsArgs);
    }
  };
  visit(root, false);
}
