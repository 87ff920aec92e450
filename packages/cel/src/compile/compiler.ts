import type { Environment } from "@marcbachmann/cel-js";
import {
  MAX_REQUEST_SIZE_BYTES,
  PER_CALL_LIMIT,
  STATIC_ESTIMATED_COST_LIMIT,
  STATIC_ESTIMATED_SCHEMA_COST_LIMIT,
} from "../cost/limits.js";
import { baseEnvironment, environmentOptions } from "../library/env.js";
import { type DeclType, schemaDeclType } from "../schema/decl.js";
import { InvalidFieldPathError, validFieldPath } from "../schema/fieldpath.js";
import type { CelSchema, ValidationRule } from "../schema/schema.js";
import { type FieldError, forbidden, invalid, required } from "../validate/errors.js";
import { evaluationEnvironment } from "./evalenv.js";
import { compileExpression, type ExpressionEnvironments, type Program } from "./program.js";
import { erasedTypeName, type MessageTypes, registerDeclTypes } from "./types.js";

/** Options of compileValidationRules. */
export interface CompileOptions {
  /** The schema describes a whole resource: apiVersion, kind and metadata.name are visible to root rules. Default true. */
  isResourceRoot?: boolean;
  /** Cost limit of one evaluation. Default Kubernetes' PerCallLimit (1,000,000). */
  perCallLimit?: number;
  /** Name of the schema's root in compile errors. Default `openAPIV3Schema`. */
  schemaPath?: string;
}

/** A compile error: a FieldError on the schema (`openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule`). */
export interface RuleCompileError extends FieldError {
  /** What kind of problem: the rule's text, its compilation, its estimated cost or its fieldPath. */
  reason: "InvalidRule" | "CompilationFailed" | "CostExceeded" | "InvalidFieldPath" | "UncorrelatableOldSelf";
  /** The rule concerned, when the error is about one rule. */
  rule?: string;
}

/** One compiled x-kubernetes-validations entry. */
export interface CompiledRule {
  rule: ValidationRule;
  program: Program;
  messageExpression?: Program | undefined;
  /** fieldPath normalized to a relative field path (`spec.name`, `labels[app]`). */
  fieldPath?: string | undefined;
  /** Worst-case cost of one evaluation times how often the rule can run per object. */
  estimatedCost: number;
}

/** The compiled rules of one schema node and the nodes below it that have rules. */
export interface ValidatorNode {
  schema: CelSchema;
  decl: DeclType | undefined;
  rules: CompiledRule[];
  properties: Map<string, ValidatorNode>;
  additionalProperties?: ValidatorNode | undefined;
  items?: ValidatorNode | undefined;
}

interface Walk {
  errors: RuleCompileError[];
  totalCost: number;
  perCallLimit: number;
}

/** Where a schema node sits: its path in errors, how often it can repeat, and whether oldSelf can reach it. */
interface Position {
  path: string;
  isResourceRoot: boolean;
  /** Product of the maxItems/maxProperties above; undefined when some collection above is unbounded. */
  cardinality: number | undefined;
  /** The list above whose items can't be matched to old items, if any. */
  uncorrelatable?: string | undefined;
}

export function compileSchema(
  schema: CelSchema,
  options: CompileOptions,
): { root: ValidatorNode | undefined; errors: RuleCompileError[]; perCallLimit: number } {
  const w: Walk = { errors: [], totalCost: 0, perCallLimit: options.perCallLimit ?? PER_CALL_LIMIT };
  const rootPath = options.schemaPath ?? "openAPIV3Schema";
  const root = compileNode(
    schema,
    { path: rootPath, isResourceRoot: options.isResourceRoot ?? true, cardinality: 1 },
    w,
  );
  if (w.totalCost > STATIC_ESTIMATED_SCHEMA_COST_LIMIT) {
    w.errors.push({
      ...forbidden(
        rootPath,
        costErrorMessage(
          "x-kubernetes-validations estimated rule & messageExpression cost total for entire OpenAPIv3 schema",
          w.totalCost,
          STATIC_ESTIMATED_SCHEMA_COST_LIMIT,
        ),
      ),
      reason: "CostExceeded",
    });
  }
  return { root, errors: w.errors, perCallLimit: w.perCallLimit };
}

function compileNode(schema: CelSchema, pos: Position, w: Walk): ValidatorNode | undefined {
  const node: ValidatorNode = { schema, decl: undefined, rules: [], properties: new Map() };
  const rules = [
    ...(schema["x-kubernetes-validations"] ?? []).map((r, i) => ({
      rule: r,
      path: `${pos.path}.x-kubernetes-validations[${i}]`,
    })),
    // Rules in allOf branches apply to the same value (Kubernetes evaluates them without ratcheting).
    ...(schema.allOf ?? []).flatMap((branch, b) =>
      (branch["x-kubernetes-validations"] ?? []).map((r, i) => ({
        rule: r,
        path: `${pos.path}.allOf[${b}].x-kubernetes-validations[${i}]`,
      })),
    ),
  ];
  if (rules.length > 0) {
    node.decl = schemaDeclType(schema, pos.isResourceRoot);
    const envs = node.decl || schema["x-kubernetes-int-or-string"] ? new NodeEnvironments(node.decl) : undefined;
    for (const { rule, path } of rules) {
      const compiled = compileRule(rule, path, schema, envs, pos, w);
      if (compiled) node.rules.push(compiled);
    }
  }
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const child = compileNode(
      prop,
      {
        ...pos,
        path: `${pos.path}.properties[${name}]`,
        isResourceRoot: prop["x-kubernetes-embedded-resource"] === true,
      },
      w,
    );
    if (child) node.properties.set(name, child);
  }
  if (typeof schema.additionalProperties === "object") {
    const ap = schema.additionalProperties;
    node.additionalProperties = compileNode(
      ap,
      {
        path: `${pos.path}.additionalProperties`,
        isResourceRoot: ap["x-kubernetes-embedded-resource"] === true,
        cardinality: multiply(pos.cardinality, schema.maxProperties),
        uncorrelatable: pos.uncorrelatable,
      },
      w,
    );
  }
  if (schema.items) {
    node.items = compileNode(
      schema.items,
      {
        path: `${pos.path}.items`,
        isResourceRoot: schema.items["x-kubernetes-embedded-resource"] === true,
        cardinality: multiply(pos.cardinality, schema.maxItems),
        // Only items of map lists can be matched to their old values.
        uncorrelatable: pos.uncorrelatable ?? (schema["x-kubernetes-list-type"] === "map" ? undefined : pos.path),
      },
      w,
    );
  }
  const hasChildren = node.properties.size > 0 || node.additionalProperties !== undefined || node.items !== undefined;
  return node.rules.length > 0 || hasChildren ? node : undefined;
}

const multiply = (c: number | undefined, max: number | undefined) =>
  c === undefined || max === undefined ? undefined : c * max;

/** The check environments of one schema node, built when its first rule compiles. */
export class NodeEnvironments {
  private types: { env: Environment; selfType: string; messages: MessageTypes } | undefined;
  private readonly byOldSelf = new Map<boolean, ExpressionEnvironments>();

  constructor(private readonly decl: DeclType | undefined) {}

  get(optionalOldSelf: boolean): ExpressionEnvironments {
    const hit = this.byOldSelf.get(optionalOldSelf);
    if (hit) return hit;
    if (!this.types) {
      const env = baseEnvironment().clone(environmentOptions);
      const messages: MessageTypes = new Map();
      const selfType = registerDeclTypes(env, this.decl, "self", messages);
      this.types = { env, selfType, messages };
    }
    const { env, selfType, messages } = this.types;
    const oldSelfType = optionalOldSelf ? `optional<${selfType}>` : selfType;
    const erased = erasedTypeName(this.decl);
    const envs: ExpressionEnvironments = {
      check: env.clone(environmentOptions).registerVariable("self", selfType).registerVariable("oldSelf", oldSelfType),
      evaluate: evaluationEnvironment(erased, optionalOldSelf ? `optional<${erased}>` : erased),
      decl: this.decl,
      messages,
    };
    this.byOldSelf.set(optionalOldSelf, envs);
    return envs;
  }
}

const supportedReasons = new Set([
  "FieldValueDuplicate",
  "FieldValueForbidden",
  "FieldValueInvalid",
  "FieldValueRequired",
]);
const hasNewlines = (s: string) => /[\n\r]+/.test(s);

function compileRule(
  rule: ValidationRule,
  rulePath: string,
  schema: CelSchema,
  envs: NodeEnvironments | undefined,
  pos: Position,
  w: Walk,
): CompiledRule | undefined {
  const err = (e: FieldError, reason: RuleCompileError["reason"]) => {
    w.errors.push({ ...e, reason, rule: rule.rule });
  };
  const before = w.errors.length;
  const trimmedRule = (rule.rule ?? "").trim();
  const message = rule.message;
  if (trimmedRule.length === 0) err(required(`${rulePath}.rule`, "rule is not specified"), "InvalidRule");
  else if (message !== undefined && message.length > 0 && message.trim().length === 0)
    err(invalid(`${rulePath}.message`, message, "message must be non-empty if specified"), "InvalidRule");
  else if (message !== undefined && hasNewlines(message.trim()))
    err(invalid(`${rulePath}.message`, message, "message must not contain line breaks"), "InvalidRule");
  else if (hasNewlines(trimmedRule) && (message ?? "").trim().length === 0)
    err(required(`${rulePath}.message`, "message must be specified if rule contains line breaks"), "InvalidRule");
  if (
    rule.messageExpression !== undefined &&
    rule.messageExpression.length > 0 &&
    rule.messageExpression.trim().length === 0
  ) {
    err(required(`${rulePath}.messageExpression`, "messageExpression must be non-empty if specified"), "InvalidRule");
  }
  if (rule.reason !== undefined && !supportedReasons.has(rule.reason)) {
    err(
      {
        type: "FieldValueNotSupported",
        field: `${rulePath}.reason`,
        badValue: rule.reason,
        detail: `supported values: ${[...supportedReasons].map((r) => JSON.stringify(r)).join(", ")}`,
      },
      "InvalidRule",
    );
  }
  let fieldPath: string | undefined;
  if (rule.fieldPath !== undefined && rule.fieldPath.length > 0) {
    if (rule.fieldPath.trim().length === 0)
      err(
        invalid(`${rulePath}.fieldPath`, rule.fieldPath, "fieldPath must be non-empty if specified"),
        "InvalidFieldPath",
      );
    else if (hasNewlines(rule.fieldPath))
      err(
        invalid(`${rulePath}.fieldPath`, rule.fieldPath, "fieldPath must not contain line breaks"),
        "InvalidFieldPath",
      );
    else {
      try {
        fieldPath = validFieldPath(rule.fieldPath, schema);
      } catch (e) {
        if (!(e instanceof InvalidFieldPathError)) throw e;
        err(invalid(`${rulePath}.fieldPath`, rule.fieldPath, "fieldPath must be a valid path"), "InvalidFieldPath");
      }
    }
  }
  if (w.errors.length > before) return undefined;
  if (!envs) {
    err(
      invalid(
        `${rulePath}.rule`,
        rule.rule,
        `rule declared on schema that does not support validation rules type: '${schema.type ?? ""}'`,
      ),
      "CompilationFailed",
    );
    return undefined;
  }

  const program = compileExpression(rule.rule, envs.get(rule.optionalOldSelf === true), "rule");
  if (typeof program === "string") {
    err(invalid(`${rulePath}.rule`, rule.rule, program), "CompilationFailed");
    return undefined;
  }
  const cardinality =
    pos.cardinality ?? Math.floor(MAX_REQUEST_SIZE_BYTES / ((envs.get(false).decl?.minSerializedSize ?? 1) + 1));
  const ruleCost = guardedProduct(program.estimatedCost, cardinality);
  w.totalCost += ruleCost;
  if (ruleCost > STATIC_ESTIMATED_COST_LIMIT) {
    err(
      forbidden(`${rulePath}.rule`, costErrorMessage("estimated rule cost", ruleCost, STATIC_ESTIMATED_COST_LIMIT)),
      "CostExceeded",
    );
  }
  let messageExpression: Program | undefined;
  if (rule.messageExpression !== undefined && rule.messageExpression.trim().length > 0) {
    const m = compileExpression(rule.messageExpression, envs.get(rule.optionalOldSelf === true), "messageExpression");
    if (typeof m === "string") {
      err(invalid(`${rulePath}.messageExpression`, rule.messageExpression, m), "CompilationFailed");
    } else {
      messageExpression = m;
      const messageCost = guardedProduct(m.estimatedCost, cardinality);
      w.totalCost += messageCost;
      if (messageCost > STATIC_ESTIMATED_COST_LIMIT) {
        err(
          forbidden(
            `${rulePath}.messageExpression`,
            costErrorMessage("estimated messageExpression cost", messageCost, STATIC_ESTIMATED_COST_LIMIT),
          ),
          "CostExceeded",
        );
      }
    }
  }
  if (program.usesOldSelf && pos.uncorrelatable !== undefined) {
    err(
      invalid(
        `${rulePath}.rule`,
        rule.rule,
        `oldSelf cannot be used on the uncorrelatable portion of the schema within ${pos.uncorrelatable}`,
      ),
      "UncorrelatableOldSelf",
    );
  } else if (!program.usesOldSelf && rule.optionalOldSelf !== undefined) {
    err(
      invalid(`${rulePath}.optionalOldSelf`, rule.optionalOldSelf, "may not be set if oldSelf is not used in rule"),
      "InvalidRule",
    );
  }
  if (w.errors.length > before) return undefined;
  return { rule, program, messageExpression, fieldPath, estimatedCost: ruleCost };
}

function guardedProduct(cost: number, cardinality: number): number {
  return cost === 0 ? 0 : Math.min(Number.MAX_SAFE_INTEGER, cost * cardinality);
}

/** Kubernetes' getCostErrorMessage. */
export function costErrorMessage(costName: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const text = factor > 100 ? "more than 100x" : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${text} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
