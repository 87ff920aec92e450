import { posix } from "node:path";
import type { Project } from "ts-morph";
import { emitProjectModel } from "./emit/project-model.js";
import { type DefinitionsModuleOptions, emitDefinitionsModule } from "./emit/typescript-module.js";
import type { CodegenError } from "./errors/codegen-error.js";
import type { ApiModel } from "./model/api-model.js";
import { type ParseOptions, parseApis } from "./parser/parse-apis.js";
import { checkValidationRules } from "./rules/rule-check.js";

export interface GenerateOptions extends ParseOptions, DefinitionsModuleOptions {
  /** Where generated files go, relative to the project root. Default `src/generated`. */
  outDir?: string;
}

export interface GeneratedFile {
  /** Relative to the project root. */
  path: string;
  contents: string;
}

export interface GenerateResult {
  model: ApiModel;
  errors: CodegenError[];
  /** Empty when there are errors: a failed run writes nothing. */
  files: GeneratedFile[];
}

/** Parses the project's API types and renders every generated file in memory; writing them is the caller's. */
export function generate(project: Project, options: GenerateOptions = {}): GenerateResult {
  const parsed = parseApis(project, options);
  const { model } = parsed;
  const errors = parsed.errors.length > 0 ? parsed.errors : checkValidationRules(model);
  if (errors.length > 0) return { model, errors, files: [] };
  const outDir = options.outDir ?? "src/generated";
  const moduleOptions: DefinitionsModuleOptions = { generatedFrom: options.apisDir ?? "src/apis" };
  if (options.runtimeModule !== undefined) moduleOptions.runtimeModule = options.runtimeModule;
  return {
    model,
    errors,
    files: [
      { path: posix.join(outDir, "resources.ts"), contents: emitDefinitionsModule(model, moduleOptions) },
      { path: posix.join(outDir, "api-model.json"), contents: emitProjectModel(model) },
    ],
  };
}
