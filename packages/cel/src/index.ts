import { type CompileOptions, compileSchema, type RuleCompileError } from "./compile/compiler.js";
import type { CelSchema } from "./schema/schema.js";
import { RuleValidator } from "./validate/validator.js";

export type { CompiledRule, CompileOptions, RuleCompileError } from "./compile/compiler.js";
export { costErrorMessage } from "./compile/compiler.js";
export {
  MAX_REQUEST_SIZE_BYTES,
  PER_CALL_LIMIT,
  RUNTIME_COST_BUDGET,
  STATIC_ESTIMATED_COST_LIMIT,
  STATIC_ESTIMATED_SCHEMA_COST_LIMIT,
} from "./cost/limits.js";
export type { CelSchema, ValidationRule, ValidationRuleReason } from "./schema/schema.js";
export type { FieldError, FieldErrorType } from "./validate/errors.js";
export { RuleValidator, type ValidateOptions, type ValidationResult } from "./validate/validator.js";

/** compileValidationRules' answer: a validator, or every problem found in the schema's rules. */
export type CompileResult = { ok: true; validator: RuleValidator } | { ok: false; errors: RuleCompileError[] };

/**
 * Compiles every x-kubernetes-validations rule of a structural schema, once per kind and version.
 * Rules are type-checked against the schema, their worst-case cost is estimated against Kubernetes'
 * limits, and their fieldPath, message and reason are checked as Kubernetes checks a CRD.
 */
export function compileValidationRules(schema: CelSchema, options: CompileOptions = {}): CompileResult {
  const { root, errors, perCallLimit } = compileSchema(schema, options);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, validator: new RuleValidator(root, perCallLimit) };
}
