/**
 * A server in its own OS process (server-main.js under node), started on a free loopback
 * port, talked to over HTTPS with the local-mode admin certificate, and stopped or killed
 * by pid. Process-level tests need this: `kill -9`, restarts on the same data directory,
 * replicas sharing one etcd, and a heap that the test's own clients don't pollute.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureLocalPki } from "../../local/local-mode.js";
import { type ClientCredentials, HttpsClient } from "./https-client.js";

/** The entry script, beside this file in dist/. */
export const SERVER_MAIN = fileURLToPath(new URL("./server-main.js", import.meta.url));

export interface ServerProcessOptions {
  /** `--storage`. */
  storage: "memory" | "sqlite" | "etcd";
  /** `--data-dir`: the SQLite database lives in `<dataDir>/storage`. */
  dataDir: string;
  /** `--cert-dir`; replicas share one so that one client certificate works for all. Default: dataDir. */
  certDir?: string;
  /** `--etcd-servers`. */
  etcdServers?: string;
  /** More flags, e.g. `--etcd-compaction-interval=0`. */
  args?: readonly string[];
  /** Run node with --expose-gc so that probes report memory after a collection. */
  exposeGc?: boolean;
  /** How long to wait for the "serving" line. Default 30 s. */
  startTimeoutMs?: number;
  /** Connections the client pools. Default 64. */
  maxSockets?: number;
}

/** What a probe reports from inside the server process. */
export interface ServerProbe {
  id: number;
  /** process.getActiveResourcesInfo(): one entry per open handle or pending request. */
  resources: string[];
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** True when the numbers were taken after a full GC (node ran with --expose-gc). */
  collected: boolean;
  /** apiserver_longrunning_requests summed: watches still open on the server's side. */
  longRunningRequests: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const children = new Set<ChildProcess>();
process.once("exit", () => {
  // A failed test run must not leave servers behind.
  for (const child of children) if (child.pid) process.kill(child.pid, "SIGKILL");
});

export class ServerProcess {
  readonly client: HttpsClient;
  readonly exited: Promise<ProcessExit>;
  stdout = "";
  stderr = "";
  private exit?: ProcessExit;
  private nextProbe = 1;
  private readonly probes = new Map<number, (probe: ServerProbe) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly credentials: ClientCredentials,
    readonly options: ServerProcessOptions,
    exited: Promise<ProcessExit>,
  ) {
    this.exited = exited;
    void exited.then((exit) => {
      this.exit = exit;
    });
    this.client = new HttpsClient(url, credentials, { maxSockets: options.maxSockets ?? 64 });
    child.on("message", (message: ServerProbe) => {
      this.probes.get(message.id)?.(message);
      this.probes.delete(message.id);
    });
  }

  /** Spawns the server and resolves once it printed the URL it serves on. */
  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const certDir = options.certDir ?? options.dataDir;
    // Created here first, so that replicas starting together share one CA instead of racing to write it.
    const pki = ensureLocalPki(certDir);
    const args = [
      ...(options.exposeGc ? ["--expose-gc"] : []),
      SERVER_MAIN,
      "--secure-port=0",
      "--bind-address=127.0.0.1",
      `--storage=${options.storage}`,
      `--data-dir=${options.dataDir}`,
      `--cert-dir=${certDir}`,
      ...(options.etcdServers ? [`--etcd-servers=${options.etcdServers}`] : []),
      ...(options.args ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe", "ipc"] });
    children.add(child);
    const exited = new Promise<ProcessExit>((resolve) =>
      child.once("exit", (code, signal) => {
        children.delete(child);
        resolve({ code, signal });
      }),
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(
          new Error(`the server did not start within ${options.startTimeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`),
        );
      }, options.startTimeoutMs ?? 30_000);
      child.stdout?.on("data", (chunk: string) => {
        stdout += chunk;
        const match = /^serving .* on (https:\/\/\S+)$/m.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.stderr?.on("data", (chunk: string) => {
        stderr += chunk;
      });
      void exited.then((exit) => {
        clearTimeout(timer);
        reject(
          new ServerStartError(
            `the server exited (${exit.code ?? exit.signal}) before serving\nstdout: ${stdout}\nstderr: ${stderr}`,
            stderr,
          ),
        );
      });
    });
    const server = new ServerProcess(
      child,
      url,
      { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key },
      options,
      exited,
    );
    server.stdout = stdout;
    server.stderr = stderr;
    child.stdout?.on("data", (chunk: string) => {
      server.stdout += chunk;
    });
    child.stderr?.on("data", (chunk: string) => {
      server.stderr += chunk;
    });
    return server;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Undefined while the process runs. */
  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  /** Sends `signal` (default SIGKILL, i.e. `kill -9`) to the pid and waits for the exit. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<ProcessExit> {
    this.client.close();
    if (this.exit) return this.exit;
    process.kill(this.pid, signal);
    return this.exited;
  }

  /** SIGTERM (a graceful stop), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    this.client.close();
    if (this.exit) return this.exit;
    process.kill(this.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (!this.exit) process.kill(this.pid, "SIGKILL");
    }, graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Asks the server process for its open handles and memory (after GC when started with exposeGc). */
  probe(timeoutMs = 10_000): Promise<ServerProbe> {
    const id = this.nextProbe++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.probes.delete(id);
        reject(new Error(`the server did not answer probe ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.probes.set(id, (probe) => {
        clearTimeout(timer);
        resolve(probe);
      });
      this.child.send({ type: "probe", id });
    });
  }
}

/** The server exited before serving; `stderr` says why (e.g. a data directory in use). */
export class ServerStartError extends Error {
  override readonly name = "ServerStartError";
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}
