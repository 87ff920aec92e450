import type { ValidationRule } from "../definitions/types.js";
import type { SourceLocation } from "../errors/codegen-error.js";

/**
 * The API model: what the parser reads from `src/apis/<group>/<version>/*.ts`, kept apart from
 * any output format (cdk8s keeps its input model apart from emission the same way). Every
 * emitter (schemas, the generated module, the JSON project model, docs) reads only this.
 */
export interface ApiModel {
  /** Sorted by name. */
  groups: GroupModel[];
}

export interface GroupModel {
  /** The API group, e.g. `wardle.example.com`. */
  name: string;
  /** The folder under `src/apis` the group's versions live in. */
  folder: string;
  description?: string;
  /** Every version folder holding at least one kind, highest Kubernetes priority first. */
  versions: string[];
  /** Sorted by kind. */
  kinds: KindModel[];
}

/** One kind across every version that declares it: the seam to the runtime's ResourceDefinition. */
export interface KindModel {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  scope: "Namespaced" | "Cluster";
  shortNames: string[];
  categories: string[];
  /** PUT without metadata.resourceVersion is allowed (last write wins). */
  unconditionalUpdate: boolean;
  /** Highest Kubernetes priority first; exactly one has `storage: true`. */
  versions: KindVersionModel[];
  /** The request bodies of the kind's action subresources (`@actionRequest`), sorted by subresource. */
  actionRequests: SubresourceTypeModel[];
  /** The query options of the kind's read and stream subresources (`@subresourceOptions`), sorted by subresource. */
  subresourceOptions: SubresourceTypeModel[];
  /** What the kind's actions and reads answer (`@subresourceResponse`), sorted by subresource. */
  subresourceResponses: SubresourceTypeModel[];
}

/**
 * An interface marked `@actionRequest kind=<Kind> action=<name>` (the body POST
 * `.../<name>/<action>` takes), `@subresourceOptions kind=<Kind> subresource=<name>` (the query
 * parameters GET `.../<name>/<subresource>` takes) or `@subresourceResponse kind=<Kind>
 * subresource=<name>` (what the action or read answers).
 */
export interface SubresourceTypeModel {
  /** The subresource: `/<plural>/<name>/<subresource>`. */
  subresource: string;
  /** The body's, options' or answer's kind: the interface's name, in the group and version of its folder. */
  kind: string;
  version: string;
  schema: TypeModel;
  source: SourceLocation;
}

export interface KindVersionModel {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  deprecationWarning?: string;
  /** The whole object: apiVersion, kind, metadata, spec, status... */
  schema: TypeModel;
  subresources: SubresourcesModel;
  printerColumns: PrinterColumnModel[];
  /** JSONPaths such as `.spec.color`. */
  selectableFields: string[];
  /** Where the kind's interface is declared. */
  source: SourceLocation;
}

export interface SubresourcesModel {
  status: boolean;
  scale?: ScaleModel;
}

export interface ScaleModel {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface PrinterColumnModel {
  name: string;
  type: "integer" | "number" | "string" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/** The kinds of schema node; `map` is `Record<string, T>`, `any` is preserved unknown JSON. */
export type TypeKind =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "object"
  | "map"
  | "array"
  | "int-or-string"
  | "any";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The meta types mapped by name when imported from `@apiserver-kit/runtime`. */
export type WellKnownTypeName =
  | "ObjectMeta"
  | "Time"
  | "MicroTime"
  | "Duration"
  | "Quantity"
  | "IntOrString"
  | "Condition"
  | "LabelSelector"
  | "LabelSelectorRequirement"
  | "int32"
  | "int64";

/** One CEL rule: the same data as an `x-kubernetes-validations` entry, so one declaration serves both. */
export type ValidationRuleModel = ValidationRule;

/**
 * One node of a schema, resolved from a TypeScript type with its markers applied. Nodes reached
 * through a named type are shared between their uses: never mutate one.
 */
export interface TypeModel {
  type: TypeKind;
  /** The TypeScript name this node came from, when it had one. */
  typeName?: string;
  wellKnown?: WellKnownTypeName;
  description?: string;
  format?: string;
  enum?: Array<string | number | boolean>;
  nullable?: boolean;
  default?: JsonValue;

  /** type "object": in declaration order. */
  properties?: FieldModel[];
  /** type "map": the value type. */
  values?: TypeModel;
  /** type "array": the item type. */
  items?: TypeModel;

  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  validations?: ValidationRuleModel[];

  preserveUnknownFields?: boolean;
  embeddedResource?: boolean;
  listType?: "atomic" | "set" | "map";
  listMapKeys?: string[];
  mapType?: "atomic" | "granular";
  patchStrategy?: string;
  patchMergeKey?: string;

  /** Where the node's TypeScript type is written (for errors found after resolution). */
  source?: SourceLocation;
}

export interface FieldModel {
  name: string;
  /** TypeScript `name: T` (required) vs `name?: T`. */
  required: boolean;
  /** The field's own JSDoc; when absent, the type's description is shown. */
  description?: string;
  type: TypeModel;
  source?: SourceLocation;
}
