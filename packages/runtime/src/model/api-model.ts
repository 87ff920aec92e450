/**
 * The resource definitions as the server uses them: checked once at start-up, with
 * the derived facts every later stage needs (hub version, version order, normalized
 * schemas, compiled validators).
 */
import { createHash } from "node:crypto";
import { compileValidationRules, type RuleCompileError, type RuleValidator } from "@apiserver-kit/cel";
import { withStrategicMergeExtensions } from "@apiserver-kit/merge";
import type { GroupResource } from "../api/errors.js";
import { fieldErrorMessage } from "../api/errors.js";
import { compileSchemaValidator, type SchemaValidator } from "../schema/validator.js";
import type { ResourceDefinition, ResourceVerb, VersionDefinition } from "./resource.js";
import type { JSONSchemaProps } from "./schema.js";

/** Kubernetes' version priority: GA > beta > alpha, higher numbers first, then other names alphabetically. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { rank: 0, major: 0, minor: 0 };
    const rank = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return { rank, major: Number(m[1]), minor: Number(m[3] ?? 0) };
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa.rank !== pb.rank) return pb.rank - pa.rank;
  if (pa.rank === 0) return a < b ? -1 : a > b ? 1 : 0;
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}

const typeMetaSchemas: Record<string, JSONSchemaProps> = {
  apiVersion: {
    type: "string",
    description:
      "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
  },
  kind: {
    type: "string",
    description:
      "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.",
  },
  metadata: { type: "object", description: "Standard object's metadata." },
};

/** The whole-object schema with apiVersion, kind and metadata present. */
export function normalizeRootSchema(schema: JSONSchemaProps): JSONSchemaProps {
  const properties: Record<string, JSONSchemaProps> = { ...typeMetaSchemas, ...schema.properties };
  return { ...schema, type: "object", properties };
}

/** ObjectMeta's lists that strategic merge patch merges (Go's patchStrategy tags); the rest as any object. */
const METADATA_PATCH_SCHEMA = {
  type: "object",
  "x-kubernetes-preserve-unknown-fields": true,
  properties: {
    finalizers: { type: "array", items: { type: "string" }, "x-kubernetes-patch-strategy": "merge" },
    ownerReferences: {
      type: "array",
      items: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-patch-merge-key": "uid",
    },
  },
} as JSONSchemaProps;

export class ResourceVersion {
  readonly name: string;
  /**
   * The whole-object schema, with the strategic-merge extensions that list types imply
   * (what OpenAPI publishes and strategic merge patch follows).
   */
  readonly schema: JSONSchemaProps;
  /**
   * What strategic merge patch follows: the schema, with ObjectMeta's patch strategies (finalizers
   * merge as a set, ownerReferences by uid) as OpenAPI publishes them for metadata.
   */
  readonly patchSchema: JSONSchemaProps;
  /** CEL rules (x-kubernetes-validations), compiled once; undefined when the schema has none. */
  readonly ruleValidator?: RuleValidator;
  /** Problems found compiling the CEL rules; the model refuses to start with any. */
  readonly ruleErrors: string[] = [];
  private validator?: SchemaValidator;
  /** The deprecation warning once computed; null for none. */
  private warning?: string | null;

  constructor(
    readonly resource: ApiResource,
    readonly definition: VersionDefinition,
  ) {
    this.name = definition.name;
    this.schema = withStrategicMergeExtensions(normalizeRootSchema(definition.schema));
    this.patchSchema = {
      ...this.schema,
      properties: { ...this.schema.properties, metadata: METADATA_PATCH_SCHEMA },
    };
    if (JSON.stringify(definition.schema).includes('"x-kubernetes-validations"')) {
      const compiled = compileValidationRules(this.schema);
      if (compiled.ok) this.ruleValidator = compiled.validator;
      else this.ruleErrors = ruleErrorMessages(compiled.errors);
    }
  }

  get apiVersion(): string {
    return this.resource.group ? `${this.resource.group}/${this.name}` : this.name;
  }

  /**
   * The warning every request to a deprecated version gets (apiextensions-apiserver's): the
   * version's own text, or `<group>/<version> <Kind> is deprecated`, with `; use <group>/<v>
   * <Kind>` naming the highest-priority served version above it that is not deprecated.
   */
  get deprecationWarning(): string | undefined {
    if (this.warning === undefined) this.warning = this.computeDeprecationWarning() ?? null;
    return this.warning ?? undefined;
  }

  private computeDeprecationWarning(): string | undefined {
    if (!this.definition.deprecated) return undefined;
    if (this.definition.deprecationWarning !== undefined) return this.definition.deprecationWarning;
    const { kind } = this.resource;
    const warning = `${this.apiVersion} ${kind} is deprecated`;
    const newer = this.resource.definition.versions
      .filter((v) => v.served && !v.deprecated && compareVersions(v.name, this.name) < 0)
      .map((v) => v.name)
      .sort(compareVersions)[0];
    if (newer === undefined) return warning;
    const group = this.resource.group;
    return `${warning}; use ${group ? `${group}/${newer}` : newer} ${kind}`;
  }

  get isHub(): boolean {
    return this.definition.storage;
  }

  get schemaValidator(): SchemaValidator {
    this.validator ??= compileSchemaValidator(this.schema);
    return this.validator;
  }

  get hasStatus(): boolean {
    return this.definition.subresources?.status !== undefined;
  }
}

/**
 * The body an action subresource declares (`requestSchema`): its kind, its schema, the
 * compiled validators. Rules (`x-kubernetes-validations`) compile at start-up like a
 * version's; a rule that does not compile stops the server.
 */
export class ActionRequestSchema {
  /** The kind named in a refusal: `requestKind`, else `<Kind><Action>Request` in the parent's group (as OpenAPI names it). */
  readonly groupKind: { group: string; kind: string };
  readonly ruleValidator?: RuleValidator;
  readonly ruleErrors: string[] = [];
  private validator?: SchemaValidator;

  constructor(
    resource: { group: string; kind: string },
    action: string,
    readonly schema: JSONSchemaProps,
    requestKind?: { group: string; kind: string },
  ) {
    // `ban-all` → `BanAll`: a kind name, as scaffold names the interfaces it writes.
    const pascal = action.replace(/(^|-)([a-z0-9])/g, (_all, _dash, next: string) => next.toUpperCase());
    this.groupKind = requestKind
      ? { group: requestKind.group, kind: requestKind.kind }
      : { group: resource.group, kind: `${resource.kind}${pascal}Request` };
    if (JSON.stringify(schema).includes('"x-kubernetes-validations"')) {
      const compiled = compileValidationRules(schema);
      if (compiled.ok) this.ruleValidator = compiled.validator;
      else this.ruleErrors = ruleErrorMessages(compiled.errors);
    }
  }

  get schemaValidator(): SchemaValidator {
    this.validator ??= compileSchemaValidator(this.schema);
    return this.validator;
  }
}

/** Why rules did not compile, one line each: the rule, then the error on its field. */
function ruleErrorMessages(errors: readonly RuleCompileError[]): string[] {
  return errors.map((e) => `${e.rule}: ${fieldErrorMessage({ ...e, detail: e.detail ?? "" })}`);
}

/** One kind as served: its definition plus derived facts. */
export class ApiResource {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly groupResource: GroupResource;
  /** Served versions, highest priority first. */
  readonly versions: ResourceVersion[];
  /** Every version, served or not (stored objects may carry any of them). */
  readonly allVersions: ResourceVersion[];
  readonly hub: ResourceVersion;
  readonly storageVersionHash: string;
  /** The verbs the main resource serves (discovery, OpenAPI and 405s follow it). */
  readonly verbs: ResourceVerb[];
  /** The request bodies of actions that declare a `requestSchema`, by subresource name. */
  readonly actionRequests = new Map<string, ActionRequestSchema>();

  constructor(readonly definition: ResourceDefinition) {
    this.group = definition.group;
    this.kind = definition.names.kind;
    this.plural = definition.names.plural;
    this.singular = definition.names.singular;
    this.listKind = definition.names.listKind ?? `${definition.names.kind}List`;
    this.namespaced = definition.scope === "Namespaced";
    this.groupResource = { group: this.group, resource: this.plural };
    const all = definition.versions.map((v) => new ResourceVersion(this, v));
    this.allVersions = all;
    this.versions = all.filter((v) => v.definition.served).sort((a, b) => compareVersions(a.name, b.name));
    const hub = all.find((v) => v.definition.storage);
    if (!hub) throw new Error(`${this.kind}.${this.group}: no version has storage: true`);
    this.hub = hub;
    this.verbs = definition.rest?.verbs ? ALL_VERBS.filter((v) => definition.rest?.verbs?.includes(v)) : [...ALL_VERBS];
    for (const sub of definition.customSubresources ?? []) {
      if (sub.type === "action" && sub.requestSchema !== undefined) {
        this.actionRequests.set(sub.name, new ActionRequestSchema(this, sub.name, sub.requestSchema, sub.requestKind));
      }
    }
    // Kubernetes: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>") of the storage version.
    this.storageVersionHash = createHash("sha256")
      .update(`${this.group}/${hub.name}/${this.kind}`)
      .digest()
      .subarray(0, 8)
      .toString("base64");
  }

  version(name: string): ResourceVersion | undefined {
    return this.versions.find((v) => v.name === name);
  }

  /** `/registry/<group>/<plural>/` (+ namespace): where objects live in storage. */
  keyPrefix(namespace?: string): string {
    const base = `/registry/${this.group}/${this.plural}/`;
    return this.namespaced && namespace ? `${base}${namespace}/` : base;
  }

  key(namespace: string, name: string): string {
    return this.namespaced
      ? `/registry/${this.group}/${this.plural}/${namespace}/${name}`
      : `/registry/${this.group}/${this.plural}/${name}`;
  }
}

export interface GroupVersionInfo {
  group: string;
  version: string;
  resources: Array<{ resource: ApiResource; version: ResourceVersion }>;
}

/** Every resource the server serves, indexed for routing and discovery. */
export class ApiModel {
  readonly resources: ApiResource[];
  private readonly byPath = new Map<string, { resource: ApiResource; version: ResourceVersion }>();
  /** Group name → versions (highest priority first). */
  readonly groups = new Map<string, string[]>();

  constructor(definitions: readonly ResourceDefinition[]) {
    this.resources = definitions.map((d) => new ApiResource(d));
    const problems = definitions.flatMap(checkDefinition);
    for (const resource of this.resources) {
      for (const version of resource.allVersions) {
        for (const error of version.ruleErrors)
          problems.push(`${resource.kind}.${resource.group} ${version.name}: ${error}`);
      }
      for (const [name, request] of resource.actionRequests) {
        for (const error of request.ruleErrors)
          problems.push(`${resource.kind}.${resource.group} ${name} request: ${error}`);
      }
    }
    if (problems.length > 0) throw new Error(`invalid resource definitions:\n  ${problems.join("\n  ")}`);
    for (const resource of this.resources) {
      for (const version of resource.versions) {
        const path = `${resource.group}/${version.name}/${resource.plural}`;
        if (this.byPath.has(path)) throw new Error(`invalid resource definitions: ${path} is defined twice`);
        this.byPath.set(path, { resource, version });
        const versions = this.groups.get(resource.group) ?? [];
        if (!versions.includes(version.name)) versions.push(version.name);
        this.groups.set(resource.group, versions.sort(compareVersions));
      }
    }
  }

  lookup(
    group: string,
    version: string,
    plural: string,
  ): { resource: ApiResource; version: ResourceVersion } | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  groupVersion(group: string, version: string): GroupVersionInfo | undefined {
    const resources: GroupVersionInfo["resources"] = [];
    for (const resource of this.resources) {
      if (resource.group !== group) continue;
      const v = resource.version(version);
      if (v) resources.push({ resource, version: v });
    }
    return resources.length > 0 ? { group, version, resources } : undefined;
  }

  groupVersions(): GroupVersionInfo[] {
    const out: GroupVersionInfo[] = [];
    for (const [group, versions] of this.groups) {
      for (const version of versions) {
        const info = this.groupVersion(group, version);
        if (info) out.push(info);
      }
    }
    return out;
  }
}

/** Every verb a stored resource serves, in discovery's order. */
export const ALL_VERBS: readonly ResourceVerb[] = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

const lowerName = /^[a-z][a-z0-9-]*$/;

function checkDefinition(d: ResourceDefinition): string[] {
  const where = `${d.names.kind}.${d.group}`;
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(d.group)) {
    problems.push(`${where}: group must be a DNS subdomain with at least one dot (e.g. wardle.example.com)`);
  }
  if (!/^[A-Z][A-Za-z0-9]*$/.test(d.names.kind)) problems.push(`${where}: kind must be CamelCase`);
  if (!lowerName.test(d.names.plural)) problems.push(`${where}: plural must be lower case`);
  if (!lowerName.test(d.names.singular)) problems.push(`${where}: singular must be lower case`);
  for (const sub of d.customSubresources ?? []) {
    if (sub.name === "status" || sub.name === "scale" || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(sub.name)) {
      problems.push(
        `${where}: custom subresource "${sub.name}" must be a lower-case DNS label other than status and scale`,
      );
    }
  }
  const storage = d.versions.filter((v) => v.storage);
  if (storage.length !== 1)
    problems.push(`${where}: exactly one version must have storage: true (found ${storage.length})`);
  if (!d.versions.some((v) => v.served)) problems.push(`${where}: no version is served`);
  for (const v of d.versions) {
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(v.name))
      problems.push(`${where}: version ${v.name} must be a DNS-1035 label like v1, v1beta1`);
    if (!v.storage && v.served && !v.conversion) {
      problems.push(`${where}: version ${v.name} is not the storage version and has no conversion`);
    }
  }
  return problems;
}
