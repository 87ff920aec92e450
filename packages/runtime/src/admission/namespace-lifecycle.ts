/**
 * NamespaceLifecycle (k8s.io/apiserver plugin/pkg/admission/namespace/lifecycle): an
 * object can't be written into a namespace the cluster doesn't have (404 NotFound, as
 * `namespaces "x" not found`), nor created in one being deleted (403 Forbidden with the
 * NamespaceTerminating cause). Namespaces live in the cluster, not in this server: they are
 * read through an informer's cache when one is given, with a live read for what the cache
 * doesn't have, as Kubernetes does.
 */
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import type { ClusterClient } from "../auth/cluster-client.js";
import type { AdmissionAttributes, AdmissionPlugin } from "./admission.js";

export interface Namespace extends KubeObject {
  status?: { phase?: "Active" | "Terminating" | string };
}

/** Reads one namespace from the cluster; undefined when it doesn't exist. */
export interface NamespaceLookup {
  get(name: string): Promise<Namespace | undefined>;
}

/** The shape of @apiserver-kit/controller's Informer that this plugin reads (cluster-scoped keys are names). */
export interface NamespaceInformer {
  hasSynced(): boolean;
  store: { get(key: string): Namespace | undefined };
}

export interface NamespaceLifecycleOptions {
  /** Live reads, for namespaces the informer has not seen (or all reads without one). */
  lookup: NamespaceLookup;
  informer?: NamespaceInformer;
  /** How long a create waits for the informer to see a namespace made a moment ago. Default 50 ms. */
  missingNamespaceWaitMs?: number;
}

export const NAMESPACE_LIFECYCLE = "NamespaceLifecycle";

function objectName(attributes: AdmissionAttributes): string {
  if (attributes.name) return attributes.name;
  const metadata = attributes.object?.metadata;
  return metadata?.name ?? metadata?.generateName ?? "";
}

function terminating(attributes: AdmissionAttributes): StatusError {
  const gr = { group: attributes.group, resource: attributes.resource };
  const refused = StatusError.forbidden(
    gr,
    objectName(attributes),
    `unable to create new content in namespace ${attributes.namespace} because it is being terminated`,
  );
  return new StatusError(403, "Forbidden", refused.message, {
    ...refused.status.details,
    causes: [
      {
        reason: "NamespaceTerminating",
        message: `namespace ${attributes.namespace} is being terminated`,
        field: "metadata.namespace",
      },
    ],
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function namespaceLifecycle(options: NamespaceLifecycleOptions): AdmissionPlugin {
  const { informer, lookup } = options;
  const wait = options.missingNamespaceWaitMs ?? 50;
  return {
    name: NAMESPACE_LIFECYCLE,
    // Deletes are always allowed: emptying a terminating namespace is how it goes away.
    operations: ["CREATE", "UPDATE"],
    async admit(attributes) {
      const { namespace } = attributes;
      if (!namespace) return;
      let found: Namespace | undefined;
      if (informer) {
        if (!informer.hasSynced()) {
          throw StatusError.forbidden(
            { group: attributes.group, resource: attributes.resource },
            objectName(attributes),
            "not yet ready to handle request",
          );
        }
        found = informer.store.get(namespace);
        if (!found && attributes.operation === "CREATE") {
          await sleep(wait);
          found = informer.store.get(namespace);
        }
      }
      if (!found) {
        try {
          found = await lookup.get(namespace);
        } catch (error) {
          throw StatusError.internal(error);
        }
        if (!found) throw StatusError.notFound({ group: "", resource: "namespaces" }, namespace);
      }
      if (attributes.operation === "CREATE" && found.status?.phase === "Terminating") throw terminating(attributes);
    },
  };
}

/**
 * Namespaces read from the cluster (`GET /api/v1/namespaces/<name>`). A namespace that
 * exists is remembered for `cacheTtlMs` (default 1 s); one that doesn't is asked again
 * each time, so that objects can follow a namespace created a moment ago.
 */
export function clusterNamespaces(
  client: Pick<ClusterClient, "request">,
  options: { cacheTtlMs?: number; now?: () => number } = {},
): NamespaceLookup {
  const ttl = options.cacheTtlMs ?? 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { namespace: Namespace; at: number }>();
  return {
    async get(name) {
      const hit = cache.get(name);
      if (hit && now() - hit.at < ttl) return hit.namespace;
      const { status, body } = await client.request<Namespace & { message?: string }>(
        "GET",
        `/api/v1/namespaces/${encodeURIComponent(name)}`,
      );
      if (status === 404) {
        cache.delete(name);
        return undefined;
      }
      if (status === 403) {
        throw new Error(
          `reading namespace ${name} is forbidden (${body.message ?? "403"}): give the server's service account get, list and watch on namespaces`,
        );
      }
      if (status !== 200) throw new Error(`reading namespace ${name}: ${status} ${body.message ?? ""}`.trim());
      cache.set(name, { namespace: body, at: now() });
      return body;
    },
  };
}
