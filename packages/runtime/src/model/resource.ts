import type { Storage } from "@apiserver-kit/storage";
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
  /** What this kind serves and where its objects live, when not the server's stored defaults. */
  rest?: RestOptions;
  /** Subresources with their own behaviour (actions, reads, streams), beside status and scale. */
  customSubresources?: CustomSubresource<T>[];
}

export type ResourceVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface RestOptions {
  /**
   * The verbs this kind supports (default: all). Others answer 405 MethodNotAllowed and are
   * absent from discovery and OpenAPI. A computed kind typically serves ["get", "list", "watch"].
   */
  verbs?: ResourceVerb[];
  /**
   * Where objects of this kind live instead of the server's storage: e.g. computedStorage()
   * or ExternalStorage from @apiserver-kit/storage for data computed or kept elsewhere.
   */
  storage?: Storage;
}

/** What a custom subresource handler knows. */
export interface SubresourceContext<T extends KubeObject = KubeObject> {
  user: UserInfo;
  namespace: string;
  name: string;
  /** The parent object (storage version), read when the request arrived. */
  object: T;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /**
   * Changes the parent object with optimistic concurrency (retried on conflicts); with
   * `subresource: "status"` only its status changes. Returns the stored result.
   */
  update(mutate: (object: T) => void, options?: { subresource?: "status" }): Promise<T>;
}

interface SubresourceBase {
  /** The URL segment: `/<plural>/<name>/<subresource>`. */
  name: string;
  description?: string;
}

/**
 * POST `.../<name>/<subresource>`: an action with its own request and response (authorized as
 * verb create). `B` is the request body's type: with a `requestSchema` the server checks the
 * body against it before `handle` runs, so the handler may trust that shape.
 */
export interface ActionSubresource<T extends KubeObject = KubeObject, B = unknown, R = unknown>
  extends SubresourceBase {
  type: "action";
  /** The kind of the request body, for discovery and OpenAPI (default: `<Kind><Action>Request`). */
  requestKind?: { group: string; version: string; kind: string };
  /**
   * The kind of the response (default: the parent's kind), for discovery and OpenAPI. An answer
   * without `apiVersion` and `kind` gets this kind's.
   */
  responseKind?: { group: string; version: string; kind: string };
  /**
   * The request body's schema: published in OpenAPI and checked before `handle` runs (422 on a
   * bad value, unknown fields warned about or refused as `fieldValidation` says). In a generated
   * project it comes from an `@actionRequest` interface in src/apis (`withActionRequest`).
   */
  requestSchema?: JSONSchemaProps;
  /**
   * The response's schema, published in OpenAPI under `responseKind` (the server does not check
   * answers against it). In a generated project it comes from a `@subresourceResponse` interface
   * in src/apis (`withSubresourceResponse`).
   */
  responseSchema?: JSONSchemaProps;
  handle(context: SubresourceContext<T>, body: B): Promise<R> | R;
}

/** A read or stream subresource's query parameters as `scaffold generate` derives them from a `@subresourceOptions` interface. */
export interface SubresourceOptions {
  /** The interface's name (the options' kind), for messages. */
  kind: string;
  parameters: SubresourceParameter[];
}

/** An action's request body as `scaffold generate` derives it from an `@actionRequest` interface. */
export interface ActionRequest {
  requestKind: { group: string; version: string; kind: string };
  requestSchema: JSONSchemaProps;
}

/** An action's or read's answer as `scaffold generate` derives it from a `@subresourceResponse` interface. */
export interface SubresourceResponse {
  responseKind: { group: string; version: string; kind: string };
  responseSchema: JSONSchemaProps;
}

/** GET `.../<name>/<subresource>?...`: a read whose query becomes a typed options object (authorized as verb get). */
export interface ReadSubresource<T extends KubeObject = KubeObject, O = Record<string, string>, R = unknown>
  extends SubresourceBase {
  type: "read";
  /**
   * The kind of the answer (default: the parent's kind), for discovery and OpenAPI. An answer
   * without `apiVersion` and `kind` gets this kind's.
   */
  responseKind?: { group: string; version: string; kind: string };
  /** The answer's schema, published in OpenAPI under `responseKind` (as an action's). */
  responseSchema?: JSONSchemaProps;
  /**
   * Query parameters, published in OpenAPI. Without `parseOptions` the handler gets the declared
   * ones present in the query, converted by type as kube-apiserver converts pods/log's options
   * (a malformed integer is a 400); with neither, every query parameter as a string.
   */
  parameters?: SubresourceParameter[];
  /** Reads the options from the query instead; may throw a StatusError (400). */
  parseOptions?(query: URLSearchParams): O;
  handle(context: SubresourceContext<T>, options: O): Promise<R> | R;
}

/** GET `.../<name>/<subresource>`: streams chunked text until done or the client leaves (e.g. `log` with `follow`). */
export interface StreamSubresource<T extends KubeObject = KubeObject, O = Record<string, string>>
  extends SubresourceBase {
  type: "stream";
  parameters?: SubresourceParameter[];
  parseOptions?(query: URLSearchParams): O;
  contentType?: string;
  /** Write text with `write`; resolve when done. `context.signal` aborts when the client disconnects. */
  handle(context: SubresourceContext<T>, options: O, write: (chunk: string) => Promise<void>): Promise<void>;
}

export interface SubresourceParameter {
  name: string;
  type: "string" | "integer" | "boolean";
  description?: string;
}

export type CustomSubresource<T extends KubeObject = KubeObject> =
  | ActionSubresource<T>
  | ReadSubresource<T, unknown>
  | StreamSubresource<T, unknown>;

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
