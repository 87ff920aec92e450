/**
 * The test kit: start a real server (TLS, local-mode certificates, a kubeconfig) on a
 * free loopback port in this process, and talk to it over HTTPS as a client would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStorage, type Storage } from "@apiserver-kit/storage";
import { type RunningServer, runServer } from "../app/run-server.js";
import type { Authenticator, Authorizer } from "../auth/types.js";
import { type LocalMode, localMode } from "../local/local-mode.js";
import type { ResourceDefinition } from "../model/resource.js";
import type { Clock } from "../registry/generic-store.js";
import { ApiServer, type ApiServerConfig, type NonApiHandler } from "../server/api-server.js";
import { wardleDefinitions } from "./fixtures.js";

export interface TestServerOptions {
  resources?: readonly ResourceDefinition[];
  storage?: Storage;
  authenticator?: Authenticator;
  authorizer?: Authorizer;
  nonApiHandler?: NonApiHandler;
  clock?: Clock;
  handlerOptions?: ApiServerConfig["handlerOptions"];
  /** A fixed port (default: a free one), e.g. to restart a server where clients expect it. */
  port?: number;
  /** Leave the storage open on close (to start another server on it). */
  keepStorage?: boolean;
  /** Any other server settings (watch cache, admission, timeouts...). */
  server?: Partial<ApiServerConfig>;
  /** Reuse a data directory (certificates, kubeconfig); default: a fresh temp dir removed on close. */
  dataDir?: string;
}

export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON. */
  json<T = Record<string, unknown>>(): T;
}

export interface TestRequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send no client certificate (an anonymous request). */
  anonymous?: boolean;
  /** A client certificate other than local admin's. */
  clientCert?: { cert: string; key: string };
}

export interface TestServer {
  server: ApiServer;
  storage: Storage;
  url: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  local: LocalMode;
  request(path: string, options?: TestRequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "apiserver-kit-test-"));
  const local = localMode(dataDir);
  const storage = options.storage ?? new MemoryStorage();
  const server = new ApiServer({
    resources: options.resources ?? wardleDefinitions,
    storage,
    tls: local.tls,
    authenticator: options.authenticator ?? local.authenticator,
    authorizer: options.authorizer ?? local.authorizer,
    ...(options.nonApiHandler ? { nonApiHandler: options.nonApiHandler } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.handlerOptions ? { handlerOptions: options.handlerOptions } : {}),
    ...options.server,
  });
  const address = await server.listen(options.port ?? 0, "127.0.0.1");
  const url = `https://127.0.0.1:${address.port}`;
  const kubeconfig = local.writeKubeconfig(url);
  return {
    server,
    storage,
    url,
    port: address.port,
    dataDir,
    kubeconfig,
    local,
    request: (path, requestOptions = {}) => testRequest(address.port, local, path, requestOptions),
    async close() {
      await server.close();
      if (!options.keepStorage) await storage.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function testRequest(port: number, local: LocalMode, path: string, options: TestRequestOptions): Promise<TestResponse> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const client = options.anonymous ? undefined : (options.clientCert ?? local.pki.admin);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        ca: local.pki.ca.cert,
        ...(client ? { cert: client.cert, key: client.key } : {}),
        headers: {
          ...(body !== undefined
            ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }
            : {}),
          ...options.headers,
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * The wardle kinds served by `runServer` as a user runs it (local mode, memory storage, no
 * controllers) on a free loopback port, with the data and certificates in `dataDir` and these
 * extra flags. Stop it with `stop()`.
 */
export async function runLocalServer(dataDir: string, flags: readonly string[] = []): Promise<RunningServer> {
  const running = await runServer({
    name: "wardle-server",
    resources: wardleDefinitions,
    argv: [
      "--secure-port=0",
      "--bind-address=127.0.0.1",
      "--storage=memory",
      `--data-dir=${dataDir}`,
      "--run-controllers=false",
      ...flags,
    ],
    signals: false,
    environment: {},
    log: () => {},
  });
  if (!running) throw new Error("runServer did not start a server");
  return running;
}
