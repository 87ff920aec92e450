/**
 * A runtime API server that can be stopped and started again on the same port, data
 * directory and storage, like a server process being restarted. The runtime test kit's
 * `startTestServer` binds port 0 and closes its storage on close, so it can't do this.
 * Test support only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiServer, type ApiServerConfig, localMode, type ResourceDefinition } from "@apiserver-kit/runtime";
import { MemoryStorage, type Storage } from "@apiserver-kit/storage";
import { type RestConfig, restConfigFromKubeconfigFile } from "../client/rest-config.js";
import { testResources } from "./fixtures.js";

export interface RestartableServerOptions {
  resources?: readonly ResourceDefinition[];
  storage?: Storage;
  handlerOptions?: ApiServerConfig["handlerOptions"];
  /** Keeps the PKI and kubeconfig here (a process restarted on it reuses them). Default: a temp dir, removed on dispose. */
  dataDir?: string;
  /** Default 0: a free port the first time. */
  port?: number;
}

export class RestartableServer {
  readonly storage: Storage;
  readonly dataDir: string;
  private readonly local;
  private server: ApiServer | undefined;
  port = 0;
  kubeconfig = "";

  constructor(private readonly options: RestartableServerOptions = {}) {
    this.storage = options.storage ?? new MemoryStorage();
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "controller-test-"));
    this.local = localMode(this.dataDir);
    this.port = options.port ?? 0;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Listens: on a free port the first time, on the same port after a stop. */
  async start(): Promise<void> {
    const server = new ApiServer({
      resources: this.options.resources ?? testResources,
      storage: this.storage,
      tls: this.local.tls,
      authenticator: this.local.authenticator,
      authorizer: this.local.authorizer,
      ...(this.options.handlerOptions ? { handlerOptions: this.options.handlerOptions } : {}),
    });
    const address = await server.listen(this.port, "127.0.0.1");
    this.server = server;
    if (!this.kubeconfig) {
      this.port = address.port;
      this.kubeconfig = this.local.writeKubeconfig(this.url);
    }
  }

  /** Closes the listener and every connection (watches included); the storage stays. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }

  restConfig(): Promise<RestConfig> {
    return restConfigFromKubeconfigFile(this.kubeconfig);
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.storage.close();
    if (!this.options.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function startServer(options: RestartableServerOptions = {}): Promise<RestartableServer> {
  const server = new RestartableServer(options);
  await server.start();
  return server;
}
