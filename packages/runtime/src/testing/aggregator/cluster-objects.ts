/**
 * The test cluster's own objects — Namespaces, ConfigMaps, APIServices — kept in memory
 * with one revision counter, and served in Kubernetes' wire format: get, list, create,
 * update (and /status), delete, and watch (newline-delimited events, from a revision).
 */
import { randomUUID } from "node:crypto";
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta.js";

export interface ClusterKind {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  subresources?: string[];
}

export const NAMESPACES: ClusterKind = {
  group: "",
  version: "v1",
  resource: "namespaces",
  kind: "Namespace",
  namespaced: false,
  subresources: ["status"],
};
export const CONFIGMAPS: ClusterKind = {
  group: "",
  version: "v1",
  resource: "configmaps",
  kind: "ConfigMap",
  namespaced: true,
};
export const APISERVICES: ClusterKind = {
  group: "apiregistration.k8s.io",
  version: "v1",
  resource: "apiservices",
  kind: "APIService",
  namespaced: false,
  subresources: ["status"],
};
export const CLUSTER_KINDS = [NAMESPACES, CONFIGMAPS, APISERVICES];

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";
type Listener = (type: WatchEventType, object: KubeObject) => void;

const apiVersionOf = (kind: ClusterKind) => (kind.group ? `${kind.group}/${kind.version}` : kind.version);
const keyOf = (kind: ClusterKind, namespace: string, name: string) => `${kind.resource}/${namespace}/${name}`;
const clone = <T>(value: T): T => structuredClone(value);

export class ClusterObjects {
  private revision = 1;
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Recent events per resource, for watches that resume from a revision. */
  private readonly history = new Map<string, Array<{ revision: number; type: WatchEventType; object: KubeObject }>>();

  get currentRevision(): number {
    return this.revision;
  }

  get(kind: ClusterKind, namespace: string, name: string): KubeObject | undefined {
    const found = this.objects.get(keyOf(kind, namespace, name));
    return found ? clone(found) : undefined;
  }

  mustGet(kind: ClusterKind, namespace: string, name: string): KubeObject {
    const found = this.get(kind, namespace, name);
    if (!found) throw StatusError.notFound({ group: kind.group, resource: kind.resource }, name);
    return found;
  }

  list(kind: ClusterKind, namespace = ""): KubeObject[] {
    const prefix = namespace ? `${kind.resource}/${namespace}/` : `${kind.resource}/`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, object]) => clone(object))
      .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  }

  listObject(kind: ClusterKind, namespace = ""): Record<string, unknown> {
    return {
      kind: `${kind.kind}List`,
      apiVersion: apiVersionOf(kind),
      metadata: { resourceVersion: String(this.revision) },
      items: this.list(kind, namespace),
    };
  }

  create(kind: ClusterKind, namespace: string, object: KubeObject): KubeObject {
    const name = object.metadata?.name;
    if (!name) throw StatusError.badRequest("metadata.name: Required value: name is required");
    const key = keyOf(kind, namespace, name);
    if (this.objects.has(key)) throw StatusError.alreadyExists({ group: kind.group, resource: kind.resource }, name);
    const stored: KubeObject = {
      ...clone(object),
      apiVersion: apiVersionOf(kind),
      kind: kind.kind,
      metadata: {
        ...clone(object.metadata ?? {}),
        name,
        ...(kind.namespaced ? { namespace } : {}),
        uid: randomUUID(),
        resourceVersion: String(++this.revision),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      },
    };
    if (kind === NAMESPACES) (stored as Record<string, unknown>).status ??= { phase: "Active" };
    this.objects.set(key, stored);
    this.emit(kind, "ADDED", stored);
    return clone(stored);
  }

  /** Replaces an object (or only its status); a stale resourceVersion is a 409 Conflict. */
  update(kind: ClusterKind, namespace: string, name: string, object: KubeObject, subresource = ""): KubeObject {
    const key = keyOf(kind, namespace, name);
    const old = this.objects.get(key);
    if (!old) throw StatusError.notFound({ group: kind.group, resource: kind.resource }, name);
    const expected = object.metadata?.resourceVersion;
    if (expected && expected !== old.metadata?.resourceVersion) {
      throw StatusError.modified({ group: kind.group, resource: kind.resource }, name);
    }
    const next: KubeObject =
      subresource === "status"
        ? { ...clone(old), status: clone((object as Record<string, unknown>).status) }
        : { ...clone(object), status: clone((old as Record<string, unknown>).status) };
    next.apiVersion = apiVersionOf(kind);
    next.kind = kind.kind;
    next.metadata = { ...clone(old.metadata ?? {}), ...(subresource === "status" ? {} : clone(object.metadata ?? {})) };
    next.metadata.name = name;
    next.metadata.uid = old.metadata?.uid;
    next.metadata.creationTimestamp = old.metadata?.creationTimestamp;
    next.metadata.resourceVersion = String(++this.revision);
    this.objects.set(key, next);
    this.emit(kind, "MODIFIED", next);
    return clone(next);
  }

  delete(kind: ClusterKind, namespace: string, name: string): KubeObject {
    const key = keyOf(kind, namespace, name);
    const old = this.objects.get(key);
    if (!old) throw StatusError.notFound({ group: kind.group, resource: kind.resource }, name);
    this.objects.delete(key);
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.revision) } };
    this.emit(kind, "DELETED", gone);
    return clone(gone);
  }

  /**
   * Events of one resource (optionally one namespace) after `fromRevision`; from 0, the
   * current objects first as ADDED. Returns a function that stops the watch.
   */
  watch(kind: ClusterKind, namespace: string, fromRevision: number, listener: Listener): () => void {
    const matches = (object: KubeObject) => !namespace || object.metadata?.namespace === namespace;
    if (fromRevision === 0) {
      for (const object of this.list(kind, namespace)) listener("ADDED", object);
    } else {
      for (const event of this.history.get(kind.resource) ?? []) {
        if (event.revision > fromRevision && matches(event.object)) listener(event.type, clone(event.object));
      }
    }
    const filtered: Listener = (type, object) => {
      if (matches(object)) listener(type, object);
    };
    let set = this.listeners.get(kind.resource);
    if (!set) {
      set = new Set();
      this.listeners.set(kind.resource, set);
    }
    set.add(filtered);
    return () => set.delete(filtered);
  }

  private emit(kind: ClusterKind, type: WatchEventType, object: KubeObject): void {
    const revision = Number(object.metadata?.resourceVersion);
    const history = this.history.get(kind.resource) ?? [];
    history.push({ revision, type, object: clone(object) });
    if (history.length > 1000) history.shift();
    this.history.set(kind.resource, history);
    for (const listener of this.listeners.get(kind.resource) ?? []) listener(type, clone(object));
  }
}
