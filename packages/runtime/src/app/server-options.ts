/** The built-in flags' values as the typed options the harness acts on, checked together. */
import { isAbsolute, join, resolve } from "node:path";
import { DEFAULT_REQUEST_HEADERS } from "../auth/request-header.js";
import { type GoTLSVersion, type NodeTLSVersion, opensslCiphers, TLS_VERSIONS } from "../server/tls-options.js";
import {
  DEFAULT_DATA_DIR,
  DEFAULT_ETCD_COMPACTION_INTERVAL_MS,
  DEFAULT_ETCD_PREFIX,
  DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT,
  DEFAULT_MAX_REQUESTS_INFLIGHT,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SECURE_PORT,
  type FlagValues,
  ServerFlagError,
  type StorageBackend,
} from "./flags.js";

export interface EtcdOptions {
  servers: string[];
  prefix: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  compactionIntervalMs: number;
}

export interface AuthenticationOptions {
  /** Absolute; absent: the pod's service account in cluster mode. */
  kubeconfig?: string;
  skipLookup: boolean;
  tolerateLookupFailure: boolean;
  tokenCacheTtlMs: number;
  clientCAFile?: string;
  /** Set when --requestheader-client-ca-file is; then the ConfigMap's requestheader settings are not used. */
  requestHeader?: {
    clientCAFile: string;
    allowedNames: string[];
    usernameHeaders: string[];
    groupHeaders: string[];
    extraHeaderPrefixes: string[];
  };
}

export interface AuthorizationOptions {
  kubeconfig?: string;
  alwaysAllowPaths: string[];
  allowTtlMs: number;
  denyTtlMs: number;
  policyFile?: string;
}

export interface AuditOptions {
  policyFile: string;
  /** Absolute, or "-" for stdout. */
  logPath: string;
  maxSizeMegabytes: number;
  maxBackups: number;
  maxAgeDays: number;
}

export interface ServerOptions {
  securePort: number;
  bindAddress: string;
  /** Absolute; where local-mode certificates live (default `<data-dir>/pki`). */
  certDir: string;
  /** Both set, or neither (local mode). */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  storage: StorageBackend;
  /** Absolute. */
  dataDir: string;
  etcd?: EtcdOptions;
  /** Absolute; only in local mode. */
  kubeconfigOut?: string;
  runControllers: boolean;
  controllersKubeconfig?: string;
  tlsMinVersion?: NodeTLSVersion;
  /** OpenSSL's cipher list for --tls-cipher-suites. */
  tlsCiphers?: string;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  requestTimeoutMs: number;
  shutdownDelayMs: number;
  authentication: AuthenticationOptions;
  authorization: AuthorizationOptions;
  /** The core API's kubeconfig (--kubeconfig), absolute. */
  kubeconfig?: string;
  disabledAdmissionPlugins: string[];
  /** Set when both --audit-policy-file and --audit-log-path are. */
  audit?: AuditOptions;
  /**
   * Authentication, authorization and admission are the cluster's: a kubeconfig flag was
   * given, or the server runs in a pod (`inCluster`).
   */
  clusterMode: boolean;
  /** $KUBERNETES_SERVICE_HOST and _PORT, when the server runs in a pod. */
  inCluster?: { host: string; port: string };
  /** --enable-garbage-collector; default: clusterMode (local mode has no garbage collector). */
  garbageCollection: boolean;
}

const str = (values: FlagValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === "string" && value !== "" ? value : undefined;
};

const list = (values: FlagValues, name: string, fallback: readonly string[] = []): string[] => {
  const value = values[name];
  return Array.isArray(value) ? [...(value as string[])] : [...fallback];
};

const num = (values: FlagValues, name: string, fallback: number): number => {
  const value = values[name];
  return typeof value === "number" ? value : fallback;
};

const ETCD_ONLY = ["etcd-servers", "etcd-cafile", "etcd-certfile", "etcd-keyfile"];

/**
 * Resolves paths against `cwd` and checks the flags that only make sense together.
 * `environment` is the process's (the harness passes it): a pod's $KUBERNETES_SERVICE_HOST
 * means cluster mode.
 */
export function resolveServerOptions(
  values: FlagValues,
  cwd: string,
  environment: Readonly<Record<string, string | undefined>> = {},
): ServerOptions {
  const path = (text: string) => (isAbsolute(text) ? text : resolve(cwd, text));
  const optionalPath = (name: string) => {
    const text = str(values, name);
    return text === undefined ? undefined : path(text);
  };
  const storage = (str(values, "storage") ?? "sqlite") as StorageBackend;
  const dataDir = path(str(values, "data-dir") ?? DEFAULT_DATA_DIR);
  const options: ServerOptions = {
    securePort: typeof values["secure-port"] === "number" ? values["secure-port"] : DEFAULT_SECURE_PORT,
    bindAddress: str(values, "bind-address") ?? "0.0.0.0",
    certDir: path(str(values, "cert-dir") ?? join(dataDir, "pki")),
    storage,
    dataDir,
    runControllers: values["run-controllers"] !== false,
    maxRequestsInflight: num(values, "max-requests-inflight", DEFAULT_MAX_REQUESTS_INFLIGHT),
    maxMutatingRequestsInflight: num(values, "max-mutating-requests-inflight", DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT),
    requestTimeoutMs: num(values, "request-timeout", DEFAULT_REQUEST_TIMEOUT_MS),
    shutdownDelayMs: num(values, "shutdown-delay-duration", 0),
    authentication: resolveAuthentication(values, optionalPath),
    authorization: {
      alwaysAllowPaths: list(values, "authorization-always-allow-paths", ["/healthz", "/readyz", "/livez"]),
      allowTtlMs: num(values, "authorization-webhook-cache-authorized-ttl", 10_000),
      denyTtlMs: num(values, "authorization-webhook-cache-unauthorized-ttl", 10_000),
    },
    disabledAdmissionPlugins: list(values, "disable-admission-plugins"),
    clusterMode: false,
    garbageCollection: false,
  };
  const authorizationKubeconfig = optionalPath("authorization-kubeconfig");
  if (authorizationKubeconfig) options.authorization.kubeconfig = authorizationKubeconfig;
  const policyFile = optionalPath("authorization-policy-file");
  if (policyFile) options.authorization.policyFile = policyFile;
  const kubeconfig = optionalPath("kubeconfig");
  if (kubeconfig) options.kubeconfig = kubeconfig;
  const host = environment.KUBERNETES_SERVICE_HOST;
  if (host) options.inCluster = { host, port: environment.KUBERNETES_SERVICE_PORT ?? "443" };
  options.clusterMode = Boolean(
    options.inCluster || kubeconfig || authorizationKubeconfig || options.authentication.kubeconfig,
  );
  const collector = values["enable-garbage-collector"];
  options.garbageCollection = typeof collector === "boolean" ? collector : options.clusterMode;
  const minVersion = str(values, "tls-min-version");
  if (minVersion) options.tlsMinVersion = TLS_VERSIONS[minVersion as GoTLSVersion];
  const suites = list(values, "tls-cipher-suites");
  if (suites.length) options.tlsCiphers = opensslCiphers(suites);
  const auditPolicy = optionalPath("audit-policy-file");
  const auditLog = str(values, "audit-log-path");
  if (auditPolicy && auditLog) {
    options.audit = {
      policyFile: auditPolicy,
      logPath: auditLog === "-" ? "-" : path(auditLog),
      maxSizeMegabytes: num(values, "audit-log-maxsize", 0),
      maxBackups: num(values, "audit-log-maxbackup", 0),
      maxAgeDays: num(values, "audit-log-maxage", 0),
    };
  }

  const certFile = str(values, "tls-cert-file");
  const keyFile = str(values, "tls-private-key-file");
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const missing = certFile === undefined ? "tls-cert-file" : "tls-private-key-file";
    throw new ServerFlagError(
      "MissingFlag",
      `--tls-cert-file and --tls-private-key-file go together: add --${missing}, or drop both for local-mode certificates`,
      missing,
    );
  }
  if (certFile !== undefined && keyFile !== undefined) {
    options.tlsCertFile = path(certFile);
    options.tlsPrivateKeyFile = path(keyFile);
  } else {
    options.kubeconfigOut = path(str(values, "kubeconfig-out") ?? join(dataDir, "kubeconfig"));
  }
  const controllersKubeconfig = str(values, "controllers-kubeconfig");
  if (controllersKubeconfig !== undefined) options.controllersKubeconfig = path(controllersKubeconfig);

  if (storage === "etcd") {
    const servers = Array.isArray(values["etcd-servers"]) ? [...(values["etcd-servers"] as string[])] : [];
    if (servers.length === 0) {
      throw new ServerFlagError(
        "MissingFlag",
        "--storage etcd needs --etcd-servers, e.g. --etcd-servers http://127.0.0.1:2379",
        "etcd-servers",
      );
    }
    const etcdCert = str(values, "etcd-certfile");
    const etcdKey = str(values, "etcd-keyfile");
    if ((etcdCert === undefined) !== (etcdKey === undefined)) {
      const missing = etcdCert === undefined ? "etcd-certfile" : "etcd-keyfile";
      throw new ServerFlagError(
        "MissingFlag",
        `--etcd-certfile and --etcd-keyfile go together: add --${missing}`,
        missing,
      );
    }
    const caFile = str(values, "etcd-cafile");
    options.etcd = {
      servers,
      prefix: str(values, "etcd-prefix") ?? DEFAULT_ETCD_PREFIX,
      compactionIntervalMs:
        typeof values["etcd-compaction-interval"] === "number"
          ? values["etcd-compaction-interval"]
          : DEFAULT_ETCD_COMPACTION_INTERVAL_MS,
      ...(caFile === undefined ? {} : { caFile: path(caFile) }),
      ...(etcdCert === undefined ? {} : { certFile: path(etcdCert) }),
      ...(etcdKey === undefined ? {} : { keyFile: path(etcdKey) }),
    };
  } else {
    const stray = ETCD_ONLY.find((name) => values[name] !== undefined);
    if (stray !== undefined) {
      throw new ServerFlagError(
        "ConflictingFlags",
        `--${stray} is set but --storage is ${storage}: add --storage etcd, or drop --${stray}`,
        stray,
      );
    }
  }
  return options;
}

function resolveAuthentication(
  values: FlagValues,
  optionalPath: (name: string) => string | undefined,
): AuthenticationOptions {
  const options: AuthenticationOptions = {
    skipLookup: values["authentication-skip-lookup"] === true,
    tolerateLookupFailure: values["authentication-tolerate-lookup-failure"] === true,
    tokenCacheTtlMs: num(values, "authentication-token-webhook-cache-ttl", 10_000),
  };
  const kubeconfig = optionalPath("authentication-kubeconfig");
  if (kubeconfig) options.kubeconfig = kubeconfig;
  const clientCAFile = optionalPath("client-ca-file");
  if (clientCAFile) options.clientCAFile = clientCAFile;
  const proxyCAFile = optionalPath("requestheader-client-ca-file");
  if (proxyCAFile) {
    options.requestHeader = {
      clientCAFile: proxyCAFile,
      allowedNames: list(values, "requestheader-allowed-names"),
      usernameHeaders: list(values, "requestheader-username-headers", DEFAULT_REQUEST_HEADERS.usernameHeaders),
      groupHeaders: list(values, "requestheader-group-headers", DEFAULT_REQUEST_HEADERS.groupHeaders),
      extraHeaderPrefixes: list(
        values,
        "requestheader-extra-headers-prefix",
        DEFAULT_REQUEST_HEADERS.extraHeaderPrefixes,
      ),
    };
  }
  return options;
}
