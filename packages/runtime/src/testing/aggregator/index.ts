// A test harness behaving as kube-apiserver's aggregation layer (see docs/reference/test-aggregator.md).
export type {
  APIService,
  APIServiceCondition,
  APIServiceSpec,
  DiscoveryFetch,
  OpenAPIDownload,
  TestService,
} from "./aggregator.js";
export { AGGREGATED_DISCOVERY_ACCEPT, AGGREGATOR_USER, Aggregator, authProxyHeaders } from "./aggregator.js";
export type { ClusterKind } from "./cluster-objects.js";
export { APISERVICES, ClusterObjects, CONFIGMAPS, NAMESPACES } from "./cluster-objects.js";
export type { AggregatedServer, AggregatedServerOptions } from "./extension-server.js";
export { startAggregatedServer } from "./extension-server.js";
export type { ClusterPki } from "./pki.js";
export { createClusterPki, FRONT_PROXY_CLIENT, servingCertificate, userCertificate } from "./pki.js";
export type {
  AccessDecision,
  ClusterGrant,
  RecordedAccessReview,
  RecordedTokenReview,
  TestClusterOptions,
} from "./test-cluster.js";
export { TestCluster } from "./test-cluster.js";
export type { TlsAnswer, TlsRequestOptions } from "./tls-client.js";
export { tlsRequest } from "./tls-client.js";
