export type {
  AdmissionAttributes,
  AdmissionContext,
  AdmissionOperation,
  AdmissionPlugin,
  Lister,
} from "./admission/admission.js";
export { AdmissionDenied } from "./admission/admission.js";
export { clusterNamespaces, namespaceLifecycle } from "./admission/namespace-lifecycle.js";
export * from "./api/errors.js";
export type * from "./api/meta.js";
export * from "./app/index.js";
export * from "./audit/index.js";
export type { ClusterConnection } from "./auth/cluster-client.js";
export { ClusterClient, connectionFromKubeconfig, inClusterConnection } from "./auth/cluster-client.js";
export type { DelegatedAuthenticationOptions } from "./auth/delegated-authentication.js";
export { DelegatedAuthentication } from "./auth/delegated-authentication.js";
export type { AuthorizationPolicy, PolicyRule } from "./auth/policy-file.js";
export { PolicyAuthorizer } from "./auth/policy-file.js";
export { RequestHeaderAuthenticator } from "./auth/request-header.js";
export { SubjectAccessReviewAuthorizer } from "./auth/subject-access-review.js";
export { TokenReviewAuthenticator } from "./auth/token-review.js";
export * from "./auth/types.js";
export { ClientCertificateAuthenticator } from "./auth/x509-authenticator.js";
export type { CertificateAuthority, CertKeyPair } from "./certs/x509.js";
export { createCA, issueCertificate, loadCA } from "./certs/x509.js";
export type { LocalMode, LocalPki } from "./local/local-mode.js";
export { ensureLocalPki, kubeconfigYAML, localMode } from "./local/local-mode.js";
export { ApiModel, ApiResource, compareVersions } from "./model/api-model.js";
export type * from "./model/resource.js";
export type * from "./model/schema.js";
export { withActionRequest, withSubresourceOptions, withSubresourceResponse } from "./model/subresource-types.js";
export type { Logger, LoggerOptions } from "./observability/logging.js";
export { createLogger } from "./observability/logging.js";
export { MeteredStorage } from "./observability/metered-storage.js";
export { ApiServerMetrics } from "./observability/metrics.js";
export type { Clock, GenericStoreOptions, RequestContext } from "./registry/generic-store.js";
export { GenericStore, systemClock } from "./registry/generic-store.js";
export type {
  ApiServerConfig,
  BuildInfo,
  NonApiHandler,
  ServingOptions,
  TLSConfig,
  VersionInfo,
} from "./server/api-server.js";
export { ApiServer, FRAMEWORK_VERSION } from "./server/api-server.js";
