import type { Environment } from "@marcbachmann/cel-js";
import { estimateCost } from "../cost/estimate.js";
import { CostLimitExceededError, CostTracker, planCosts, withCostTracking } from "../cost/tracker.js";
import { regexError } from "../library/regex.js";
import { renameReplacedMethods, restoreMethodNames } from "../library/rewrite.js";
import type { DeclType } from "../schema/decl.js";
import type { MessageTypes } from "./types.js";

/** Where an expression is checked and evaluated. */
export interface ExpressionEnvironments {
  /** Type-checking environment: self and oldSelf with the schema's types. */
  check: Environment;
  /** Evaluation environment: self and oldSelf with shallow types. */
  evaluate: Environment;
  /** The schema type of self. */
  decl: DeclType | undefined;
  messages: MessageTypes;
}

/** How an evaluation ended when it did not produce a value. */
export type EvaluationFailure =
  | { kind: "CostLimitExceeded"; message: string }
  | { kind: "NoSuchOverload"; message: string }
  | { kind: "Error"; message: string };

export type EvaluationOutcome =
  | { ok: true; value: unknown; cost: number }
  | { ok: false; failure: EvaluationFailure; cost: number };

interface Parsed {
  (vars: Record<string, unknown>): unknown;
  ast: unknown;
  check(): { valid: boolean; type?: string; error?: unknown };
}

/** A checked CEL expression ready to evaluate with cost tracking. */
export class Program {
  constructor(
    readonly source: string,
    private readonly parsed: Parsed,
    /** The expression refers to oldSelf (a transition rule). */
    readonly usesOldSelf: boolean,
    /** Worst-case cost (cel-go cost units) of one evaluation. */
    readonly estimatedCost: number,
  ) {}

  evaluate(vars: Record<string, unknown>, perCallLimit: number): EvaluationOutcome {
    const tracker = new CostTracker(perCallLimit);
    try {
      const value = withCostTracking(tracker, this.parsed.ast as never, () => this.parsed(vars));
      return { ok: true, value, cost: tracker.cost };
    } catch (e) {
      if (tracker.exceeded || e instanceof CostLimitExceededError) {
        return {
          ok: false,
          failure: { kind: "CostLimitExceeded", message: new CostLimitExceededError().message },
          cost: tracker.cost,
        };
      }
      return { ok: false, failure: describeFailure(e), cost: tracker.cost };
    }
  }
}

/**
 * Compiles a rule (which must be a bool) or a messageExpression (a string), or returns Kubernetes'
 * detail text of why it can't, e.g. `compilation failed: ERROR: <input>:1:6: undefined field 'x'`.
 */
export function compileExpression(
  source: string,
  envs: ExpressionEnvironments,
  kind: "rule" | "messageExpression",
): Program | string {
  const failed = kind === "rule" ? "compilation failed: " : "messageExpression compilation failed: ";
  let checked: Parsed;
  try {
    checked = envs.check.parse(source) as Parsed;
  } catch (e) {
    return `${failed}ERROR: ${locate(source, e)}`;
  }
  renameReplacedMethods(checked.ast);
  const result = checked.check();
  if (!result.valid) return `${failed}ERROR: ${locate(source, result.error)}`;
  const hasError = checkHasArguments(checked.ast, envs);
  if (hasError) return `${failed}ERROR: <input>: ${hasError}`;
  if (kind === "rule" && result.type !== "bool") return "cel expression must evaluate to a bool";
  if (kind === "messageExpression" && result.type !== "string") return "messageExpression must evaluate to a string";
  const badRegex = constantRegexError(checked.ast);
  if (badRegex) return `${kind === "rule" ? "" : "messageExpression "}program instantiation failed: ${badRegex}`;

  const evaluable = envs.evaluate.parse(source) as Parsed;
  renameReplacedMethods(evaluable.ast);
  const evalCheck = evaluable.check();
  if (!evalCheck.valid) return `${failed}ERROR: ${locate(source, evalCheck.error)}`;
  planCosts(evaluable.ast);
  return new Program(source, evaluable, refersTo(checked.ast, "oldSelf"), estimateCost(checked.ast, envs.decl));
}

interface Node {
  op: string;
  args: unknown;
  checkedType?: { name: string };
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && "op" in v;
}

function walk(n: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(n)) {
    for (const x of n) walk(x, visit);
    return;
  }
  if (!isNode(n)) return;
  visit(n);
  walk(n.args, visit);
}

function refersTo(ast: unknown, name: string): boolean {
  let found = false;
  walk(ast, (n) => {
    if (n.op === "id" && n.args === name) found = true;
  });
  return found;
}

/** The engine's checker doesn't check has()'s field; cel-go reports unknown fields there too. */
function checkHasArguments(ast: unknown, envs: ExpressionEnvironments): string | undefined {
  let error: string | undefined;
  walk(ast, (n) => {
    if (error || n.op !== "call" || !Array.isArray(n.args) || n.args[0] !== "has") return;
    const chain: string[] = [];
    let sel = (n.args[1] as unknown[])[0];
    while (isNode(sel) && (sel.op === "." || sel.op === ".?") && Array.isArray(sel.args)) {
      chain.unshift(String(sel.args[1]));
      sel = sel.args[0];
    }
    if (!isNode(sel) || !sel.checkedType) return;
    let decl = envs.messages.get(sel.checkedType.name);
    for (const field of chain) {
      if (!decl) return;
      if (decl.kind === "object") {
        const f = decl.fields?.get(field);
        if (!f) {
          error = `undefined field '${field}'`;
          return;
        }
        decl = f.type;
      } else {
        decl = decl.kind === "map" ? decl.elem : undefined;
      }
    }
  });
  return error;
}

/** Constant patterns are compiled up front, as cel-go's regex optimization does. */
function constantRegexError(ast: unknown): string | undefined {
  let error: string | undefined;
  walk(ast, (n) => {
    if (error || (n.op !== "rcall" && n.op !== "call") || !Array.isArray(n.args)) return;
    const name = String(n.args[0]);
    if (!/^(matches|find|findAll)(__k8s)?$/.test(name)) return;
    const args = (n.op === "rcall" ? n.args[2] : n.args[1]) as unknown[];
    const pattern = n.op === "rcall" ? args[0] : args[1];
    if (isNode(pattern) && pattern.op === "value" && typeof pattern.args === "string") error = regexError(pattern.args);
  });
  return error;
}

/** cel-go's issue format: `<input>:1:6: undefined field 'x'` followed by the source line and a caret. */
function locate(source: string, e: unknown): string {
  const err = e as {
    summary?: string;
    message?: string;
    code?: string;
    range?: { start: number };
    node?: { pos?: number };
  };
  const pos = err.range?.start ?? err.node?.pos ?? 0;
  const before = source.slice(0, pos);
  const line = before.split("\n").length;
  const col = pos - (before.lastIndexOf("\n") + 1) + 1;
  const text = source.split("\n")[line - 1] ?? "";
  return `<input>:${line}:${col}: ${translateCheckError(err)}\n | ${text}\n | ${".".repeat(col - 1)}^`;
}

function translateCheckError(err: { summary?: string; message?: string; code?: string }): string {
  const summary = restoreMethodNames(err.summary ?? err.message ?? String(err));
  const key = /^No such key: (.*)$/.exec(summary);
  if (key) return `undefined field '${key[1]}'`;
  const unknown = /^Unknown variable: (.*)$/.exec(summary);
  if (unknown) return `undeclared reference to '${unknown[1]}' (in container '')`;
  return summary;
}

function describeFailure(e: unknown): EvaluationFailure {
  const err = e as { summary?: string; message?: string; code?: string };
  const summary = restoreMethodNames(err.summary ?? err.message ?? String(e));
  const code = err.code ?? "";
  if (code === "no_such_overload" || code === "no_matching_overload" || /overlaps with/.test(summary)) {
    return { kind: "NoSuchOverload", message: "no such overload" };
  }
  const key = /^No such key: (?!index out of bounds)(.*)$/.exec(summary);
  if (key) return { kind: "Error", message: `no such key: ${key[1]}` };
  const index = /index out of bounds, index (-?\d+)(?: >= size (\d+))?/.exec(summary);
  if (index)
    return {
      kind: "Error",
      message: `index '${index[1]}' out of range in list${index[2] ? ` size '${index[2]}'` : ""}`,
    };
  if (/^integer overflow/.test(summary)) return { kind: "Error", message: "integer overflow" };
  if (code === "invalid_logical_operand" || code === "invalid_condition_type")
    return { kind: "NoSuchOverload", message: "no such overload" };
  return { kind: "Error", message: summary };
}
