/**
 * Where the API server is and how to authenticate to it, loaded with
 * @kubernetes/client-node's KubeConfig (kubeconfig files, contexts, exec and token-file
 * credentials, in-cluster service accounts). The HTTP itself is ours (rest-client.ts).
 */
import type { RequestOptions as HttpsRequestOptions } from "node:https";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export interface RestConfig {
  /** e.g. `https://127.0.0.1:6443`; a path prefix is kept. */
  server: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** false: accept any serving certificate (kubeconfig `insecure-skip-tls-verify`). */
  rejectUnauthorized?: boolean;
  /** The name the serving certificate must carry, when it differs from the host (kubeconfig `tls-server-name`). */
  servername?: string;
  /** The context's namespace, or the service account's. */
  namespace?: string;
  /** Headers that authenticate a request (bearer tokens). Called per request; may refresh. */
  authHeaders?: () => Promise<Record<string, string>>;
}

export interface KubeconfigOptions {
  /** A context other than the current one. */
  context?: string;
}

/** Loads a kubeconfig file. The caller decides the path (flag, $KUBECONFIG, ~/.kube/config). */
export function restConfigFromKubeconfigFile(path: string, options: KubeconfigOptions = {}): Promise<RestConfig> {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (options.context) kc.setCurrentContext(options.context);
  return restConfigFromKubeConfig(kc);
}

export interface InClusterOptions {
  /** $KUBERNETES_SERVICE_HOST, read by the caller. */
  host: string;
  /** $KUBERNETES_SERVICE_PORT, read by the caller. */
  port: string | number;
  /** Default: the mounted service account. */
  serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The pod's service account: the CA and namespace files, and a token re-read from its
 * file as kubelet rotates it (client-node's tokenFile authenticator re-reads each minute).
 */
export async function restConfigInCluster(options: InClusterOptions): Promise<RestConfig> {
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const kc = new KubeConfig();
  const { readFile } = await import("node:fs/promises");
  const namespace = await readFile(join(dir, "namespace"), "utf8").then(
    (text) => text.trim(),
    () => undefined,
  );
  kc.loadFromOptions({
    clusters: [{ name: "in-cluster", server: `https://${host}:${options.port}`, caFile: join(dir, "ca.crt") }],
    users: [{ name: "in-cluster", authProvider: { name: "tokenFile", config: { tokenFile: join(dir, "token") } } }],
    contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "in-cluster", namespace }],
    currentContext: "in-cluster",
  });
  return restConfigFromKubeConfig(kc);
}

const AUTH_HEADER_TTL_MS = 30_000;

/** Turns a loaded KubeConfig into a RestConfig. */
export async function restConfigFromKubeConfig(kc: KubeConfig): Promise<RestConfig> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const user = kc.getCurrentUser();
  const context = kc.getContextObject(kc.getCurrentContext());
  const options: HttpsRequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const config: RestConfig = { server: cluster.server.replace(/\/+$/, "") };
  if (options.ca) config.ca = options.ca as string | Buffer;
  if (options.cert) config.cert = options.cert as string | Buffer;
  if (options.key) config.key = options.key as string | Buffer;
  if (options.rejectUnauthorized === false) config.rejectUnauthorized = false;
  if (options.servername) config.servername = options.servername;
  if (context?.namespace) config.namespace = context.namespace;
  // Only users with something beyond certificates need per-request headers.
  if (user && (user.token || user.authProvider || user.exec || user.username)) {
    let cached: { headers: Record<string, string>; at: number } | undefined;
    config.authHeaders = async () => {
      if (cached && Date.now() - cached.at < AUTH_HEADER_TTL_MS) return cached.headers;
      const fresh: HttpsRequestOptions = {};
      await kc.applyToHTTPSOptions(fresh);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(fresh.headers ?? {})) {
        if (typeof value === "string") headers[name] = value;
      }
      if (fresh.auth) headers.Authorization = `Basic ${Buffer.from(fresh.auth).toString("base64")}`;
      cached = { headers, at: Date.now() };
      return headers;
    };
  }
  return config;
}
