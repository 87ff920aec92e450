/**
 * A stand-in for kube-apiserver with its aggregator, on a loopback port, for tests of an
 * extension server behind it. It authenticates clients (client certificates of its CA,
 * bearer tokens it knows), serves the wire formats an extension server reads from a
 * cluster — Namespaces, ConfigMaps (with kube-system/extension-apiserver-authentication as
 * kube-apiserver publishes it), APIServices, TokenReview, SubjectAccessReview — and
 * aggregates APIServices as kube-aggregator does (see aggregator.ts). What it does not do is
 * listed in docs/reference/test-aggregator.md.
 */
import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { StatusError } from "../../api/errors.js";
import type { KubeObject, UserInfo } from "../../api/meta.js";
import type { SubjectAccessReview, SubjectAccessReviewSpec } from "../../auth/subject-access-review.js";
import type { TokenReview } from "../../auth/token-review.js";
import {
  AUTHENTICATED_GROUP,
  type AuthorizationAttributes,
  anonymousUser,
  forbidden,
  MASTERS_GROUP,
} from "../../auth/types.js";
import { subjectOf, verifyPeer } from "../../auth/x509-authenticator.js";
import type { CertKeyPair } from "../../certs/x509.js";
import { humanDuration } from "../../endpoints/table.js";
import { kubeconfigYAML } from "../../local/local-mode.js";
import { encodeDocument } from "../../openapi/gnostic.js";
import { OPENAPI_V2_PROTOBUF, openAPIV2Format } from "../../openapi/service.js";
import { parseRequestInfo, type RequestInfo } from "../../request/request-info.js";
import { writeError, writeJSON } from "../../server/http.js";
import { Aggregator, type APIService, type APIServiceSpec, type TestService } from "./aggregator.js";
import {
  APISERVICES,
  CLUSTER_KINDS,
  type ClusterKind,
  ClusterObjects,
  CONFIGMAPS,
  NAMESPACES,
  selectorFilter,
} from "./cluster-objects.js";
import { clusterOpenAPIV3 } from "./cluster-openapi.js";
import { type ClusterPki, createClusterPki, FRONT_PROXY_CLIENT, userCertificate } from "./pki.js";

/** What the cluster's SubjectAccessReview endpoint answers. */
export interface AccessDecision {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
}

/** A grant on the cluster's own APIs (the RBAC bindings a deployment creates). */
export interface ClusterGrant {
  user?: string;
  group?: string;
  verbs: string[];
  /** Plural, `*` for all. */
  resource: string;
  namespace?: string;
  name?: string;
}

export interface TestClusterOptions {
  /** Bearer tokens the cluster knows (for kubectl and for TokenReview). */
  tokens?: Record<string, { name: string; groups?: string[]; uid?: string }>;
  /** The cluster's authorizer, asked by SubjectAccessReviews (from extension servers). Default: allow. */
  authorize?: (spec: SubjectAccessReviewSpec) => AccessDecision;
  /** Namespaces besides default, kube-system and kube-public; a phase of Terminating marks one being deleted. */
  namespaces?: Array<{ name: string; phase?: "Active" | "Terminating" }>;
  /** The availability controller's re-check period; 0 turns the periodic check off. Default 30 s. */
  availabilityIntervalMs?: number;
}

export interface RecordedTokenReview {
  /** sha256 of the token: the test can match it without the log holding tokens. */
  tokenHash: string;
  authenticated: boolean;
  /** Who asked. */
  requester: string;
}

export interface RecordedAccessReview {
  spec: SubjectAccessReviewSpec;
  decision: AccessDecision;
  requester: string;
}

const LOCAL_GROUPS: Record<string, Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }>> = {
  "apiregistration.k8s.io": [
    {
      name: "apiservices",
      kind: "APIService",
      namespaced: false,
      verbs: ["create", "delete", "get", "list", "update", "watch"],
    },
    { name: "apiservices/status", kind: "APIService", namespaced: false, verbs: ["get", "update"] },
  ],
  "authentication.k8s.io": [{ name: "tokenreviews", kind: "TokenReview", namespaced: false, verbs: ["create"] }],
  "authorization.k8s.io": [
    { name: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false, verbs: ["create"] },
  ],
};

const CORE_RESOURCES = [
  {
    name: "configmaps",
    singularName: "configmap",
    namespaced: true,
    kind: "ConfigMap",
    verbs: ["create", "delete", "get", "list", "update", "watch"],
    shortNames: ["cm"],
  },
  {
    name: "namespaces",
    singularName: "namespace",
    namespaced: false,
    kind: "Namespace",
    verbs: ["create", "delete", "get", "list", "update", "watch"],
    shortNames: ["ns"],
  },
  { name: "namespaces/status", singularName: "", namespaced: false, kind: "Namespace", verbs: ["get", "update"] },
];

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function readJSON(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {});
      } catch {
        reject(StatusError.badRequest("the request body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

export class TestCluster {
  readonly pki: ClusterPki;
  readonly objects = new ClusterObjects();
  readonly aggregator: Aggregator;
  readonly tokenReviews: RecordedTokenReview[] = [];
  readonly accessReviews: RecordedAccessReview[] = [];
  readonly grants: ClusterGrant[] = [];
  /** The aggregator's own decision on proxied requests: default any authenticated user. */
  authorizeProxy: (user: UserInfo, info: RequestInfo) => boolean = (user) => user.groups.includes(AUTHENTICATED_GROUP);
  authorize: (spec: SubjectAccessReviewSpec) => AccessDecision;
  url = "";
  port = 0;
  private readonly tokens: Map<string, UserInfo>;
  private readonly tls;
  private readonly http;
  private availabilityTimer?: NodeJS.Timeout;

  private constructor(options: TestClusterOptions) {
    this.pki = createClusterPki();
    this.aggregator = new Aggregator(this.objects, this.pki.frontProxyClient);
    this.authorize = options.authorize ?? (() => ({ allowed: true, reason: "allowed by the test cluster" }));
    this.tokens = new Map(
      Object.entries(options.tokens ?? {}).map(([token, u]) => [
        token,
        {
          name: u.name,
          groups: [...(u.groups ?? []), AUTHENTICATED_GROUP],
          ...(u.uid ? { uid: u.uid } : {}),
        },
      ]),
    );
    this.http = createHttpServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => writeError(res, error));
    });
    this.http.emit("listening");
    this.tls = createTlsServer(
      {
        cert: this.pki.apiserver.cert,
        key: this.pki.apiserver.key,
        ca: this.pki.clusterCA.cert,
        requestCert: true,
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"],
      },
      (socket) => this.http.emit("connection", socket),
    );
    for (const ns of ["default", "kube-system", "kube-public", ...(options.namespaces ?? []).map((n) => n.name)]) {
      const phase = options.namespaces?.find((n) => n.name === ns)?.phase ?? "Active";
      this.objects.create(NAMESPACES, "", { metadata: { name: ns }, status: { phase } } as KubeObject);
    }
    this.publishAuthenticationConfigMap();
  }

  static async start(options: TestClusterOptions = {}): Promise<TestCluster> {
    const cluster = new TestCluster(options);
    await new Promise<void>((resolve) => cluster.tls.listen(0, "127.0.0.1", resolve));
    cluster.port = (cluster.tls.address() as AddressInfo).port;
    cluster.url = `https://127.0.0.1:${cluster.port}`;
    const interval = options.availabilityIntervalMs ?? 30_000;
    if (interval > 0) {
      cluster.availabilityTimer = setInterval(() => void cluster.checkAllAvailability(), interval);
      cluster.availabilityTimer.unref();
    }
    return cluster;
  }

  /**
   * kube-apiserver's kube-system/extension-apiserver-authentication: its client CA and the
   * front-proxy settings, list values as JSON arrays.
   */
  publishAuthenticationConfigMap(
    overrides: Partial<
      Record<"client-ca-file" | "requestheader-client-ca-file" | "requestheader-allowed-names", string>
    > = {},
  ): void {
    const data = {
      "client-ca-file": this.pki.clusterCA.cert,
      "requestheader-client-ca-file": this.pki.frontProxyCA.cert,
      "requestheader-allowed-names": JSON.stringify([FRONT_PROXY_CLIENT]),
      "requestheader-username-headers": JSON.stringify(["X-Remote-User"]),
      "requestheader-group-headers": JSON.stringify(["X-Remote-Group"]),
      "requestheader-extra-headers-prefix": JSON.stringify(["X-Remote-Extra-"]),
      ...overrides,
    };
    const existing = this.objects.get(CONFIGMAPS, "kube-system", "extension-apiserver-authentication");
    const object = { metadata: { name: "extension-apiserver-authentication", namespace: "kube-system" }, data };
    if (existing) this.objects.update(CONFIGMAPS, "kube-system", "extension-apiserver-authentication", object);
    else this.objects.create(CONFIGMAPS, "kube-system", object);
  }

  /** A user's client certificate from the cluster CA. */
  userCertificate(name: string, groups: string[] = []): CertKeyPair {
    return userCertificate(this.pki, name, groups);
  }

  /** Writes a kubeconfig for this cluster with a token or a client certificate; returns its path. */
  writeKubeconfig(path: string, credentials: { token: string } | { certificate: CertKeyPair }): string {
    mkdirSync(dirname(path), { recursive: true });
    if ("certificate" in credentials) {
      writeFileSync(
        path,
        kubeconfigYAML({
          server: this.url,
          caPem: this.pki.clusterCA.cert,
          client: credentials.certificate,
          name: "test-cluster",
        }),
        { mode: 0o600 },
      );
      return path;
    }
    const b64 = Buffer.from(this.pki.clusterCA.cert).toString("base64");
    writeFileSync(
      path,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test-cluster",
        `  cluster: {server: "${this.url}", certificate-authority-data: ${b64}}`,
        "users:",
        "- name: user",
        `  user: {token: "${credentials.token}"}`,
        "contexts:",
        "- name: test-cluster",
        "  context: {cluster: test-cluster, user: user, namespace: default}",
        "current-context: test-cluster",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    return path;
  }

  /**
   * An extension server's identity in this cluster (its service account, by a client
   * certificate) with the bindings a deployment gives it: system:auth-delegator,
   * extension-apiserver-authentication-reader, and reading namespaces.
   */
  writeServerKubeconfig(path: string, serviceAccount = { namespace: "wardle", name: "apiserver" }): string {
    const user = `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`;
    const certificate = this.userCertificate(user, [
      "system:serviceaccounts",
      `system:serviceaccounts:${serviceAccount.namespace}`,
    ]);
    this.grants.push(
      { user, verbs: ["create"], resource: "tokenreviews" },
      { user, verbs: ["create"], resource: "subjectaccessreviews" },
      {
        user,
        verbs: ["get", "list", "watch"],
        resource: "configmaps",
        namespace: "kube-system",
        name: "extension-apiserver-authentication",
      },
      { user, verbs: ["get", "list", "watch"], resource: "namespaces" },
    );
    return this.writeKubeconfig(path, { certificate });
  }

  setNamespacePhase(name: string, phase: "Active" | "Terminating"): void {
    const existing = this.objects.get(NAMESPACES, "", name);
    if (!existing) this.objects.create(NAMESPACES, "", { metadata: { name }, status: { phase } } as KubeObject);
    else this.objects.update(NAMESPACES, "", name, { ...existing, status: { phase } } as KubeObject, "status");
  }

  /** A Service whose port 443 (or `port`) is the extension server listening on 127.0.0.1:`target`. */
  registerService(namespace: string, name: string, target: number, port = 443): void {
    const service: TestService = { namespace, name, ports: { [port]: target } };
    this.aggregator.registerService(service);
  }

  /** Creates an APIService `<version>.<group>` and runs its first availability check. */
  async createAPIService(spec: APIServiceSpec): Promise<APIService> {
    const name = `${spec.version}.${spec.group}`;
    this.objects.create(APISERVICES, "", {
      metadata: { name },
      spec: { groupPriorityMinimum: 1000, versionPriority: 15, ...spec },
    } as KubeObject);
    await this.aggregator.checkAvailability(name);
    return this.apiService(name);
  }

  apiService(name: string): APIService {
    return this.objects.mustGet(APISERVICES, "", name) as APIService;
  }

  /** Runs the availability check of every APIService now. */
  async checkAllAvailability(): Promise<void> {
    for (const apiService of this.aggregator.apiServices()) {
      await this.aggregator.checkAvailability(apiService.metadata?.name ?? "").catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.availabilityTimer) clearInterval(this.availabilityTimer);
    this.aggregator.close();
    const closed = new Promise<void>((resolve) => this.tls.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  // --- serving -----------------------------------------------------------------------------

  private authenticate(req: IncomingMessage): UserInfo | "refused" {
    const header = req.headers.authorization;
    if (typeof header === "string" && /^bearer /i.test(header)) {
      return this.tokens.get(header.slice(7).trim()) ?? "refused";
    }
    const peer = verifyPeer(req, [new X509Certificate(this.pki.clusterCA.cert)]);
    if (peer.kind === "refused") return "refused";
    if (peer.kind === "verified") {
      const { commonName, organizations } = subjectOf(peer.leaf);
      return { name: commonName, groups: [...organizations, AUTHENTICATED_GROUP] };
    }
    return anonymousUser();
  }

  private granted(user: UserInfo, info: RequestInfo): boolean {
    if (user.groups.includes(MASTERS_GROUP)) return true;
    return this.grants.some(
      (g) =>
        (g.user === undefined || g.user === user.name) &&
        (g.group === undefined || user.groups.includes(g.group)) &&
        (g.user !== undefined || g.group !== undefined) &&
        (g.verbs.includes(info.verb) || g.verbs.includes("*")) &&
        (g.resource === "*" || g.resource === info.resource) &&
        (g.namespace === undefined || g.namespace === info.namespace) &&
        (g.name === undefined || g.name === info.name),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://cluster");
    const info = parseRequestInfo(req.method ?? "GET", url.pathname, url.searchParams);
    const path = url.pathname;
    if (["/healthz", "/livez", "/readyz"].includes(path)) {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }
    const user = this.authenticate(req);
    if (user === "refused") throw StatusError.unauthorized();
    const attributes: AuthorizationAttributes = { ...info, user };
    if (user.name === "system:anonymous" && path !== "/version") throw forbidden(attributes);
    const segments = path.split("/").filter(Boolean);
    const [root, group, version] = segments;
    if (path === "/version") {
      return writeJSON(res, 200, {
        major: "1",
        minor: "33",
        gitVersion: "v1.33.0-test-cluster",
        gitCommit: "",
        gitTreeState: "clean",
        buildDate: "",
        goVersion: "",
        compiler: "gc",
        platform: "linux/amd64",
      });
    }
    if (root === "openapi") return this.serveOpenAPI(req, res, segments.slice(1), url.searchParams);
    if (root === "api") {
      if (segments.length === 1) {
        return writeJSON(res, 200, {
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `127.0.0.1:${this.port}` }],
        });
      }
      if (segments.length === 2 && group === "v1") {
        return writeJSON(res, 200, { kind: "APIResourceList", groupVersion: "v1", resources: CORE_RESOURCES });
      }
      return this.serveObjects(req, res, info, user);
    }
    if (root !== "apis") throw new StatusError(404, "NotFound", "the server could not find the requested resource");
    if (!group) return writeJSON(res, 200, this.groupList());
    const local = LOCAL_GROUPS[group];
    if (local) {
      if (!version)
        return writeJSON(
          res,
          200,
          this.groupList().groups.find((g) => g.name === group),
        );
      if (version !== "v1") throw new StatusError(404, "NotFound", "the server could not find the requested resource");
      if (segments.length === 3) {
        return writeJSON(res, 200, {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: `${group}/v1`,
          resources: local,
        });
      }
      if (group === "authentication.k8s.io" && info.resource === "tokenreviews")
        return this.tokenReview(req, res, info, user);
      if (group === "authorization.k8s.io" && info.resource === "subjectaccessreviews") {
        return this.accessReview(req, res, info, user);
      }
      return this.serveObjects(req, res, info, user);
    }
    // An aggregated group: /apis/<g> from the APIServices, /apis/<g>/<v>/... proxied.
    if (!version) {
      const listed = this.groupList().groups.find((g) => g.name === group);
      if (!listed) throw new StatusError(404, "NotFound", "the server could not find the requested resource");
      return writeJSON(res, 200, { kind: "APIGroup", apiVersion: "v1", ...listed });
    }
    const apiService = this.aggregator.forGroupVersion(group, version);
    if (!apiService) throw new StatusError(404, "NotFound", "the server could not find the requested resource");
    if (!this.authorizeProxy(user, info)) throw forbidden(attributes);
    this.aggregator.proxy(req, res, apiService, user);
  }

  private groupList() {
    const groups = new Map<string, Array<{ groupVersion: string; version: string }>>();
    for (const name of Object.keys(LOCAL_GROUPS)) groups.set(name, [{ groupVersion: `${name}/v1`, version: "v1" }]);
    const services = this.aggregator
      .apiServices()
      .sort((a, b) => (b.spec.versionPriority ?? 0) - (a.spec.versionPriority ?? 0));
    for (const a of services) {
      const versions = groups.get(a.spec.group) ?? [];
      versions.push({ groupVersion: `${a.spec.group}/${a.spec.version}`, version: a.spec.version });
      groups.set(a.spec.group, versions);
    }
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [...groups.entries()].map(([name, versions]) => ({
        name,
        versions,
        preferredVersion: versions[0],
      })),
    };
  }

  private async tokenReview(req: IncomingMessage, res: ServerResponse, info: RequestInfo, user: UserInfo) {
    if (info.verb !== "create")
      throw StatusError.methodNotAllowed(info.verb, { group: info.apiGroup, resource: info.resource });
    if (!this.granted(user, info)) throw forbidden({ ...info, user });
    const review = (await readJSON(req)) as unknown as TokenReview;
    const token = review.spec?.token ?? "";
    const found = this.tokens.get(token);
    this.tokenReviews.push({ tokenHash: sha256(token), authenticated: Boolean(found), requester: user.name });
    writeJSON(res, 201, {
      kind: "TokenReview",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec: review.spec,
      status: found
        ? {
            authenticated: true,
            user: { username: found.name, ...(found.uid ? { uid: found.uid } : {}), groups: found.groups },
            audiences: review.spec?.audiences ?? ["https://kubernetes.default.svc.cluster.local"],
          }
        : { user: {} },
    });
  }

  private async accessReview(req: IncomingMessage, res: ServerResponse, info: RequestInfo, user: UserInfo) {
    if (info.verb !== "create")
      throw StatusError.methodNotAllowed(info.verb, { group: info.apiGroup, resource: info.resource });
    if (!this.granted(user, info)) throw forbidden({ ...info, user });
    const review = (await readJSON(req)) as unknown as SubjectAccessReview;
    const decision = this.authorize(review.spec);
    this.accessReviews.push({ spec: review.spec, decision, requester: user.name });
    writeJSON(res, 201, {
      kind: "SubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec: review.spec,
      status: {
        allowed: decision.allowed,
        ...(decision.denied ? { denied: true } : {}),
        ...(decision.reason ? { reason: decision.reason } : {}),
      },
    });
  }

  private async serveObjects(req: IncomingMessage, res: ServerResponse, info: RequestInfo, user: UserInfo) {
    const kind = CLUSTER_KINDS.find((k) => k.resource === info.resource && k.group === info.apiGroup);
    if (!kind || !info.isResourceRequest) {
      throw new StatusError(404, "NotFound", "the server could not find the requested resource");
    }
    if (!this.granted(user, info)) throw forbidden({ ...info, user });
    const ns = kind.namespaced ? info.namespace : "";
    // kubectl asks for a Table; kube-apiserver prints APIServices with columns of their own.
    const table = kind.resource === "apiservices" && /;\s*as=Table/.test(req.headers.accept ?? "");
    switch (info.verb) {
      case "get": {
        const object = this.objects.mustGet(kind, ns, info.name);
        return writeJSON(res, 200, table ? apiServiceTable([object], object.metadata?.resourceVersion ?? "") : object);
      }
      case "list": {
        const query = new URL(req.url ?? "/", "https://cluster").searchParams;
        const list = this.objects.listObject(kind, ns, selectorFilter(kind, query)) as {
          items: KubeObject[];
          metadata: { resourceVersion: string };
        };
        return writeJSON(res, 200, table ? apiServiceTable(list.items, list.metadata.resourceVersion) : list);
      }
      case "watch":
        return this.watch(req, res, kind, ns);
      case "create": {
        const body = (await readJSON(req)) as KubeObject;
        return writeJSON(res, 201, this.objects.create(kind, ns, body));
      }
      case "update": {
        const body = (await readJSON(req)) as KubeObject;
        return writeJSON(res, 200, this.objects.update(kind, ns, info.name, body, info.subresource));
      }
      case "delete":
        return writeJSON(res, 200, this.objects.delete(kind, ns, info.name));
      default:
        throw StatusError.methodNotAllowed(info.verb, { group: kind.group, resource: kind.resource });
    }
  }

  private watch(req: IncomingMessage, res: ServerResponse, kind: ClusterKind, namespace: string): void {
    const url = new URL(req.url ?? "/", "https://cluster");
    const from = Number(url.searchParams.get("resourceVersion") ?? "0") || 0;
    const filter = selectorFilter(kind, url.searchParams);
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    const stop = this.objects.watch(
      kind,
      namespace,
      from,
      (type, object) => {
        res.write(`${JSON.stringify({ type, object })}\n`);
      },
      filter,
    );
    const timeout = Number(url.searchParams.get("timeoutSeconds") ?? "0");
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on("close", () => {
      stop();
      if (timer) clearTimeout(timer);
    });
  }

  private serveOpenAPI(req: IncomingMessage, res: ServerResponse, rest: string[], query: URLSearchParams): void {
    if (rest.length === 1 && rest[0] === "v2") {
      // kube-aggregator's /openapi/v2 is kube-openapi's handler: JSON or gnostic protobuf by
      // Accept (kubectl apply up to 1.28 asks for protobuf only), 406 for anything else.
      const format = openAPIV2Format(req.headers.accept);
      if (!format) throw StatusError.notAcceptable(["application/json", OPENAPI_V2_PROTOBUF]);
      if (format === "protobuf") {
        const body = encodeDocument(this.aggregator.mergedOpenAPIV2());
        res.writeHead(200, { "Content-Type": OPENAPI_V2_PROTOBUF, "Content-Length": body.length });
        res.end(body);
        return;
      }
    }
    const answer = this.openAPIDocument(rest, query);
    writeJSON(res, 200, answer.body, answer.headers);
  }

  private openAPIDocument(
    rest: string[],
    query: URLSearchParams,
  ): { body: Record<string, unknown>; headers?: Record<string, string> } {
    const [version, ...path] = rest;
    if (version === "v2" && path.length === 0) return { body: this.aggregator.mergedOpenAPIV2() };
    if (version === "v3") {
      const documents = { ...clusterOpenAPIV3(CLUSTER_KINDS), ...this.aggregator.openAPIV3() };
      if (path.length === 0) {
        const paths: Record<string, { serverRelativeURL: string }> = {};
        for (const [p, { hash }] of Object.entries(documents))
          paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
        return { body: { paths } };
      }
      const found = documents[path.join("/")];
      if (found) {
        const headers: Record<string, string> = { ETag: `"${found.hash}"` };
        if (query.get("hash") === found.hash) headers["Cache-Control"] = "public, immutable";
        return { body: found.document, headers };
      }
    }
    throw new StatusError(404, "NotFound", "the server could not find the requested resource");
  }
}

/**
 * APIServices as kube-apiserver's printer shows them (Name, Service, Available, Age): the service
 * as namespace/name or Local, Available as the condition's status with its reason when not True.
 */
function apiServiceTable(items: KubeObject[], resourceVersion: string): Record<string, unknown> {
  const now = Date.now();
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", description: "", priority: 0 },
      { name: "Service", type: "string", format: "", description: "", priority: 0 },
      { name: "Available", type: "string", format: "", description: "", priority: 0 },
      { name: "Age", type: "string", format: "", description: "", priority: 0 },
    ],
    rows: items.map((object) => {
      const spec = (object.spec ?? {}) as { service?: { namespace?: string; name?: string } };
      const conditions = (
        (object.status ?? {}) as { conditions?: Array<{ type: string; status: string; reason?: string }> }
      ).conditions;
      const condition = conditions?.find((c) => c.type === "Available");
      const available = !condition
        ? "Unknown"
        : condition.status === "True"
          ? "True"
          : `${condition.status} (${condition.reason ?? ""})`;
      const created = Date.parse(object.metadata?.creationTimestamp ?? "");
      return {
        cells: [
          object.metadata?.name ?? "",
          spec.service ? `${spec.service.namespace}/${spec.service.name}` : "Local",
          available,
          Number.isNaN(created) ? "<unknown>" : humanDuration((now - created) / 1000),
        ],
        object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata },
      };
    }),
  };
}
