/**
 * API discovery: the legacy documents (/apis, /apis/<g>, /apis/<g>/<v>) and aggregated
 * discovery v2/v2beta1 at /apis, built once from the API model (k8s endpoints/discovery).
 */
import { createHash } from "node:crypto";
import { StatusError } from "../api/errors.js";
import { parseAccept } from "../endpoints/negotiation.js";
import type { ApiModel, ApiResource, ResourceVersion } from "../model/api-model.js";

export interface ResourceVerbs {
  /** Verbs the main resource supports. */
  main: string[];
}

/** Verbs for a stored resource; custom storage narrows them (see resourceVerbs hook). */
export const STORED_RESOURCE_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];
const SUBRESOURCE_VERBS = ["get", "patch", "update"];

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

function groupVersion(group: string, version: string) {
  return { groupVersion: `${group}/${version}`, version };
}

export function apiResources(resource: ApiResource, version: ResourceVersion, verbs: string[]): APIResource[] {
  const names = resource.definition.names;
  const out: APIResource[] = [
    {
      name: resource.plural,
      singularName: resource.singular,
      namespaced: resource.namespaced,
      kind: resource.kind,
      verbs,
      ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
      ...(names.categories?.length ? { categories: names.categories } : {}),
      storageVersionHash: resource.storageVersionHash,
    },
  ];
  const sub = version.definition.subresources;
  if (sub?.status) {
    out.push({
      name: `${resource.plural}/status`,
      singularName: "",
      namespaced: resource.namespaced,
      kind: resource.kind,
      verbs: SUBRESOURCE_VERBS,
    });
  }
  if (sub?.scale) {
    out.push({
      name: `${resource.plural}/scale`,
      singularName: "",
      namespaced: resource.namespaced,
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
      verbs: SUBRESOURCE_VERBS,
    });
  }
  return out;
}

interface Document {
  body: string;
  etag: string;
}

function document(value: unknown): Document {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"` };
}

export const AGGREGATED_DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
export const AGGREGATED_DISCOVERY_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

/** All discovery documents, rendered once per change of the resource set. */
export class Discovery {
  readonly groupList: Document;
  private readonly groups = new Map<string, Document>();
  private readonly resourceLists = new Map<string, Document>();
  private readonly aggregated = new Map<"v2" | "v2beta1", Document>();

  constructor(model: ApiModel, verbsOf: (resource: ApiResource) => string[]) {
    const groups = [...model.groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => groupVersion(name, v)),
      preferredVersion: groupVersion(name, versions[0] as string),
    }));
    this.groupList = document({ kind: "APIGroupList", apiVersion: "v1", groups });
    for (const group of groups) this.groups.set(group.name, document({ kind: "APIGroup", apiVersion: "v1", ...group }));
    for (const gv of model.groupVersions()) {
      const resources = gv.resources.flatMap(({ resource, version }) =>
        apiResources(resource, version, verbsOf(resource)),
      );
      this.resourceLists.set(
        `${gv.group}/${gv.version}`,
        document({ kind: "APIResourceList", apiVersion: "v1", groupVersion: `${gv.group}/${gv.version}`, resources }),
      );
    }
    for (const v of ["v2", "v2beta1"] as const) {
      const items = [...model.groups].map(([name, versions]) => ({
        metadata: { name, creationTimestamp: null },
        versions: versions.map((version) => ({
          version,
          resources: (model.groupVersion(name, version)?.resources ?? []).map(({ resource, version: rv }) =>
            aggregatedResource(resource, rv, verbsOf(resource)),
          ),
          freshness: "Current",
        })),
      }));
      this.aggregated.set(
        v,
        document({ kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items }),
      );
    }
  }

  group(name: string): Document | undefined {
    return this.groups.get(name);
  }

  resourceList(group: string, version: string): Document | undefined {
    return this.resourceLists.get(`${group}/${version}`);
  }

  /**
   * What /apis answers for an Accept header: aggregated v2/v2beta1 when asked for, the
   * legacy APIGroupList for plain JSON, else 406.
   */
  negotiateRoot(accept: string | undefined): { document: Document; contentType: string } {
    for (const range of parseAccept(accept)) {
      if (range.q <= 0) continue;
      const isJSON =
        (range.type === "application" && (range.subtype === "json" || range.subtype === "*")) ||
        (range.type === "*" && range.subtype === "*");
      if (!isJSON) continue;
      const as = range.params.as;
      if (!as) return { document: this.groupList, contentType: "application/json" };
      if (as === "APIGroupDiscoveryList" && range.params.g === "apidiscovery.k8s.io") {
        if (range.params.v === "v2")
          return { document: this.aggregated.get("v2") as Document, contentType: AGGREGATED_DISCOVERY_V2 };
        if (range.params.v === "v2beta1") {
          return { document: this.aggregated.get("v2beta1") as Document, contentType: AGGREGATED_DISCOVERY_V2BETA1 };
        }
      }
    }
    throw StatusError.notAcceptable(["application/json", AGGREGATED_DISCOVERY_V2, AGGREGATED_DISCOVERY_V2BETA1]);
  }
}

function aggregatedResource(resource: ApiResource, version: ResourceVersion, verbs: string[]) {
  const names = resource.definition.names;
  const responseKind = { group: resource.group, version: version.name, kind: resource.kind };
  const subresources: unknown[] = [];
  const sub = version.definition.subresources;
  if (sub?.status) subresources.push({ subresource: "status", responseKind, verbs: SUBRESOURCE_VERBS });
  if (sub?.scale) {
    subresources.push({
      subresource: "scale",
      responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
      verbs: SUBRESOURCE_VERBS,
    });
  }
  return {
    resource: resource.plural,
    responseKind,
    scope: resource.namespaced ? "Namespaced" : "Cluster",
    singularResource: resource.singular,
    verbs,
    ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
    ...(names.categories?.length ? { categories: names.categories } : {}),
    ...(subresources.length ? { subresources } : {}),
  };
}
