import { Optional } from "@marcbachmann/cel-js";
import type { CompiledRule, ValidatorNode } from "../compile/compiler.js";
import type { EvaluationOutcome, Program } from "../compile/program.js";
import { MAX_MESSAGE_EXPRESSION_BYTES, RUNTIME_COST_BUDGET } from "../cost/limits.js";
import { FieldPath } from "../schema/fieldpath.js";
import { isPlainObject, toCelValue } from "../schema/values.js";
import { CorrelatedObject, makeMapList, type Ratchet, ratchetIndex, ratchetKey, shouldRatchet } from "./correlation.js";
import { type FieldError, invalid } from "./errors.js";

/** Options of one validation. */
export interface ValidateOptions {
  /** Cost budget of all rules for this object. Default Kubernetes' RuntimeCELCostBudget (10,000,000). */
  costBudget?: number;
}

/** What validating one object found. */
export interface ValidationResult {
  /** The rules that failed: the request is invalid (422). */
  errors: FieldError[];
  /** Failures that ratcheting let through because the value didn't change; Kubernetes returns them as warnings. */
  warnings: FieldError[];
  /** Cost spent, in cel-go cost units. */
  cost: number;
}

/** The compiled x-kubernetes-validations of one kind and version. */
export class RuleValidator {
  constructor(
    private readonly root: ValidatorNode | undefined,
    private readonly perCallLimit: number,
  ) {}

  /** Whether the schema has any rule at all. */
  get hasRules(): boolean {
    return this.root !== undefined;
  }

  /** All compiled rules with their schema node's field path pattern and estimated cost. */
  rules(): { path: string; rule: CompiledRule }[] {
    const out: { path: string; rule: CompiledRule }[] = [];
    const visit = (n: ValidatorNode | undefined, path: string) => {
      if (!n) return;
      for (const rule of n.rules) out.push({ path, rule });
      for (const [k, child] of n.properties) visit(child, path ? `${path}.${k}` : k);
      visit(n.additionalProperties, `${path}[*]`);
      visit(n.items, `${path}[*]`);
    };
    visit(this.root, "");
    return out;
  }

  /**
   * Runs the rules against object (decoded JSON). With oldObject (an update) transition rules run
   * where an old value exists, and failures of unchanged values are ratcheted into warnings.
   */
  validate(object: unknown, oldObject?: unknown, options: ValidateOptions = {}): ValidationResult {
    const run = new Run(this.perCallLimit, options.costBudget ?? RUNTIME_COST_BUDGET);
    if (this.root) {
      const ratchet: Ratchet =
        oldObject === undefined || oldObject === null
          ? {}
          : { current: new CorrelatedObject(object, oldObject, this.root.schema) };
      run.node(this.root, object, oldObject ?? undefined, FieldPath.root, ratchet);
    }
    return { errors: run.errors, warnings: run.warnings, cost: run.spent };
  }
}

const OUT_OF_BUDGET = "validation failed due to running out of cost budget, no further validation rules will be run";

class Run {
  readonly errors: FieldError[] = [];
  readonly warnings: FieldError[] = [];
  spent = 0;
  private remaining: number;
  private stopped = false;
  private readonly converted = new WeakMap<object, unknown>();

  constructor(
    private readonly perCallLimit: number,
    budget: number,
  ) {
    this.remaining = budget;
  }

  node(n: ValidatorNode, value: unknown, old: unknown, path: FieldPath, ratchet: Ratchet): void {
    if (this.stopped || value === null || value === undefined) return;
    if (n.rules.length > 0) this.expressions(n, value, old === null ? undefined : old, path, ratchet);
    if (this.stopped) return;
    if (Array.isArray(value) && n.items) {
      const oldItems = makeMapList(n.schema, old);
      for (let i = 0; i < value.length && !this.stopped; i++) {
        this.node(n.items, value[i], oldItems?.get(value[i]), path.index(i), ratchetIndex(ratchet, i));
      }
    } else if (isPlainObject(value)) {
      const oldMap = isPlainObject(old) ? old : undefined;
      if (n.additionalProperties) {
        for (const [k, v] of Object.entries(value)) {
          if (this.stopped) return;
          this.node(n.additionalProperties, v, oldMap?.[k], path.key(k), ratchetKey(ratchet, k));
        }
      }
      for (const [k, child] of n.properties) {
        if (this.stopped) return;
        if (Object.hasOwn(value, k)) this.node(child, value[k], oldMap?.[k], path.child(k), ratchetKey(ratchet, k));
      }
    }
  }

  private expressions(n: ValidatorNode, value: unknown, old: unknown, path: FieldPath, ratchet: Ratchet): void {
    const typeName = n.schema.type ?? "";
    if (this.remaining <= 0) {
      this.errors.push(invalid(path.toString(), typeName, OUT_OF_BUDGET));
      this.stopped = true;
      return;
    }
    const self = toCelValue(value, n.decl, this.converted);
    const oldSelf = old === undefined ? undefined : toCelValue(old, n.decl, this.converted);
    for (const compiled of n.rules) {
      const { rule, program } = compiled;
      const optionalOldSelf = rule.optionalOldSelf === true;
      // Transition rules run only where there is an old value, unless oldSelf is optional.
      if (program.usesOldSelf && oldSelf === undefined && !optionalOldSelf) continue;
      const vars = {
        self,
        oldSelf: optionalOldSelf ? (oldSelf === undefined ? Optional.none() : Optional.of(oldSelf)) : (oldSelf ?? null),
      };
      const outcome = this.charge(program, vars);
      const ruleText = (rule.message ?? "").trim() || rule.rule.trim();
      if (outcome === undefined) {
        this.errors.push(invalid(path.toString(), typeName, OUT_OF_BUDGET));
        return;
      }
      if (!outcome.ok) {
        const f = outcome.failure;
        if (f.kind === "CostLimitExceeded") {
          this.errors.push(
            invalid(
              path.toString(),
              typeName,
              `'${f.message}': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleText}`,
            ),
          );
          this.stopped = true;
          return;
        }
        const detail =
          f.kind === "NoSuchOverload"
            ? `'${f.message}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText}`
            : `${f.message} evaluating rule: ${ruleText}`;
        this.errors.push(invalid(path.toString(), typeName, detail));
        continue;
      }
      if (outcome.value === true) continue;

      const errorPath = compiled.fieldPath ? path.child(compiled.fieldPath).toString() : path.toString();
      const report = (e: FieldError) => {
        if (!program.usesOldSelf && shouldRatchet(ratchet)) this.warnings.push(e);
        else this.errors.push(e);
      };
      let detail = (rule.message ?? "").trim() || `failed rule: ${ruleText}`;
      if (compiled.messageExpression) {
        const m = this.message(compiled.messageExpression, vars);
        if (m.stop) {
          report(invalid(errorPath, typeName, m.stop));
          this.stopped = true;
          return;
        }
        if (m.message !== undefined) detail = m.message;
      }
      report(errorFor(rule.reason, errorPath, typeName, detail));
    }
  }

  /** Evaluates a program within the remaining budget; undefined when the budget ran out. */
  private charge(program: Program, vars: Record<string, unknown>): EvaluationOutcome | undefined {
    const outcome = program.evaluate(vars, this.perCallLimit);
    this.spent += outcome.cost;
    if (outcome.cost > this.remaining) {
      this.remaining = -1;
      this.stopped = true;
      return undefined;
    }
    this.remaining -= outcome.cost;
    return outcome;
  }

  private message(program: Program, vars: Record<string, unknown>): { message?: string; stop?: string } {
    const outcome = this.charge(program, vars);
    if (outcome === undefined) {
      return {
        stop: "messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run",
      };
    }
    if (!outcome.ok) {
      if (outcome.failure.kind === "CostLimitExceeded") {
        return {
          stop: `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${JSON.stringify(program.source)}`,
        };
      }
      return {};
    }
    // An unusable message falls back to the rule's message, as in Kubernetes.
    if (typeof outcome.value !== "string") return {};
    const trimmed = outcome.value.trim();
    if (Buffer.byteLength(trimmed) > MAX_MESSAGE_EXPRESSION_BYTES || /\n/.test(trimmed) || trimmed.length === 0)
      return {};
    return { message: trimmed };
  }
}

function errorFor(reason: string | undefined, field: string, typeName: string, detail: string): FieldError {
  switch (reason) {
    case "FieldValueForbidden":
      return { type: "FieldValueForbidden", field, detail };
    case "FieldValueRequired":
      return { type: "FieldValueRequired", field, detail };
    case "FieldValueDuplicate":
      return { type: "FieldValueDuplicate", field, badValue: typeName };
    default:
      return invalid(field, typeName, detail);
  }
}
