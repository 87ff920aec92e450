/**
 * Who may do what, from the flags: in cluster mode, authentication, authorization and
 * admission are delegated to the cluster (front-proxy and client certificates with the
 * ConfigMap's CAs, TokenReview, SubjectAccessReview, NamespaceLifecycle); in local mode,
 * the local CA's client certificates and system:masters (plus a policy file, if given).
 * Client CAs and front-proxy settings from files work in both.
 */
import type { Clock } from "@apiserver-kit/storage";
import type { AdmissionPlugin } from "../admission/admission.js";
import {
  clusterNamespaces,
  NAMESPACE_LIFECYCLE,
  type NamespaceInformer,
  namespaceLifecycle,
} from "../admission/namespace-lifecycle.js";
import { Auditor } from "../audit/auditor.js";
import { AuditLogFile, AuditStream } from "../audit/log-backend.js";
import { loadAuditPolicy } from "../audit/policy.js";
import {
  ClusterClient,
  type ClusterConnection,
  connectionFromKubeconfig,
  inClusterConnection,
} from "../auth/cluster-client.js";
import { DelegatedAuthentication } from "../auth/delegated-authentication.js";
import { PolicyAuthorizer } from "../auth/policy-file.js";
import { SubjectAccessReviewAuthorizer } from "../auth/subject-access-review.js";
import { type Authenticator, type Authorizer, mastersAuthorizer, unionAuthorizer } from "../auth/types.js";
import { ClientCertificateAuthenticator } from "../auth/x509-authenticator.js";
import type { LocalPki } from "../local/local-mode.js";
import type { ServerOptions } from "./server-options.js";

/** What an in-cluster namespace informer is built from (a generated project passes the controller package's). */
export interface NamespaceInformerContext {
  /** The core API's kubeconfig, or undefined for the pod's service account. */
  kubeconfig?: string;
  signal: AbortSignal;
}

export interface DelegationInputs {
  options: ServerOptions;
  pki: LocalPki;
  log: (line: string) => void;
  /** How often CA files and the authentication ConfigMap are re-read. */
  reloadIntervalMs?: number;
  clock?: Clock;
  /** Builds a namespace informer for NamespaceLifecycle; without it, namespaces are read live (briefly cached). */
  namespaceInformer?: (context: NamespaceInformerContext) => NamespaceInformer;
  signal: AbortSignal;
}

export interface Delegation {
  authenticator: Authenticator;
  authorizer: Authorizer;
  admission: AdmissionPlugin[];
  audit?: Auditor;
  /** The CAs the TLS handshake lists when it asks for a client certificate. */
  clientCA(): string;
  /** Called when those CAs changed. */
  onClientCAChange(listener: () => void): void;
  /** How requests are authenticated and authorized, for the start-up lines. */
  description: string[];
  close(): void;
}

/** The cluster connection for a kubeconfig flag, else the pod's service account. */
function connect(options: ServerOptions, kubeconfig: string | undefined, flag: string): ClusterConnection | undefined {
  if (kubeconfig) return connectionFromKubeconfig(kubeconfig);
  if (options.inCluster) return inClusterConnection(options.inCluster);
  if (options.clusterMode) {
    throw new Error(`cluster mode needs --${flag} (or running in a pod with a service account)`);
  }
  return undefined;
}

export async function prepareDelegation(inputs: DelegationInputs): Promise<Delegation> {
  const { options, log } = inputs;
  const clients: ClusterClient[] = [];
  const client = (connection: ClusterConnection | undefined) => {
    if (!connection) return undefined;
    const c = new ClusterClient(connection);
    clients.push(c);
    return c;
  };
  const description: string[] = [];
  const closers: Array<() => void> = [
    () => {
      for (const c of clients) c.close();
    },
  ];
  const caListeners: Array<() => void> = [];

  // Authentication.
  let authenticator: Authenticator;
  let clientCA: () => string;
  const authn = options.authentication;
  if (options.clusterMode || authn.clientCAFile || authn.requestHeader) {
    const authnClient = options.clusterMode
      ? client(connect(options, authn.kubeconfig ?? options.kubeconfig, "authentication-kubeconfig"))
      : undefined;
    const delegated = await DelegatedAuthentication.start({
      ...(authn.clientCAFile ? { clientCAFile: authn.clientCAFile } : {}),
      // Outside a cluster the local CA's certificates (the admin kubeconfig) keep working.
      ...(options.clusterMode ? {} : { extraClientCA: inputs.pki.ca.cert }),
      ...(authn.requestHeader ? { requestHeader: authn.requestHeader } : {}),
      ...(authnClient ? { client: authnClient } : {}),
      lookup: !authn.skipLookup,
      tolerateLookupFailure: authn.tolerateLookupFailure,
      tokenCacheTtlMs: authn.tokenCacheTtlMs,
      ...(inputs.reloadIntervalMs !== undefined ? { refreshIntervalMs: inputs.reloadIntervalMs } : {}),
      ...(inputs.clock ? { clock: inputs.clock } : {}),
      log,
    });
    closers.push(() => delegated.close());
    delegated.onChange(() => {
      for (const listener of caListeners) listener();
    });
    authenticator = delegated;
    clientCA = () => delegated.clientCABundle();
    const parts = [
      delegated.current.requestHeader ? "front-proxy certificates" : "",
      delegated.current.clientCA ? "client certificates" : "",
      delegated.tokens ? "bearer tokens (TokenReview)" : "",
    ].filter(Boolean);
    description.push(`authentication: ${parts.join(", ") || "anonymous only"}`);
  } else {
    authenticator = new ClientCertificateAuthenticator(inputs.pki.ca.cert);
    clientCA = () => inputs.pki.ca.cert;
    description.push("authentication: local-CA client certificates");
  }

  // Authorization: system:masters, then the policy file, then the cluster.
  const authz = options.authorization;
  const authorizers: Authorizer[] = [mastersAuthorizer];
  const authzNames = ["system:masters"];
  if (authz.policyFile) {
    authorizers.push(PolicyAuthorizer.fromFile(authz.policyFile));
    authzNames.push(`policy ${authz.policyFile}`);
  }
  if (options.clusterMode) {
    const authzClient = client(connect(options, authz.kubeconfig ?? options.kubeconfig, "authorization-kubeconfig"));
    if (authzClient) {
      authorizers.push(
        new SubjectAccessReviewAuthorizer({
          client: authzClient,
          allowTtlMs: authz.allowTtlMs,
          denyTtlMs: authz.denyTtlMs,
          ...(inputs.clock ? { clock: inputs.clock } : {}),
        }),
      );
      authzNames.push("SubjectAccessReview");
    }
  }
  description.push(`authorization: ${authzNames.join(", ")}`);

  // Admission: NamespaceLifecycle in cluster mode.
  const admission: AdmissionPlugin[] = [];
  if (options.clusterMode && !options.disabledAdmissionPlugins.includes(NAMESPACE_LIFECYCLE)) {
    const coreClient = client(connect(options, options.kubeconfig, "kubeconfig"));
    if (coreClient) {
      const informer = inputs.namespaceInformer?.({
        ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
        signal: inputs.signal,
      });
      admission.push(namespaceLifecycle({ lookup: clusterNamespaces(coreClient), ...(informer ? { informer } : {}) }));
      description.push(`admission: ${NAMESPACE_LIFECYCLE}${informer ? " (informer)" : " (live reads)"}`);
    }
  }

  // Audit.
  let audit: Auditor | undefined;
  if (options.audit) {
    const a = options.audit;
    const backend =
      a.logPath === "-"
        ? new AuditStream(process.stdout)
        : new AuditLogFile({
            path: a.logPath,
            maxSizeBytes: a.maxSizeMegabytes * 1024 * 1024,
            maxBackups: a.maxBackups,
            maxAgeDays: a.maxAgeDays,
          });
    audit = new Auditor({ policy: loadAuditPolicy(a.policyFile), backend, log });
    closers.push(() => audit?.close());
    description.push(`audit: ${a.logPath} by ${a.policyFile}`);
  }

  return {
    authenticator,
    authorizer: authorizers.length === 1 ? mastersAuthorizer : unionAuthorizer(...authorizers),
    admission,
    ...(audit ? { audit } : {}),
    clientCA,
    onClientCAChange: (listener) => caListeners.push(listener),
    description,
    close: () => {
      for (const close of closers.reverse()) close();
    },
  };
}
