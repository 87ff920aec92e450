export type {
  JSONSchemaProps,
  PrinterColumn,
  ResourceDefinitionData,
  ResourceNames,
  ScaleSubresource,
  SelectableField,
  Subresources,
  ValidationRule,
  VersionDefinitionData,
} from "./definitions/types.js";
export type { ApiReferenceOptions } from "./docs/api-reference.js";
export { emitApiReference } from "./docs/api-reference.js";
export type { LiteralStyle } from "./emit/literal-printer.js";
export { JSON_STYLE, printLiteral, TYPESCRIPT_STYLE } from "./emit/literal-printer.js";
export { emitProjectModel, PROJECT_MODEL_FORMAT, projectModelJSON } from "./emit/project-model.js";
export type { ProjectModelErrorCode } from "./emit/read-project-model.js";
export { ProjectModelError, readProjectModel } from "./emit/read-project-model.js";
export { toResourceDefinition, toResourceDefinitions } from "./emit/resource-definitions.js";
export { toJSONSchema } from "./emit/schema.js";
export type { DefinitionsModuleOptions } from "./emit/typescript-module.js";
export { emitDefinitionsModule, GENERATED_HEADER, subresourceTypeName } from "./emit/typescript-module.js";
export type { CodegenError, CodegenErrorCode, SourceLocation } from "./errors/codegen-error.js";
export { formatCodegenError } from "./errors/codegen-error.js";
export type { GeneratedFile, GenerateOptions, GenerateResult } from "./generate.js";
export { generate } from "./generate.js";
export type { MarkerInfo, MarkerTarget } from "./markers/catalog.js";
export { MARKERS } from "./markers/catalog.js";
export type {
  ApiModel,
  FieldModel,
  GroupModel,
  JsonValue,
  KindModel,
  KindVersionModel,
  PrinterColumnModel,
  ScaleModel,
  SubresourcesModel,
  SubresourceTypeModel,
  TypeKind,
  TypeModel,
  ValidationRuleModel,
  WellKnownTypeName,
} from "./model/api-model.js";
export { compareKubeVersions, isDNS1123Subdomain, isKindName, isKubeVersion, pluralize } from "./model/names.js";
export type { ParseOptions, ParseResult } from "./parser/parse-apis.js";
export { parseApis } from "./parser/parse-apis.js";
export { createInMemoryApiProject, loadApiProject } from "./parser/project.js";
/** ts-morph's values as codegen loads them (require: no export-name scan of the bundle per run). */
export { IndentationText, Node, Project, QuoteKind, SyntaxKind } from "./parser/ts-morph.js";
export { checkValidationRules } from "./rules/rule-check.js";
