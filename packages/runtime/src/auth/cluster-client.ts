/**
 * The server's own connection to the cluster's kube-apiserver, for what delegation needs:
 * TokenReview and SubjectAccessReview posts, the authentication ConfigMap and namespace
 * lookups. Reads a kubeconfig (certificates and tokens, inline or in files) or the pod's
 * service account. Exec and auth-provider plugins are not supported: a server in a pod
 * uses its service account, and a developer can point at a kubeconfig with certificates.
 */
import { readFileSync, statSync } from "node:fs";
import { Agent, request } from "node:https";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";

export interface ClusterConnection {
  /** e.g. `https://10.96.0.1:443`; no trailing slash. */
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  /** Re-read as it rotates (a projected service account token). */
  tokenFile?: string;
  insecureSkipTLSVerify?: boolean;
  /** The name the serving certificate must have, when not the URL's host. */
  tlsServerName?: string;
}

/** Why a cluster request failed: it never got an answer, or the answer was an error. */
export type ClusterRequestErrorCode = "Transport" | "Status" | "Decode" | "Config";

export class ClusterRequestError extends Error {
  override readonly name = "ClusterRequestError";
  constructor(
    readonly code: ClusterRequestErrorCode,
    message: string,
    /** The HTTP status, for "Status". */
    readonly status?: number,
  ) {
    super(message);
  }
  /** A Transport failure worth another try: the connection broke before any answer. */
  retriable?: boolean;
}

interface KubeconfigFile {
  "current-context"?: string;
  clusters?: Array<{ name: string; cluster: Record<string, unknown> }>;
  users?: Array<{ name: string; user: Record<string, unknown> }>;
  contexts?: Array<{ name: string; context: { cluster?: string; user?: string } }>;
}

const configError = (message: string) => new ClusterRequestError("Config", message);

/** Reads a kubeconfig file's current (or named) context into a connection. */
export function connectionFromKubeconfig(path: string, contextName?: string): ClusterConnection {
  let file: KubeconfigFile;
  try {
    file = (parse(readFileSync(path, "utf8")) ?? {}) as KubeconfigFile;
  } catch (error) {
    throw configError(`kubeconfig ${path} can't be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const name = contextName ?? file["current-context"];
  const context = file.contexts?.find((c) => c.name === name)?.context;
  if (!context) throw configError(`kubeconfig ${path} has no context ${JSON.stringify(name ?? "")}`);
  const cluster = file.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== "string") {
    throw configError(`kubeconfig ${path}: context ${name} names no cluster with a server`);
  }
  const user = file.users?.find((u) => u.name === context.user)?.user ?? {};
  if (user.exec || user["auth-provider"]) {
    throw configError(
      `kubeconfig ${path}: exec and auth-provider credentials are not supported here; use a certificate or a token`,
    );
  }
  const base = dirname(path);
  const resolvePath = (p: string) => (isAbsolute(p) ? p : join(base, p));
  // `<field>-data` is base64 inline; `<field>` is a file path relative to the kubeconfig.
  const pem = (entry: Record<string, unknown>, field: string): string | undefined => {
    const data = entry[`${field}-data`];
    if (typeof data === "string") return Buffer.from(data, "base64").toString("utf8");
    const file = entry[field];
    if (typeof file === "string") return readFileSync(resolvePath(file), "utf8");
    return undefined;
  };
  const connection: ClusterConnection = { server: cluster.server.replace(/\/+$/, "") };
  const ca = pem(cluster, "certificate-authority");
  if (ca) connection.ca = ca;
  if (cluster["insecure-skip-tls-verify"] === true) connection.insecureSkipTLSVerify = true;
  if (typeof cluster["tls-server-name"] === "string") connection.tlsServerName = cluster["tls-server-name"];
  const cert = pem(user, "client-certificate");
  const key = pem(user, "client-key");
  if (cert && key) {
    connection.cert = cert;
    connection.key = key;
  }
  if (typeof user.token === "string") connection.token = user.token;
  if (typeof user.tokenFile === "string") connection.tokenFile = resolvePath(user.tokenFile);
  return connection;
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The pod's service account; host and port come from $KUBERNETES_SERVICE_HOST/PORT, read by the caller. */
export function inClusterConnection(options: {
  host: string;
  port: string | number;
  serviceAccountDir?: string;
}): ClusterConnection {
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  let ca: string;
  try {
    ca = readFileSync(join(dir, "ca.crt"), "utf8");
  } catch {
    throw configError(`no service account CA in ${dir}: not in a pod? Pass --authentication-kubeconfig instead`);
  }
  return { server: `https://${host}:${options.port}`, ca, tokenFile: join(dir, "token") };
}

export interface ClusterResponse<T> {
  status: number;
  body: T;
}

/** A token file is re-read once it changed on disk (kubelet rotates projected tokens). */
class TokenFile {
  private token = "";
  private mtimeMs = -1;
  constructor(private readonly path: string) {}
  read(): string {
    const { mtimeMs } = statSync(this.path);
    if (mtimeMs !== this.mtimeMs) {
      this.token = readFileSync(this.path, "utf8").trim();
      this.mtimeMs = mtimeMs;
    }
    return this.token;
  }
}

export interface ClusterClientOptions {
  /** Per request. Default 10 s (k8s.io/apiserver's delegated-auth client timeout). */
  timeoutMs?: number;
  /**
   * Delays before each retry of a request whose connection failed before any answer (reset or
   * closed). Default 500, 750, 1125, 1688 ms: k8s.io/apiserver's webhook retry
   * backoff (500 ms × 1.5, 5 attempts). Every request this client sends is free of side
   * effects (reviews, reads), so a retry is safe. `[]` turns retries off.
   */
  retryDelaysMs?: readonly number[];
  /** How a retry waits; a test passes one that doesn't. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_RETRY_DELAYS_MS = [500, 750, 1125, 1688];

/** Connection failures that mean "try again" (k8s.io/apimachinery's IsConnectionReset / IsProbableEOF). */
const RETRIABLE_ERRNO = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

function retriable(error: Error & { code?: string }): boolean {
  return (error.code !== undefined && RETRIABLE_ERRNO.has(error.code)) || error.message === "socket hang up";
}

/** JSON over HTTPS to the cluster, with keep-alive connections. */
export class ClusterClient {
  private readonly agent: Agent;
  private readonly tokenFile?: TokenFile;
  private readonly timeoutMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly connection: ClusterConnection,
    options: ClusterClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.agent = new Agent({
      keepAlive: true,
      ...(connection.ca ? { ca: connection.ca } : {}),
      ...(connection.cert && connection.key ? { cert: connection.cert, key: connection.key } : {}),
      rejectUnauthorized: connection.insecureSkipTLSVerify !== true,
      ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
    });
    if (connection.tokenFile) this.tokenFile = new TokenFile(connection.tokenFile);
  }

  /**
   * Sends a request; any answer (also 4xx/5xx) resolves; no answer rejects with a Transport
   * error, after retrying a connection that failed before answering (a keep-alive connection
   * the cluster closed as it was reused). A refused connection is not retried: nobody is there.
   */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ClusterResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send<T>(method, path, body);
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        if (!(error instanceof ClusterRequestError) || error.retriable !== true || delay === undefined) throw error;
        await this.sleep(delay);
      }
    }
  }

  private send<T>(method: string, path: string, body?: unknown): Promise<ClusterResponse<T>> {
    const url = new URL(this.connection.server + path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { Accept: "application/json" };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = Buffer.byteLength(payload);
    }
    const token = this.tokenFile ? this.tokenFile.read() : this.connection.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (error) => reject(new ClusterRequestError("Transport", error.message)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as T });
          } catch {
            reject(
              new ClusterRequestError(
                "Decode",
                `${method} ${path}: ${res.statusCode} with a non-JSON body`,
                res.statusCode,
              ),
            );
          }
        });
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on("error", (error) => {
        const failed = new ClusterRequestError("Transport", `${method} ${url.href}: ${error.message}`);
        failed.retriable = retriable(error);
        reject(failed);
      });
      req.end(payload);
    });
  }

  /** A 2xx answer's body; any other status rejects with a Status error carrying the server's message. */
  async expect<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, body: answer } = await this.request<T>(method, path, body);
    if (status >= 200 && status < 300) return answer;
    const message = (answer as { message?: unknown }).message;
    throw new ClusterRequestError(
      "Status",
      `${method} ${path}: ${status}${typeof message === "string" ? ` ${message}` : ""}`,
      status,
    );
  }

  close(): void {
    this.agent.destroy();
  }
}
