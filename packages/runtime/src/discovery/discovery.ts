/**
 * API discovery: the legacy documents (/apis, /apis/<g>, /apis/<g>/<v>) and aggregated
 * discovery v2/v2beta1 at /apis, rendered once per change of the resource set
 * (k8s.io/apiserver endpoints/discovery and endpoints/discovery/aggregated); and, for a
 * server that stands in for a cluster, the core group with no resources at /api and /api/v1.
 */
import { StatusError } from "../api/errors.js";
import { acceptsJSON, parseAccept } from "../endpoints/negotiation.js";
import type { ApiModel, ApiResource, ResourceVersion } from "../model/api-model.js";
import type { RequestInfo } from "../request/request-info.js";
import { AcceptCache } from "../server/accept-cache.js";
import {
  type CacheableDocument,
  computeETag,
  conditionalAnswer,
  type PreparedDocument,
  prepareDocument,
} from "../server/conditional.js";
import {
  type HttpRequest,
  type HttpResponse,
  indented,
  type PreparedResponse,
  prepareBody,
  prettyPrintRequested,
  writePrepared,
} from "../server/http.js";

/** What the status and scale handlers answer to. */
export const SUBRESOURCE_VERBS: readonly string[] = ["get", "patch", "update"];

export const AGGREGATED_DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
export const AGGREGATED_DISCOVERY_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

/** Verbs a resource supports (custom storage may narrow them). */
export type VerbsOf = (resource: ApiResource) => readonly string[];

/** metav1.APIResource, as /apis/<g>/<v> lists it. */
export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: readonly string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** apidiscovery APIResourceDiscovery (identical in v2 and v2beta1). */
export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: "Namespaced" | "Cluster";
  singularResource: string;
  verbs: readonly string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: Array<{ subresource: string; responseKind: GroupVersionKind; verbs: readonly string[] }>;
}

const SCALE_KIND: GroupVersionKind = { group: "autoscaling", version: "v1", kind: "Scale" };

/** The legacy entries of one resource: the resource, then its subresources. */
export function apiResources(resource: ApiResource, version: ResourceVersion, verbs: readonly string[]): APIResource[] {
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
  const common = { singularName: "", namespaced: resource.namespaced };
  if (sub?.status)
    out.push({ name: `${resource.plural}/status`, ...common, kind: resource.kind, verbs: SUBRESOURCE_VERBS });
  if (sub?.scale) out.push({ name: `${resource.plural}/scale`, ...common, ...SCALE_KIND, verbs: SUBRESOURCE_VERBS });
  for (const custom of customSubresources(resource, version)) {
    const differs = custom.responseKind.group !== resource.group || custom.responseKind.version !== version.name;
    out.push({
      name: `${resource.plural}/${custom.subresource}`,
      ...common,
      ...(differs ? { group: custom.responseKind.group, version: custom.responseKind.version } : {}),
      kind: custom.responseKind.kind,
      verbs: custom.verbs,
    });
  }
  return out;
}

/**
 * A kind's custom subresources as discovery lists them: verb create for actions, get for reads and
 * streams. A stream answers bytes, not an object: it is listed under its kind, as kube-apiserver
 * lists pods/log under Pod (the kind its storage's New() makes).
 */
export function customSubresources(
  resource: ApiResource,
  version: ResourceVersion,
): Array<{ subresource: string; responseKind: GroupVersionKind; verbs: readonly string[] }> {
  return (resource.definition.customSubresources ?? []).map((custom) => ({
    subresource: custom.name,
    responseKind: (custom.type !== "stream" && custom.responseKind) || {
      group: resource.group,
      version: version.name,
      kind: resource.kind,
    },
    verbs: custom.type === "action" ? ["create"] : ["get"],
  }));
}

/** The aggregated entry of one resource; every resource and subresource has a responseKind. */
export function aggregatedResource(
  resource: ApiResource,
  version: ResourceVersion,
  verbs: readonly string[],
): APIResourceDiscovery {
  const names = resource.definition.names;
  const responseKind = { group: resource.group, version: version.name, kind: resource.kind };
  const subresources: NonNullable<APIResourceDiscovery["subresources"]> = [];
  const sub = version.definition.subresources;
  if (sub?.status) subresources.push({ subresource: "status", responseKind, verbs: SUBRESOURCE_VERBS });
  if (sub?.scale) subresources.push({ subresource: "scale", responseKind: SCALE_KIND, verbs: SUBRESOURCE_VERBS });
  subresources.push(...customSubresources(resource, version));
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

function jsonDocument(value: unknown, contentType = "application/json"): CacheableDocument {
  const body = JSON.stringify(value);
  return { body, etag: computeETag(body), contentType };
}

const groupVersion = (group: string, version: string) => ({ groupVersion: `${group}/${version}`, version });

/** Which form of a discovery root (/api, /apis) an Accept header gets. */
type RootForm = "legacy" | "v2" | "v2beta1";

const aggregatedList = (v: "v2" | "v2beta1", items: unknown[]) => ({
  kind: "APIGroupDiscoveryList",
  apiVersion: `apidiscovery.k8s.io/${v}`,
  metadata: {},
  items,
});

export interface DiscoveryOptions {
  /**
   * Serve the core group (`""`) at version v1 with no resources: /api (APIVersions, or
   * aggregated discovery with that one group) and /api/v1 (an empty APIResourceList). Nothing
   * is served under /api/v1: it says only that the core group is there and has nothing here.
   */
  coreGroup?: boolean;
}

/** The core group's documents of a server with no core resources. */
interface CoreGroup {
  resourceList: CacheableDocument;
  aggregated: Record<"v2" | "v2beta1", CacheableDocument>;
}

/**
 * kube-apiserver's legacy root (/api): the core group's one version, and where clients reach
 * the server: here the address and port the request came in on.
 */
function coreVersions(req: HttpRequest): string {
  const socket = req.socket;
  const host = socket.localAddress ?? "127.0.0.1";
  const address = `${host.includes(":") ? `[${host}]` : host}:${socket.localPort ?? 443}`;
  return JSON.stringify({
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: address }],
  });
}

/** What a discovery request names: /apis[/<g>[/<v>]] or /api[/<v>]. */
export type DiscoveryPath = Pick<RequestInfo, "apiPrefix" | "apiGroup" | "apiVersion">;

const notFound = () => new StatusError(404, "NotFound", "the server could not find the requested resource", {});

/** All discovery documents of one resource set, and their serving. */
export class Discovery {
  readonly groupList: CacheableDocument;
  private readonly groups = new Map<string, CacheableDocument>();
  private readonly resourceLists = new Map<string, CacheableDocument>();
  private readonly aggregated: Record<"v2" | "v2beta1", CacheableDocument>;
  private readonly core: CoreGroup | undefined;

  constructor(model: ApiModel, verbsOf: VerbsOf, options: DiscoveryOptions = {}) {
    const groups = [...model.groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => groupVersion(name, v)),
      preferredVersion: groupVersion(name, versions[0] as string),
    }));
    this.groupList = jsonDocument({ kind: "APIGroupList", apiVersion: "v1", groups });
    for (const group of groups) {
      this.groups.set(group.name, jsonDocument({ kind: "APIGroup", apiVersion: "v1", ...group }));
    }
    for (const gv of model.groupVersions()) {
      const resources = gv.resources.flatMap(({ resource, version }) =>
        apiResources(resource, version, verbsOf(resource)),
      );
      const key = `${gv.group}/${gv.version}`;
      this.resourceLists.set(
        key,
        jsonDocument({ kind: "APIResourceList", apiVersion: "v1", groupVersion: key, resources }),
      );
    }
    // Versions in priority order: the first is the preferred one (as kube-aggregator sorts them).
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
    this.aggregated = {
      v2: jsonDocument(aggregatedList("v2", items), AGGREGATED_DISCOVERY_V2),
      v2beta1: jsonDocument(aggregatedList("v2beta1", items), AGGREGATED_DISCOVERY_V2BETA1),
    };
    if (options.coreGroup) {
      // The core group is named "" (metadata.name left out, as Go's omitempty does) and its
      // version has no resources (omitempty too).
      const core = [{ metadata: { creationTimestamp: null }, versions: [{ version: "v1", freshness: "Current" }] }];
      this.core = {
        resourceList: jsonDocument({ kind: "APIResourceList", groupVersion: "v1", resources: [] }),
        aggregated: {
          v2: jsonDocument(aggregatedList("v2", core), AGGREGATED_DISCOVERY_V2),
          v2beta1: jsonDocument(aggregatedList("v2beta1", core), AGGREGATED_DISCOVERY_V2BETA1),
        },
      };
    }
  }

  /** Whether /api and /api/v1 are served (the core group with no resources). */
  get servesCoreGroup(): boolean {
    return this.core !== undefined;
  }

  group(name: string): CacheableDocument | undefined {
    return this.groups.get(name);
  }

  resourceList(group: string, version: string): CacheableDocument | undefined {
    return this.resourceLists.get(`${group}/${version}`);
  }

  /**
   * What /apis answers for an Accept header: aggregated v2 or v2beta1 when asked for in
   * that order of preference, the legacy APIGroupList for plain JSON, else 406.
   */
  negotiateRoot(accept: string | undefined): CacheableDocument {
    const form = this.negotiateRootForm(accept);
    return form === "legacy" ? this.groupList : this.aggregated[form];
  }

  /** The form of a discovery root (/api or /apis) an Accept header gets; 406 when none fits. */
  private negotiateRootForm(accept: string | undefined): RootForm {
    const form = this.rootFormByAccept.get(accept);
    if (!form) {
      throw StatusError.notAcceptable(["application/json", AGGREGATED_DISCOVERY_V2, AGGREGATED_DISCOVERY_V2BETA1]);
    }
    return form;
  }

  private readonly rootFormByAccept = new AcceptCache((accept) => this.chooseRootForm(accept));
  private readonly acceptsJSON = new AcceptCache(acceptsJSON);

  private chooseRootForm(accept: string | undefined): RootForm | null {
    for (const range of parseAccept(accept)) {
      if (range.q <= 0) continue;
      const json =
        (range.type === "application" && (range.subtype === "json" || range.subtype === "*")) ||
        (range.type === "*" && range.subtype === "*");
      if (!json) continue;
      const as = range.params.as;
      if (!as) return "legacy";
      if (as !== "APIGroupDiscoveryList" || range.params.g !== "apidiscovery.k8s.io") continue;
      if (range.params.v === "v2") return "v2";
      if (range.params.v === "v2beta1") return "v2beta1";
    }
    return null;
  }

  /** Serves GET /apis, /apis/<g> and /apis/<g>/<v> (and /api, /api/v1 when the core group is served). */
  serve(req: HttpRequest, res: HttpResponse, info: DiscoveryPath): void {
    writePrepared(res, this.answer(req, info));
  }

  /** Whether a discovery path names a document this server has (the rest answer 404). */
  has(info: DiscoveryPath): boolean {
    if (info.apiPrefix === "api") return this.core !== undefined && (!info.apiVersion || info.apiVersion === "v1");
    if (!info.apiGroup) return true;
    return (
      (info.apiVersion ? this.resourceList(info.apiGroup, info.apiVersion) : this.group(info.apiGroup)) !== undefined
    );
  }

  /**
   * The answer to GET /apis, /apis/<g> or /apis/<g>/<v>, prepared once per document:
   * aggregated discovery with a quoted ETag, `Vary: Accept`, public caching and 304 on a
   * match; the legacy documents as plain JSON. /api and /api/v1 alike, when served.
   */
  answer(req: HttpRequest, info: DiscoveryPath): PreparedResponse {
    const prepared = info.apiPrefix === "api" ? this.coreAnswer(req, info) : this.preparedAnswer(req, info);
    // Indented for ?pretty=true and curl, as apiserver's negotiated writer does for discovery.
    return prepared.body && prettyPrintRequested(req) ? indented(prepared) : prepared;
  }

  /** /api: APIVersions or aggregated discovery of the core group; /api/v1: its empty APIResourceList. */
  private coreAnswer(req: HttpRequest, info: DiscoveryPath): PreparedResponse {
    if (!this.core || (info.apiVersion && info.apiVersion !== "v1")) throw notFound();
    const accept = req.headers.accept;
    if (!info.apiVersion) {
      const form = this.negotiateRootForm(accept);
      // APIVersions names the address of this connection: built for each request, as kube-apiserver does.
      if (form === "legacy") return prepareBody(200, "application/json", coreVersions(req), { Vary: "Accept" });
      return conditionalAnswer(req, this.preparedDocument(this.core.aggregated[form]));
    }
    if (!this.acceptsJSON.get(accept)) throw StatusError.notAcceptable(["application/json"]);
    const document = this.core.resourceList;
    return this.prepared(document, () => prepareBody(200, document.contentType, document.body));
  }

  private preparedAnswer(req: HttpRequest, info: DiscoveryPath): PreparedResponse {
    const accept = req.headers.accept;
    if (!info.apiGroup) {
      const document = this.negotiateRoot(accept);
      if (document === this.groupList)
        return this.prepared(document, () => prepareBody(200, document.contentType, document.body, { Vary: "Accept" }));
      return conditionalAnswer(req, this.preparedDocument(document));
    }
    if (!this.acceptsJSON.get(accept)) throw StatusError.notAcceptable(["application/json"]);
    const document = info.apiVersion ? this.resourceList(info.apiGroup, info.apiVersion) : this.group(info.apiGroup);
    if (!document) throw notFound();
    return this.prepared(document, () => prepareBody(200, document.contentType, document.body));
  }

  private readonly preparedResponses = new Map<CacheableDocument, PreparedResponse>();
  private readonly preparedDocuments = new Map<CacheableDocument, PreparedDocument>();

  private prepared(document: CacheableDocument, prepare: () => PreparedResponse): PreparedResponse {
    let prepared = this.preparedResponses.get(document);
    if (!prepared) {
      prepared = prepare();
      this.preparedResponses.set(document, prepared);
    }
    return prepared;
  }

  private preparedDocument(document: CacheableDocument): PreparedDocument {
    let prepared = this.preparedDocuments.get(document);
    if (!prepared) {
      prepared = prepareDocument(document, "public");
      this.preparedDocuments.set(document, prepared);
    }
    return prepared;
  }
}
