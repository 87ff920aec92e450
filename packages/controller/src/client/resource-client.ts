/**
 * A typed client for one kind: the verbs a controller uses, over RestClient. Generic over
 * the object type so that generated code is a one-line wrapper:
 * `new ResourceClient<Flunder>(rest, flunderType)`.
 */
import type { Request } from "../objects/keys.js";
import type { KubeList, KubeObject, Status } from "../objects/meta.js";
import type { QueryValue, RestClient, WatchConnection, WireWatchEvent } from "./rest-client.js";

/** What a client needs to know about a kind to build its URLs. */
export interface ResourceType {
  /** "" for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural: the URL segment. */
  plural: string;
  namespaced: boolean;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The group of an apiVersion ("" for core `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export interface ListOptions {
  /** Omit for all namespaces (namespaced kinds only). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Start with the current state as ADDED events, ended by a BOOKMARK annotated `k8s.io/initial-events-end` (a "watch list"). */
  sendInitialEvents?: boolean;
  /** Required as NotOlderThan with sendInitialEvents. */
  resourceVersionMatch?: "NotOlderThan";
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export type PatchType = "merge" | "json" | "apply";

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
};

export interface PatchOptions extends WriteOptions {
  /** Default: a JSON merge patch (RFC 7396). */
  type?: PatchType;
  /** `status` to patch the status subresource. */
  subresource?: string;
  /** Server-side apply: take fields other managers own. */
  force?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** The object named by a request (`{namespace, name}`), or `{ name }` for cluster-scoped kinds. */
export type ObjectRef = Pick<Request, "name"> & { namespace?: string };

export class ResourceClient<T extends KubeObject> {
  readonly apiVersion: string;

  constructor(
    readonly rest: RestClient,
    readonly type: ResourceType,
  ) {
    this.apiVersion = apiVersionOf(type);
  }

  /** `/apis/g/v[/namespaces/ns]/plural[/name[/subresource]]`. */
  path(namespace: string | undefined, name?: string, subresource?: string): string {
    const root = this.type.group ? `/apis/${this.type.group}/${this.type.version}` : `/api/${this.type.version}`;
    const ns = this.type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
    const item = name ? `/${encodeURIComponent(name)}` : "";
    const sub = name && subresource ? `/${subresource}` : "";
    return `${root}${ns}/${this.type.plural}${item}${sub}`;
  }

  get(ref: ObjectRef, options: { signal?: AbortSignal } = {}): Promise<T> {
    return this.rest.request<T>({
      method: "GET",
      path: this.path(this.namespaceOf(ref.namespace), ref.name),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async list(options: ListOptions = {}): Promise<KubeList<T>> {
    const list = await this.rest.request<KubeList<T>>({
      method: "GET",
      path: this.path(options.namespace),
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: options.continue,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
      },
    });
    // Servers may omit kind and apiVersion on list items (kube-apiserver does).
    for (const item of list.items) this.typeMeta(item);
    return list;
  }

  create(object: T, options: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({
      method: "POST",
      path: this.path(this.namespaceOf(object.metadata?.namespace)),
      query: writeQuery(options),
      body: this.typeMeta({ ...object }),
    });
  }

  /** PUT of the whole object; its `metadata.resourceVersion` makes it conditional (409 Conflict when stale). */
  update(object: T, options: WriteOptions = {}): Promise<T> {
    return this.put(object, undefined, options);
  }

  /** PUT to the status subresource: only `.status` changes. */
  updateStatus(object: T, options: WriteOptions = {}): Promise<T> {
    return this.put(object, "status", options);
  }

  patch(ref: ObjectRef, patch: unknown, options: PatchOptions = {}): Promise<T> {
    const type = options.type ?? "merge";
    return this.rest.request<T>({
      method: "PATCH",
      path: this.path(this.namespaceOf(ref.namespace), ref.name, options.subresource),
      query: { ...writeQuery(options), ...(options.force ? { force: true } : {}) },
      body: type === "apply" && typeof patch !== "string" ? JSON.stringify(patch) : patch,
      contentType: PATCH_CONTENT_TYPES[type],
    });
  }

  /** Deletes; the answer is the object while finalizers hold it, else a Success Status. */
  delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<T | Status> {
    return this.rest.request<T | Status>({
      method: "DELETE",
      path: this.path(this.namespaceOf(ref.namespace), ref.name),
      query: options.dryRun ? { dryRun: "All" } : {},
      body: {
        kind: "DeleteOptions",
        apiVersion: "v1",
        ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
        ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
        ...(options.preconditions ? { preconditions: options.preconditions } : {}),
      },
    });
  }

  /** A raw watch; informers are built on it (informer/reflector.ts). */
  watch(options: WatchOptions, onEvent: (event: WireWatchEvent) => void): WatchConnection {
    const query: Record<string, QueryValue> = {
      watch: true,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: options.allowWatchBookmarks,
      timeoutSeconds: options.timeoutSeconds,
      sendInitialEvents: options.sendInitialEvents,
      resourceVersionMatch: options.resourceVersionMatch,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    };
    return this.rest.watch(this.path(options.namespace), query, (event) => {
      if (event.type !== "ERROR" && event.type !== "BOOKMARK") this.typeMeta(event.object as T);
      onEvent(event);
    });
  }

  private put(object: T, subresource: string | undefined, options: WriteOptions): Promise<T> {
    const name = object.metadata?.name;
    if (!name) throw new TypeError(`${this.type.kind}: an update needs metadata.name`);
    return this.rest.request<T>({
      method: "PUT",
      path: this.path(this.namespaceOf(object.metadata?.namespace), name, subresource),
      query: writeQuery(options),
      body: this.typeMeta({ ...object }),
    });
  }

  private namespaceOf(namespace: string | undefined): string | undefined {
    if (!this.type.namespaced) return undefined;
    const ns = namespace || this.rest.namespace;
    if (!ns) throw new TypeError(`${this.type.kind} is namespaced: give a namespace`);
    return ns;
  }

  private typeMeta(object: T): T {
    if (!object.kind) object.kind = this.type.kind;
    if (!object.apiVersion) object.apiVersion = this.apiVersion;
    return object;
  }
}

function writeQuery(options: WriteOptions): Record<string, QueryValue> {
  return { ...(options.dryRun ? { dryRun: "All" } : {}), fieldManager: options.fieldManager };
}
