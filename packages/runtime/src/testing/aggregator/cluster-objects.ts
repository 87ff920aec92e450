/**
 * The test cluster's own objects — Namespaces, ConfigMaps, APIServices — kept in memory
 * with one revision counter, and served in Kubernetes' wire format: get, list, create,
 * update (and /status), delete, and watch (newline-delimited events, from a revision); lists
 * and watches by label and field selector.
 */
import { randomUUID } from "node:crypto";
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/meta.js";
import { type FieldSelector, matchesFields, parseFieldSelector } from "../../selectors/fields.js";
import { type LabelSelector, parseLabelSelector } from "../../selectors/labels.js";

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
type Listener = (type: WatchEventType, object: KubeObject, previous?: KubeObject) => void;
/** Which objects a list or watch selects (label and field selectors); none: all of them. */
export type ObjectFilter = (object: KubeObject) => boolean;

/**
 * The fields a list or watch of `kind` may select on, as kube-apiserver's registries expose them:
 * metadata.name, metadata.namespace for a namespaced kind, and a Namespace's status.phase.
 */
export function selectableFields(kind: ClusterKind): string[] {
  const fields = kind.namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"];
  return kind === NAMESPACES ? [...fields, "status.phase"] : fields;
}

/**
 * The filter for a list's or watch's `labelSelector` and `fieldSelector` query parameters;
 * a selector that doesn't parse, or a field the kind can't select on, is a 400.
 */
export function selectorFilter(kind: ClusterKind, query: URLSearchParams): ObjectFilter | undefined {
  let labels: LabelSelector;
  let fields: FieldSelector;
  try {
    labels = parseLabelSelector(query.get("labelSelector") ?? "");
    fields = parseFieldSelector(query.get("fieldSelector") ?? "");
  } catch (error) {
    throw StatusError.badRequest((error as Error).message);
  }
  const selectable = selectableFields(kind);
  for (const requirement of fields.requirements) {
    if (!selectable.includes(requirement.field)) {
      throw StatusError.badRequest(`field label not supported: ${requirement.field}`);
    }
  }
  if (labels.empty && fields.empty) return undefined;
  const fieldValue = (object: KubeObject, field: string): string => {
    if (field === "metadata.name") return object.metadata?.name ?? "";
    if (field === "metadata.namespace") return object.metadata?.namespace ?? "";
    return String((object as { status?: { phase?: string } }).status?.phase ?? "");
  };
  return (object) =>
    labels.matches(object.metadata?.labels) && matchesFields(fields, (field) => fieldValue(object, field));
}

const apiVersionOf = (kind: ClusterKind) => (kind.group ? `${kind.group}/${kind.version}` : kind.version);
const keyOf = (kind: ClusterKind, namespace: string, name: string) => `${kind.resource}/${namespace}/${name}`;
const clone = <T>(value: T): T => structuredClone(value);

export class ClusterObjects {
  private revision = 1;
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Recent events per resource, for watches that resume from a revision. */
  private readonly history = new Map<
    string,
    Array<{ revision: number; type: WatchEventType; object: KubeObject; previous?: KubeObject }>
  >();

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

  list(kind: ClusterKind, namespace = "", filter?: ObjectFilter): KubeObject[] {
    const prefix = namespace ? `${kind.resource}/${namespace}/` : `${kind.resource}/`;
    return [...this.objects.entries()]
      .filter(([key, object]) => key.startsWith(prefix) && (!filter || filter(object)))
      .map(([, object]) => clone(object))
      .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  }

  listObject(kind: ClusterKind, namespace = "", filter?: ObjectFilter): Record<string, unknown> {
    return {
      kind: `${kind.kind}List`,
      apiVersion: apiVersionOf(kind),
      metadata: { resourceVersion: String(this.revision) },
      items: this.list(kind, namespace, filter),
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
    this.emit(kind, "MODIFIED", next, old);
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
   * Events of one resource (optionally one namespace, optionally the objects `filter` selects)
   * after `fromRevision`; from 0, the current objects first as ADDED. With a filter, an object a
   * change brings into the selection is ADDED and one it takes out is DELETED (its previous
   * state at the change's revision), as kube-apiserver's watch cache sends them. Returns a
   * function that stops the watch.
   */
  watch(
    kind: ClusterKind,
    namespace: string,
    fromRevision: number,
    listener: Listener,
    filter: ObjectFilter = () => true,
  ): () => void {
    const selected = (object: KubeObject) => (!namespace || object.metadata?.namespace === namespace) && filter(object);
    const deliver: Listener = (type, object, previous) => {
      const now = selected(object);
      const before = type === "MODIFIED" && previous ? selected(previous) : now;
      if (now && before) listener(type, object);
      else if (now) listener("ADDED", object);
      else if (before && previous) {
        const gone = clone(previous);
        gone.metadata = { ...gone.metadata, resourceVersion: object.metadata?.resourceVersion };
        listener("DELETED", gone);
      }
    };
    if (fromRevision === 0) {
      for (const object of this.list(kind, namespace, filter)) listener("ADDED", object);
    } else {
      for (const event of this.history.get(kind.resource) ?? []) {
        if (event.revision > fromRevision)
          deliver(event.type, clone(event.object), event.previous && clone(event.previous));
      }
    }
    let set = this.listeners.get(kind.resource);
    if (!set) {
      set = new Set();
      this.listeners.set(kind.resource, set);
    }
    set.add(deliver);
    return () => set.delete(deliver);
  }

  private emit(kind: ClusterKind, type: WatchEventType, object: KubeObject, previous?: KubeObject): void {
    const revision = Number(object.metadata?.resourceVersion);
    const history = this.history.get(kind.resource) ?? [];
    history.push({ revision, type, object: clone(object), ...(previous ? { previous: clone(previous) } : {}) });
    if (history.length > 1000) history.shift();
    this.history.set(kind.resource, history);
    for (const listener of this.listeners.get(kind.resource) ?? []) {
      listener(type, clone(object), previous && clone(previous));
    }
  }
}
