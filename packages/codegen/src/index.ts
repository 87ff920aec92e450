export type { CodegenError, CodegenErrorCode, SourceLocation } from "./errors/codegen-error.js";
export { formatCodegenError } from "./errors/codegen-error.js";
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
  TypeKind,
  TypeModel,
  ValidationRuleModel,
  WellKnownTypeName,
} from "./model/api-model.js";
export type { ParseOptions, ParseResult } from "./parser/parse-apis.js";
export { parseApis } from "./parser/parse-apis.js";
export { createInMemoryApiProject, loadApiProject } from "./parser/project.js";
