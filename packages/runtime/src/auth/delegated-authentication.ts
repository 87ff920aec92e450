/**
 * Delegated authentication, as k8s.io/apiserver's DelegatingAuthenticationOptions builds
 * it: front-proxy (requestheader) certificates, then client certificates, then bearer
 * tokens by TokenReview; anonymous when none applies. The CAs and requestheader settings
 * come from flags' files or, for what the flags leave out, from the ConfigMap
 * kube-system/extension-apiserver-authentication that kube-apiserver publishes. Both are
 * re-read on an interval and take effect without a restart.
 */
import { readFileSync } from "node:fs";
import { type Clock, systemClock } from "@apiserver-kit/storage";
import type { UserInfo } from "../api/meta.js";
import type { HttpRequest } from "../server/http.js";
import type { ClusterClient } from "./cluster-client.js";
import { DEFAULT_REQUEST_HEADERS, RequestHeaderAuthenticator, type RequestHeaderSettings } from "./request-header.js";
import { TokenReviewAuthenticator } from "./token-review.js";
import { type Authenticator, unionAuthenticator } from "./types.js";
import { ClientCertificateAuthenticator, parseCertificates } from "./x509-authenticator.js";

export const AUTHENTICATION_CONFIGMAP_NAMESPACE = "kube-system";
export const AUTHENTICATION_CONFIGMAP_NAME = "extension-apiserver-authentication";
const CONFIGMAP_PATH = `/api/v1/namespaces/${AUTHENTICATION_CONFIGMAP_NAMESPACE}/configmaps/${AUTHENTICATION_CONFIGMAP_NAME}`;

export interface RequestHeaderFlags {
  clientCAFile: string;
  allowedNames?: readonly string[];
  usernameHeaders?: readonly string[];
  groupHeaders?: readonly string[];
  extraHeaderPrefixes?: readonly string[];
}

export interface DelegatedAuthenticationOptions {
  /** --client-ca-file: client certificates signed by these CAs name the user (CN) and groups (O). */
  clientCAFile?: string;
  /** CAs trusted for client certificates besides those (local mode's CA), as PEM. */
  extraClientCA?: string;
  /** --requestheader-*: set, it replaces the ConfigMap's requestheader settings. */
  requestHeader?: RequestHeaderFlags;
  /** The cluster, for TokenReview and the ConfigMap; absent: neither. */
  client?: Pick<ClusterClient, "expect" | "request">;
  /** Read the ConfigMap (the opposite of --authentication-skip-lookup). Default true with a client. */
  lookup?: boolean;
  /** Start even when the ConfigMap can't be read (--authentication-tolerate-lookup-failure). */
  tolerateLookupFailure?: boolean;
  /** TokenReview answers are kept this long (--authentication-token-webhook-cache-ttl). */
  tokenCacheTtlMs?: number;
  audiences?: string[];
  /** How often files and the ConfigMap are re-read. Default 10 s. */
  refreshIntervalMs?: number;
  clock?: Clock;
  /** Warnings: a ConfigMap that can't be read, an unreadable CA file. */
  log?: (line: string) => void;
}

/** What the ConfigMap and the files say, merged: flags win, the ConfigMap fills the rest. */
export interface AuthenticationSettings {
  clientCA: string;
  requestHeader?: RequestHeaderSettings;
}

/** Why delegated authentication can't start. */
export class AuthenticationConfigError extends Error {
  override readonly name = "AuthenticationConfigError";
  constructor(
    readonly reason: "LookupFailed" | "UnreadableFile" | "InvalidConfigMap",
    message: string,
  ) {
    super(message);
  }
}

/** A JSON string array, as kube-apiserver writes list values into the ConfigMap. */
function stringList(text: string | undefined, key: string): string[] {
  if (text === undefined || text === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuthenticationConfigError("InvalidConfigMap", `${key} in the ConfigMap is not a JSON list: ${text}`);
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new AuthenticationConfigError("InvalidConfigMap", `${key} in the ConfigMap is not a list of strings`);
  }
  return value as string[];
}

/** The ConfigMap's data as settings (pieces it lacks are left out). */
export function settingsFromConfigMap(data: Record<string, string>): Partial<AuthenticationSettings> {
  const settings: Partial<AuthenticationSettings> = {};
  if (data["client-ca-file"]) settings.clientCA = data["client-ca-file"];
  const proxyCA = data["requestheader-client-ca-file"];
  if (proxyCA) {
    settings.requestHeader = {
      clientCA: proxyCA,
      allowedNames: stringList(data["requestheader-allowed-names"], "requestheader-allowed-names"),
      usernameHeaders: stringList(data["requestheader-username-headers"], "requestheader-username-headers"),
      groupHeaders: stringList(data["requestheader-group-headers"], "requestheader-group-headers"),
      extraHeaderPrefixes: stringList(data["requestheader-extra-headers-prefix"], "requestheader-extra-headers-prefix"),
    };
  }
  return settings;
}

function readFile(path: string, flag: string): string {
  try {
    const text = readFileSync(path, "utf8");
    if (parseCertificates(text).length === 0) throw new Error("no PEM certificate in it");
    return text;
  } catch (error) {
    throw new AuthenticationConfigError(
      "UnreadableFile",
      `--${flag} ${path} can't be used: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export class DelegatedAuthentication implements Authenticator {
  readonly requestHeader = new RequestHeaderAuthenticator();
  readonly clientCertificates: ClientCertificateAuthenticator;
  readonly tokens?: TokenReviewAuthenticator;
  private readonly union: Authenticator;
  private readonly clock: Clock;
  private readonly listeners = new Set<() => void>();
  private fingerprint = "";
  private settings: AuthenticationSettings = { clientCA: "" };
  private timer: unknown;
  private closed = false;

  private constructor(private readonly options: DelegatedAuthenticationOptions) {
    this.clock = options.clock ?? systemClock;
    this.clientCertificates = new ClientCertificateAuthenticator("", { strict: true });
    const authenticators: Authenticator[] = [this.requestHeader, this.clientCertificates];
    if (options.client) {
      this.tokens = new TokenReviewAuthenticator({
        client: options.client,
        ...(options.tokenCacheTtlMs !== undefined ? { cacheTtlMs: options.tokenCacheTtlMs } : {}),
        ...(options.audiences ? { audiences: options.audiences } : {}),
        clock: this.clock,
        onError: (error) => options.log?.(`TokenReview failed: ${error.message}`),
      });
      authenticators.push(this.tokens);
    }
    this.union = unionAuthenticator(...authenticators);
  }

  /** Reads the files and the ConfigMap once, then keeps re-reading them. */
  static async start(options: DelegatedAuthenticationOptions): Promise<DelegatedAuthentication> {
    const authentication = new DelegatedAuthentication(options);
    await authentication.refresh({ initial: true });
    authentication.schedule();
    return authentication;
  }

  authenticate(req: HttpRequest): Promise<UserInfo | null> | UserInfo | null {
    return this.union.authenticate(req);
  }

  sanitize(req: HttpRequest): void {
    this.requestHeader.sanitize(req);
  }

  /** The settings in force. */
  get current(): Readonly<AuthenticationSettings> {
    return this.settings;
  }

  /** Every CA whose client certificates are accepted, for the CA list the TLS handshake sends. */
  clientCABundle(): string {
    return [this.settings.clientCA, this.settings.requestHeader?.clientCA ?? ""].filter(Boolean).join("\n");
  }

  /** Called after the settings changed. Returns a function that unregisters. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Re-reads the files and the ConfigMap now. A failure keeps the settings in force (and
   * is logged), except on the first read, where it stops the server from starting unless
   * lookup failures are tolerated.
   */
  async refresh(options: { initial?: boolean } = {}): Promise<void> {
    let next: AuthenticationSettings;
    try {
      next = await this.load(options.initial === true);
    } catch (error) {
      if (options.initial) throw error;
      this.options.log?.(`authentication settings not reloaded: ${(error as Error).message}`);
      return;
    }
    const fingerprint = JSON.stringify(next);
    if (fingerprint === this.fingerprint) return;
    this.fingerprint = fingerprint;
    this.settings = next;
    this.clientCertificates.setCA(next.clientCA);
    this.requestHeader.update(next.requestHeader);
    if (!options.initial) for (const listener of this.listeners) listener();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer as never);
  }

  private schedule(): void {
    if (this.closed) return;
    const handle = this.clock.setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.options.refreshIntervalMs ?? 10_000);
    (handle as { unref?: () => void }).unref?.();
    this.timer = handle;
  }

  private async load(initial: boolean): Promise<AuthenticationSettings> {
    const { options } = this;
    const fromFlags: Partial<AuthenticationSettings> = {};
    if (options.clientCAFile) fromFlags.clientCA = readFile(options.clientCAFile, "client-ca-file");
    const rh = options.requestHeader;
    if (rh) {
      fromFlags.requestHeader = {
        clientCA: readFile(rh.clientCAFile, "requestheader-client-ca-file"),
        allowedNames: [...(rh.allowedNames ?? [])],
        usernameHeaders: [...(rh.usernameHeaders ?? DEFAULT_REQUEST_HEADERS.usernameHeaders)],
        groupHeaders: [...(rh.groupHeaders ?? DEFAULT_REQUEST_HEADERS.groupHeaders)],
        extraHeaderPrefixes: [...(rh.extraHeaderPrefixes ?? DEFAULT_REQUEST_HEADERS.extraHeaderPrefixes)],
      };
    }
    const needsLookup = !fromFlags.clientCA || !fromFlags.requestHeader;
    let fromCluster: Partial<AuthenticationSettings> = {};
    if (options.client && options.lookup !== false && needsLookup) {
      try {
        fromCluster = await this.lookup();
      } catch (error) {
        if (!(initial && options.tolerateLookupFailure)) throw error;
        options.log?.(`${(error as Error).message}; going on without it (--authentication-tolerate-lookup-failure)`);
      }
    }
    const clientCA = [fromFlags.clientCA ?? fromCluster.clientCA ?? "", options.extraClientCA ?? ""]
      .filter(Boolean)
      .join("\n");
    const requestHeader = fromFlags.requestHeader ?? fromCluster.requestHeader;
    return { clientCA, ...(requestHeader ? { requestHeader } : {}) };
  }

  private async lookup(): Promise<Partial<AuthenticationSettings>> {
    const client = this.options.client as Pick<ClusterClient, "request">;
    let answer: { status: number; body: { data?: Record<string, string>; message?: string } };
    try {
      answer = await client.request("GET", CONFIGMAP_PATH);
    } catch (error) {
      throw new AuthenticationConfigError(
        "LookupFailed",
        `unable to load configmap ${AUTHENTICATION_CONFIGMAP_NAMESPACE}/${AUTHENTICATION_CONFIGMAP_NAME}: ${(error as Error).message}`,
      );
    }
    // No ConfigMap: a cluster without aggregation set up; flags alone decide.
    if (answer.status === 404) return {};
    if (answer.status === 403) {
      throw new AuthenticationConfigError(
        "LookupFailed",
        `unable to get configmap/${AUTHENTICATION_CONFIGMAP_NAME} in ${AUTHENTICATION_CONFIGMAP_NAMESPACE} (403: ${answer.body.message ?? "forbidden"}). Usually fixed by 'kubectl create rolebinding -n kube-system ROLEBINDING_NAME --role=extension-apiserver-authentication-reader --serviceaccount=YOUR_NS:YOUR_SA'`,
      );
    }
    if (answer.status !== 200) {
      throw new AuthenticationConfigError(
        "LookupFailed",
        `unable to load configmap ${AUTHENTICATION_CONFIGMAP_NAMESPACE}/${AUTHENTICATION_CONFIGMAP_NAME}: ${answer.status} ${answer.body.message ?? ""}`.trim(),
      );
    }
    return settingsFromConfigMap(answer.body.data ?? {});
  }
}
