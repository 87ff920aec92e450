import type { AdmissionPlugin } from "../admission/admission.js";
import type { FieldError } from "../api/errors.js";
import type { KubeObject, UserInfo } from "../api/meta.js";
import type { JSONSchemaProps } from "./schema.js";

/**
 * The resource model: one plain description per kind, from which discovery, OpenAPI,
 * validation, tables and routing are all derived. Its shape follows a
 * CustomResourceDefinition's spec (group, names, scope, versions with schema, printer
 * columns, subresources) so that Kubernetes users recognise it, plus TypeScript hooks
 * for what only code can say (strategy, conversion). The code generator emits the data
 * part from TypeScript types; the hooks are written by hand.
 */
export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  group: string;
  names: ResourceNames;
  scope: "Namespaced" | "Cluster";
  /** Every version of the kind; exactly one has `storage: true` (the hub). */
  versions: VersionDefinition[];
  /** Per-kind behaviour around storage, on objects of the storage (hub) version. */
  strategy?: Strategy<T>;
  /** Admission plugins for this kind, in order (after the server-wide ones). */
  admission?: AdmissionPlugin<T>[];
}

export interface ResourceNames {
  kind: string;
  /** Lower-case plural: the URL segment. */
  plural: string;
  /** Lower-case singular. */
  singular: string;
  /** Defaults to `<kind>List`. */
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface VersionDefinition {
  name: string;
  served: boolean;
  /** The hub: objects are stored in this version. Exactly one version is the storage version. */
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  /**
   * The structural schema of the whole object. `apiVersion`, `kind` and `metadata` may
   * be omitted: the framework adds them (metadata as ObjectMeta).
   */
  schema: JSONSchemaProps;
  subresources?: Subresources;
  additionalPrinterColumns?: PrinterColumn[];
  /** Extra fields usable in field selectors besides metadata.name and metadata.namespace. */
  selectableFields?: SelectableField[];
  /** Converts between this version and the storage version; required on every non-storage version. */
  conversion?: VersionConversion;
}

export interface VersionConversion {
  /** From this version to the storage version. Receives a private copy; may mutate and return it. */
  toHub(object: KubeObject): KubeObject;
  /** From the storage version to this one. Receives a private copy; may mutate and return it. */
  fromHub(object: KubeObject): KubeObject;
}

export interface Subresources {
  /** `/status`: status is written only through it; main-resource writes keep the stored status. */
  status?: Record<string, never>;
  scale?: ScaleSubresource;
}

/** Maps autoscaling/v1 Scale onto the kind (JSONPaths like `.spec.replicas`). */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface PrinterColumn {
  name: string;
  type: "integer" | "number" | "string" | "boolean" | "date";
  format?: string;
  description?: string;
  /** 0 shows in `kubectl get`; greater only with `-o wide`. */
  priority?: number;
  /** A simple JSONPath into the object, e.g. `.spec.replicas`. */
  jsonPath: string;
}

export interface SelectableField {
  /** e.g. `.spec.color`; usable as `--field-selector spec.color=red`. */
  jsonPath: string;
}

/** What a strategy hook knows about the request it runs in. */
export interface StrategyContext {
  user: UserInfo;
  namespace: string;
  /** The subresource being written ("" for the main resource). */
  subresource: string;
  dryRun: boolean;
}

/**
 * Per-kind behaviour around storage (k8s.io/apiserver's RESTCreateStrategy and
 * RESTUpdateStrategy). Hooks receive private copies they may mutate, always in the
 * storage (hub) version, after schema defaulting and before schema validation results
 * are reported together with their own.
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** Allow PUT without metadata.resourceVersion (last write wins). Default false, as CRDs. */
  allowUnconditionalUpdate?: boolean;
  /** Allow PUT to create a missing object. Default false, as CRDs. */
  allowCreateOnUpdate?: boolean;
  /** Clear or initialise fields before a create (e.g. drop status). */
  prepareForCreate?(object: T, context: StrategyContext): void;
  /** Carry fields over from the stored object before an update. */
  prepareForUpdate?(object: T, old: T, context: StrategyContext): void;
  /** Defaults that a schema can't express. Runs after schema defaults. */
  default?(object: T): void;
  validate?(object: T, context: StrategyContext): FieldError[];
  validateUpdate?(object: T, old: T, context: StrategyContext): FieldError[];
  /** Checks a name; returns error messages. Default: DNS-1123 subdomain. */
  validateName?(name: string): string[];
}
