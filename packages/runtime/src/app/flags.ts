/**
 * The server's command-line flags, under k8s.io/apiserver's names so that a Deployment written for
 * a Go aggregated server reads the same here. Flags come in groups; a feature adds its own group
 * (delegated authentication will) without touching these.
 */
import { isIP } from "node:net";
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
        "The directory holding self-signed local-mode certificates (in <cert-dir>/pki: a CA, the serving certificate and an admin client certificate), created when missing and reused while valid. Default: the --data-dir.",
      example: "--cert-dir /var/run/my-api",
    },
    {
      name: "tls-cert-file",
      value: "file",
      description:
        "A PEM file with the serving certificate (then its CA chain). With --tls-private-key-file it replaces the local-mode serving certificate.",
      example: "--tls-cert-file /var/run/serving-cert/tls.crt",
    },
    {
      name: "tls-private-key-file",
      value: "file",
      description: "A PEM file with the private key matching --tls-cert-file.",
      example: "--tls-private-key-file /var/run/serving-cert/tls.key",
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
export const SERVER_FLAG_GROUPS: readonly ServerFlagGroup[] = [SECURE_SERVING_FLAGS, STORAGE_FLAGS, LOCAL_MODE_FLAGS];

/** How a default is shown in help: durations the Go way. */
export function describeDefault(flag: ServerFlag): string | undefined {
  if (flag.default === undefined) return undefined;
  if (flag.value === "duration" && typeof flag.default === "number") return formatDuration(flag.default);
  if (Array.isArray(flag.default)) return flag.default.join(",");
  return String(flag.default);
}
