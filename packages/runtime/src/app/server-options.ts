/** The built-in flags' values as the typed options the harness acts on, checked together. */
import { isAbsolute, join, resolve } from "node:path";
import {
  DEFAULT_DATA_DIR,
  DEFAULT_ETCD_COMPACTION_INTERVAL_MS,
  DEFAULT_ETCD_PREFIX,
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

export interface ServerOptions {
  securePort: number;
  bindAddress: string;
  /** Absolute; local-mode certificates live in `<certDir>/pki`. */
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
}

const str = (values: FlagValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === "string" && value !== "" ? value : undefined;
};

const ETCD_ONLY = ["etcd-servers", "etcd-cafile", "etcd-certfile", "etcd-keyfile"];

/** Resolves paths against `cwd` and checks the flags that only make sense together. */
export function resolveServerOptions(values: FlagValues, cwd: string): ServerOptions {
  const path = (text: string) => (isAbsolute(text) ? text : resolve(cwd, text));
  const storage = (str(values, "storage") ?? "sqlite") as StorageBackend;
  const dataDir = path(str(values, "data-dir") ?? DEFAULT_DATA_DIR);
  const options: ServerOptions = {
    securePort: typeof values["secure-port"] === "number" ? values["secure-port"] : DEFAULT_SECURE_PORT,
    bindAddress: str(values, "bind-address") ?? "0.0.0.0",
    certDir: path(str(values, "cert-dir") ?? dataDir),
    storage,
    dataDir,
    runControllers: values["run-controllers"] !== false,
  };

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
