/**
 * The server's command-line flags, under k8s.io/apiserver's names so that a Deployment written for
 * a Go aggregated server reads the same here. Flags come in groups; a feature adds its own group
 * (delegated authentication will) without touching these.
 */
import { isIP } from "node:net";
import { AUDIT_LEVELS } from "../audit/policy.js";
import { opensslCiphers, TLS_VERSIONS } from "../server/tls-options.js";
import { formatDuration, parseDuration } from "./duration.js";

/** What is wrong with a command line; `flag` names the flag when one is to blame. */
export type ServerFlagErrorCode = "InvalidFlagValue" | "UnknownFlag" | "MissingFlag" | "ConflictingFlags";

export class ServerFlagError extends Error {
  override readonly name = "ServerFlagError";
  constructor(
    readonly code: ServerFlagErrorCode,
    message: string,
    readonly flag?: string,
  ) {
    super(message);
  }
}

/** A flag's value as parsed: booleans, numbers, strings and string lists. */
export type FlagValue = string | number | boolean | readonly string[];

export interface ServerFlag {
  /** The long name without dashes, e.g. `secure-port`. */
  name: string;
  /** The value's placeholder, e.g. `port`; a boolean flag has `bool` and may be given bare. */
  value: string;
  /** One or two sentences; the help adds the example and the default. */
  description: string;
  /** A complete example, e.g. `--secure-port 8443`. */
  example: string;
  default?: FlagValue;
  /** The value is one of these. */
  choices?: readonly string[];
  /** Comma-separated and repeatable, as pflag's StringSlice. */
  list?: boolean;
  /** Turns the text into the value; throws ServerFlagError("InvalidFlagValue") when it can't. */
  parse?: (text: string) => FlagValue;
}

export interface ServerFlagGroup {
  /** The heading in `--help`, e.g. `Secure serving`. */
  title: string;
  flags: readonly ServerFlag[];
}

/** Parsed values by flag name; flags without value or default are absent. */
export type FlagValues = Readonly<Record<string, FlagValue>>;

function invalid(flag: string, text: string, expected: string): ServerFlagError {
  return new ServerFlagError("InvalidFlagValue", `invalid value "${text}" for --${flag}: ${expected}`, flag);
}

export function portParser(flag: string, allowZero = true) {
  return (text: string): number => {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535 || (!allowZero && port === 0)) {
      throw invalid(flag, text, `a port number between ${allowZero ? 0 : 1} and 65535`);
    }
    return port;
  };
}

export function durationParser(flag: string) {
  return (text: string): number => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < 0) throw invalid(flag, text, "a duration such as 30s, 5m0s or 1h");
    return ms;
  };
}

export function booleanParser(flag: string) {
  return (text: string): boolean => {
    if (/^(true|t|1)$/i.test(text)) return true;
    if (/^(false|f|0)$/i.test(text)) return false;
    throw invalid(flag, text, "true or false");
  };
}

function ipParser(flag: string) {
  return (text: string): string => {
    if (isIP(text) === 0) throw invalid(flag, text, "an IPv4 or IPv6 address such as 0.0.0.0 or 127.0.0.1");
    return text;
  };
}

function urlListParser(flag: string) {
  return (text: string): string => {
    try {
      const url = new URL(text);
      if (url.protocol === "http:" || url.protocol === "https:") return text;
    } catch {}
    throw invalid(flag, text, "a client URL such as http://127.0.0.1:2379 or https://etcd-0.etcd:2379");
  };
}

function countParser(flag: string) {
  return (text: string): number => {
    if (!/^\d+$/.test(text)) throw invalid(flag, text, "a whole number, 0 or more");
    return Number(text);
  };
}

function cipherSuiteParser(flag: string) {
  return (text: string): string => {
    try {
      opensslCiphers([text]);
    } catch {
      throw invalid(flag, text, "a cipher suite in Go's naming, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }
    return text;
  };
}

export const DEFAULT_SECURE_PORT = 8443;
export const DEFAULT_DATA_DIR = ".data";
export const DEFAULT_ETCD_PREFIX = "/registry";
export const DEFAULT_ETCD_COMPACTION_INTERVAL_MS = 5 * 60_000;
export const STORAGE_BACKENDS = ["memory", "sqlite", "etcd"] as const;
export type StorageBackend = (typeof STORAGE_BACKENDS)[number];

export const SECURE_SERVING_FLAGS: ServerFlagGroup = {
  title: "Secure serving",
  flags: [
    {
      name: "secure-port",
      value: "port",
      description: "The port on which to serve HTTPS with authentication and authorization; 0 picks a free port.",
      example: "--secure-port 8443",
      default: DEFAULT_SECURE_PORT,
      parse: portParser("secure-port"),
    },
    {
      name: "bind-address",
      value: "ip",
      description: "The IP address on which to listen for the --secure-port port; 0.0.0.0 or :: is every interface.",
      example: "--bind-address 127.0.0.1",
      default: "0.0.0.0",
      parse: ipParser("bind-address"),
    },
    {
      name: "cert-dir",
      value: "dir",
      description:
        "The directory holding self-signed local-mode certificates (a CA, the serving certificate and an admin client certificate), created when missing and reused while valid. Default: <data-dir>/pki.",
      example: "--cert-dir /var/run/my-api",
    },
    {
      name: "tls-cert-file",
      value: "file",
      description:
        "A PEM file with the serving certificate (then its CA chain). With --tls-private-key-file it replaces the local-mode serving certificate; both files are re-read when they change on disk.",
      example: "--tls-cert-file /var/run/serving-cert/tls.crt",
    },
    {
      name: "tls-private-key-file",
      value: "file",
      description: "A PEM file with the private key matching --tls-cert-file.",
      example: "--tls-private-key-file /var/run/serving-cert/tls.key",
    },
    {
      name: "tls-min-version",
      value: "version",
      description: "The lowest TLS version accepted. Default: VersionTLS12.",
      example: "--tls-min-version VersionTLS13",
      choices: Object.keys(TLS_VERSIONS),
    },
    {
      name: "tls-cipher-suites",
      value: "suites",
      description:
        "TLS 1.2 cipher suites offered, in Go's names, comma-separated; TLS 1.3 suites are always on. Default: Node's list.",
      example: "--tls-cipher-suites TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      list: true,
      parse: cipherSuiteParser("tls-cipher-suites"),
    },
  ],
};

export const DEFAULT_MAX_REQUESTS_INFLIGHT = 400;
export const DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT = 200;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export const LIMITS_FLAGS: ServerFlagGroup = {
  title: "Limits and shutdown",
  flags: [
    {
      name: "max-requests-inflight",
      value: "count",
      description:
        "Read-only requests served at once; more get 429 with Retry-After (watches are not counted, system:masters is never refused); 0 is no limit.",
      example: "--max-requests-inflight 800",
      default: DEFAULT_MAX_REQUESTS_INFLIGHT,
      parse: countParser("max-requests-inflight"),
    },
    {
      name: "max-mutating-requests-inflight",
      value: "count",
      description:
        "Writes (create, update, patch, delete) served at once; more get 429 with Retry-After; 0 is no limit.",
      example: "--max-mutating-requests-inflight 400",
      default: DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT,
      parse: countParser("max-mutating-requests-inflight"),
    },
    {
      name: "request-timeout",
      value: "duration",
      description: "A request (not a watch) still running after this gets 504 Timeout.",
      example: "--request-timeout 30s",
      default: DEFAULT_REQUEST_TIMEOUT_MS,
      parse: durationParser("request-timeout"),
    },
    {
      name: "shutdown-delay-duration",
      value: "duration",
      description:
        "On SIGTERM, /readyz fails at once but everything is still served this long (endpoints and the aggregator notice); then new connections stop, requests in progress finish, watches end, and the process exits.",
      example: "--shutdown-delay-duration 10s",
      default: 0,
      parse: durationParser("shutdown-delay-duration"),
    },
  ],
};

export const AUTHENTICATION_FLAGS: ServerFlagGroup = {
  title: "Authentication",
  flags: [
    {
      name: "authentication-kubeconfig",
      value: "file",
      description:
        "A kubeconfig for the cluster that reviews bearer tokens (TokenReview) and publishes the ConfigMap kube-system/extension-apiserver-authentication. Default in a pod: its service account.",
      example: "--authentication-kubeconfig /etc/my-api/cluster.kubeconfig",
    },
    {
      name: "authentication-skip-lookup",
      value: "bool",
      description:
        "Don't read the CAs and front-proxy settings from the ConfigMap kube-system/extension-apiserver-authentication; only the flags count.",
      example: "--authentication-skip-lookup",
      default: false,
      parse: booleanParser("authentication-skip-lookup"),
    },
    {
      name: "authentication-tolerate-lookup-failure",
      value: "bool",
      description:
        "Start even when that ConfigMap can't be read (it is retried); without it, the server refuses to start.",
      example: "--authentication-tolerate-lookup-failure",
      default: false,
      parse: booleanParser("authentication-tolerate-lookup-failure"),
    },
    {
      name: "authentication-token-webhook-cache-ttl",
      value: "duration",
      description: "How long the answer to a TokenReview (yes or no) is remembered.",
      example: "--authentication-token-webhook-cache-ttl 30s",
      default: 10_000,
      parse: durationParser("authentication-token-webhook-cache-ttl"),
    },
    {
      name: "client-ca-file",
      value: "file",
      description:
        "CAs whose client certificates authenticate users (CN is the user, O the groups). Default in a cluster: client-ca-file of the ConfigMap.",
      example: "--client-ca-file /etc/kubernetes/pki/ca.crt",
    },
    {
      name: "requestheader-client-ca-file",
      value: "file",
      description:
        "CAs of the front proxy (kube-apiserver's aggregator): only a client certificate they signed makes the --requestheader-*-headers count. Default in a cluster: the ConfigMap's.",
      example: "--requestheader-client-ca-file /pki/front-proxy-ca.crt",
    },
    {
      name: "requestheader-allowed-names",
      value: "names",
      description: "Common names the front proxy's certificate may have; none: any the CA signed.",
      example: "--requestheader-allowed-names front-proxy-client",
      list: true,
    },
    {
      name: "requestheader-username-headers",
      value: "headers",
      description: "Headers naming the user, first non-empty wins.",
      example: "--requestheader-username-headers X-Remote-User",
      default: ["X-Remote-User"],
      list: true,
    },
    {
      name: "requestheader-group-headers",
      value: "headers",
      description: "Headers naming the user's groups, one group per header line.",
      example: "--requestheader-group-headers X-Remote-Group",
      default: ["X-Remote-Group"],
      list: true,
    },
    {
      name: "requestheader-extra-headers-prefix",
      value: "prefixes",
      description: "Header prefixes of the user's extra attributes (the rest of the name, %-decoded, is the key).",
      example: "--requestheader-extra-headers-prefix X-Remote-Extra-",
      default: ["X-Remote-Extra-"],
      list: true,
    },
  ],
};

export const AUTHORIZATION_FLAGS: ServerFlagGroup = {
  title: "Authorization",
  flags: [
    {
      name: "authorization-kubeconfig",
      value: "file",
      description:
        "A kubeconfig for the cluster that decides requests (SubjectAccessReview). Default in a pod: its service account.",
      example: "--authorization-kubeconfig /etc/my-api/cluster.kubeconfig",
    },
    {
      name: "authorization-always-allow-paths",
      value: "paths",
      description:
        "Paths served to anyone, without asking the cluster (kubelet probes arrive anonymous); `/x/*` is a prefix.",
      example: "--authorization-always-allow-paths /healthz,/metrics",
      default: ["/healthz", "/readyz", "/livez"],
      list: true,
    },
    {
      name: "authorization-webhook-cache-authorized-ttl",
      value: "duration",
      description: "How long an allowed SubjectAccessReview answer is remembered.",
      example: "--authorization-webhook-cache-authorized-ttl 1m",
      default: 10_000,
      parse: durationParser("authorization-webhook-cache-authorized-ttl"),
    },
    {
      name: "authorization-webhook-cache-unauthorized-ttl",
      value: "duration",
      description: "How long a refused SubjectAccessReview answer is remembered.",
      example: "--authorization-webhook-cache-unauthorized-ttl 30s",
      default: 10_000,
      parse: durationParser("authorization-webhook-cache-unauthorized-ttl"),
    },
    {
      name: "authorization-policy-file",
      value: "file",
      description:
        "A local policy (users and groups allowed verbs on resources and paths, see docs/guides/security.md) for servers run without a cluster; in a cluster it is asked before SubjectAccessReview.",
      example: "--authorization-policy-file /etc/my-api/policy.yaml",
    },
  ],
};

export const CLUSTER_FLAGS: ServerFlagGroup = {
  title: "Cluster and admission",
  flags: [
    {
      name: "kubeconfig",
      value: "file",
      description:
        "A kubeconfig for the cluster's core API (namespaces, for the NamespaceLifecycle admission plugin). Default in a pod: its service account. Any of --kubeconfig, --authentication-kubeconfig, --authorization-kubeconfig or a pod's environment puts the server in cluster mode.",
      example: "--kubeconfig /etc/my-api/cluster.kubeconfig",
    },
    {
      name: "disable-admission-plugins",
      value: "plugins",
      description: "Server-wide admission plugins turned off; NamespaceLifecycle is on in cluster mode.",
      example: "--disable-admission-plugins NamespaceLifecycle",
      list: true,
    },
  ],
};

export const AUDIT_FLAGS: ServerFlagGroup = {
  title: "Audit",
  flags: [
    {
      name: "audit-policy-file",
      value: "file",
      description: `An audit.k8s.io/v1 Policy: the first rule matching a request picks its level (${AUDIT_LEVELS.join(", ")}); without one, nothing is audited.`,
      example: "--audit-policy-file /etc/my-api/audit-policy.yaml",
    },
    {
      name: "audit-log-path",
      value: "file",
      description: "Where audit events are written as JSON lines; - is stdout.",
      example: "--audit-log-path /var/log/my-api/audit.log",
    },
    {
      name: "audit-log-maxsize",
      value: "megabytes",
      description: "The size at which the audit log is rotated; 0 is 100.",
      example: "--audit-log-maxsize 50",
      default: 0,
      parse: countParser("audit-log-maxsize"),
    },
    {
      name: "audit-log-maxbackup",
      value: "count",
      description: "Rotated audit logs kept; 0 keeps all.",
      example: "--audit-log-maxbackup 5",
      default: 0,
      parse: countParser("audit-log-maxbackup"),
    },
    {
      name: "audit-log-maxage",
      value: "days",
      description: "Rotated audit logs older than this are removed; 0 keeps them.",
      example: "--audit-log-maxage 30",
      default: 0,
      parse: countParser("audit-log-maxage"),
    },
  ],
};

export const STORAGE_FLAGS: ServerFlagGroup = {
  title: "Storage",
  flags: [
    {
      name: "storage",
      value: "backend",
      description:
        "Where objects are kept: memory (lost on exit; for tests), sqlite (one file in --data-dir, the embedded default) or etcd (--etcd-servers; several replicas may share it).",
      example: "--storage etcd",
      default: "sqlite",
      choices: STORAGE_BACKENDS,
    },
    {
      name: "data-dir",
      value: "dir",
      description:
        "The directory for the SQLite database (<data-dir>/storage), the local-mode certificates and the kubeconfig; created when missing.",
      example: "--data-dir /var/lib/my-api",
      default: DEFAULT_DATA_DIR,
    },
    {
      name: "etcd-servers",
      value: "urls",
      description: "etcd client URLs, comma-separated or repeated; required with --storage etcd.",
      example: "--etcd-servers https://etcd-0:2379,https://etcd-1:2379",
      list: true,
      parse: urlListParser("etcd-servers"),
    },
    {
      name: "etcd-prefix",
      value: "prefix",
      description: "The prefix of every key this server writes in etcd.",
      example: "--etcd-prefix /registry/my-api",
      default: DEFAULT_ETCD_PREFIX,
    },
    {
      name: "etcd-cafile",
      value: "file",
      description: "The CA bundle that verifies the etcd servers' certificates (https:// URLs).",
      example: "--etcd-cafile /etc/etcd/ca.crt",
    },
    {
      name: "etcd-certfile",
      value: "file",
      description: "The client certificate this server presents to etcd.",
      example: "--etcd-certfile /etc/etcd/client.crt",
    },
    {
      name: "etcd-keyfile",
      value: "file",
      description: "The private key of --etcd-certfile.",
      example: "--etcd-keyfile /etc/etcd/client.key",
    },
    {
      name: "etcd-compaction-interval",
      value: "duration",
      description: "How often this replica asks etcd to compact old revisions; 0 turns compaction requests off.",
      example: "--etcd-compaction-interval 10m",
      default: DEFAULT_ETCD_COMPACTION_INTERVAL_MS,
      parse: durationParser("etcd-compaction-interval"),
    },
    {
      name: "enable-garbage-collector",
      value: "bool",
      description:
        "A garbage collector (kube-controller-manager's) finalizes this API's objects: a delete with orphan or foreground propagation adds the `orphan` or `foregroundDeletion` finalizer for it to remove. Must match kube-controller-manager's flag. Default: true in cluster mode, false in local mode, where no garbage collector runs and such a delete removes the object at once.",
      example: "--enable-garbage-collector=false",
      parse: booleanParser("enable-garbage-collector"),
    },
  ],
};

export const LOCAL_MODE_FLAGS: ServerFlagGroup = {
  title: "Local mode and controllers",
  flags: [
    {
      name: "kubeconfig-out",
      value: "file",
      description:
        "Where local mode writes a kubeconfig for the admin client certificate (the server prints `export KUBECONFIG=...`). Default: <data-dir>/kubeconfig.",
      example: "--kubeconfig-out ~/.kube/my-api",
    },
    {
      name: "run-controllers",
      value: "bool",
      description: "Runs the project's controllers in this process, as clients of this server.",
      example: "--run-controllers=false",
      default: true,
      parse: booleanParser("run-controllers"),
    },
    {
      name: "controllers-kubeconfig",
      value: "file",
      description:
        "The kubeconfig the in-process controllers use; default: the local-mode kubeconfig, or the in-cluster service account when serving --tls-cert-file.",
      example: "--controllers-kubeconfig /etc/my-api/controller.kubeconfig",
    },
  ],
};

/** Every built-in group, in help order. */
export const SERVER_FLAG_GROUPS: readonly ServerFlagGroup[] = [
  SECURE_SERVING_FLAGS,
  STORAGE_FLAGS,
  LOCAL_MODE_FLAGS,
  LIMITS_FLAGS,
  AUTHENTICATION_FLAGS,
  AUTHORIZATION_FLAGS,
  CLUSTER_FLAGS,
  AUDIT_FLAGS,
];

/** How a default is shown in help: durations the Go way. */
export function describeDefault(flag: ServerFlag): string | undefined {
  if (flag.default === undefined) return undefined;
  if (flag.value === "duration" && typeof flag.default === "number") return formatDuration(flag.default);
  if (Array.isArray(flag.default)) return flag.default.join(",");
  return String(flag.default);
}
