/**
 * Admission plugins (k8s.io/apiserver pkg/admission): business rules that span objects.
 * Mutating plugins run first and may change the object; validating plugins run after
 * the kind's strategy and may only refuse. Plugins read the server's other resources
 * through listers served from the same stores (the watch cache when it is on).
 */
import { StatusError } from "../api/errors.js";
import type { KubeObject, UserInfo } from "../api/meta.js";

export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE";

/** What a plugin knows about the request (admission.Attributes). */
export interface AdmissionAttributes<T extends KubeObject = KubeObject> {
  operation: AdmissionOperation;
  group: string;
  version: string;
  kind: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The object being written (hub version), absent on DELETE. Mutating plugins may change it. */
  object?: T;
  /** The stored object on UPDATE and DELETE. */
  oldObject?: T;
  user: UserInfo;
  dryRun: boolean;
}

/** Reads objects of one resource (from the server's own stores). */
export interface Lister<T extends KubeObject = KubeObject> {
  get(namespace: string, name: string): Promise<T | undefined>;
  /** Every object, or those of one namespace. */
  list(namespace?: string): Promise<T[]>;
}

export interface AdmissionContext {
  /** A lister for another resource this server serves, by group and plural. */
  lister<T extends KubeObject = KubeObject>(group: string, resource: string): Lister<T>;
}

export interface AdmissionPlugin<T extends KubeObject = KubeObject> {
  /** Shown in refusals: `admission webhook "name" denied` style messages name it. */
  name: string;
  /** Operations the plugin looks at; default all. */
  operations?: AdmissionOperation[];
  /** Subresources it looks at; default only the main resource (""). */
  subresources?: string[];
  /** May change `attributes.object`; throw to refuse. */
  admit?(attributes: AdmissionAttributes<T>, context: AdmissionContext): void | Promise<void>;
  /** May only refuse (throw); sees the object after the strategy ran. */
  validate?(attributes: AdmissionAttributes<T>, context: AdmissionContext): void | Promise<void>;
}

/** Thrown by a plugin to refuse a request: 403 Forbidden with the plugin's message. */
export class AdmissionDenied extends Error {
  override readonly name = "AdmissionDenied";
  constructor(
    message: string,
    /** 403 (Forbidden, the default) or 422 (Invalid, for validation-style refusals). */
    readonly code: 403 | 422 = 403,
  ) {
    super(message);
  }
}

function handles(plugin: AdmissionPlugin, attributes: AdmissionAttributes): boolean {
  if (plugin.operations && !plugin.operations.includes(attributes.operation)) return false;
  return (plugin.subresources ?? [""]).includes(attributes.subresource);
}

function refusal(attributes: AdmissionAttributes, error: unknown): unknown {
  if (error instanceof StatusError) return error;
  if (!(error instanceof AdmissionDenied)) return error;
  const gr = { group: attributes.group, resource: attributes.resource };
  if (error.code === 422) {
    return StatusError.invalid({ group: attributes.group, kind: attributes.kind }, attributes.name, [
      { type: "FieldValueForbidden", field: "", detail: error.message },
    ]);
  }
  return StatusError.forbidden(gr, attributes.name, error.message);
}

/** The plugins of one kind, in order, run as Kubernetes runs its admission chain. */
export class AdmissionChain {
  constructor(
    private readonly plugins: readonly AdmissionPlugin[],
    private readonly context: AdmissionContext,
  ) {}

  get empty(): boolean {
    return this.plugins.length === 0;
  }

  /** Runs every mutating plugin that handles the request, in order. */
  async admit(attributes: AdmissionAttributes): Promise<void> {
    for (const plugin of this.plugins) {
      if (!plugin.admit || !handles(plugin, attributes)) continue;
      try {
        await plugin.admit(attributes, this.context);
      } catch (error) {
        throw refusal(attributes, error);
      }
    }
  }

  /** Runs every validating plugin that handles the request, in order. */
  async validate(attributes: AdmissionAttributes): Promise<void> {
    for (const plugin of this.plugins) {
      if (!plugin.validate || !handles(plugin, attributes)) continue;
      try {
        await plugin.validate(attributes, this.context);
      } catch (error) {
        throw refusal(attributes, error);
      }
    }
  }
}
