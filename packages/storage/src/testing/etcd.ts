import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where Debian's etcd-server package puts the binary. */
export const ETCD_BINARY = "/usr/bin/etcd";
export const OPENSSL = "/usr/bin/openssl";

export interface StartEtcdOptions {
  binary?: string;
  /** etcd's periodic watch progress notification interval (--experimental-watch-progress-notify-interval). Default 1 s. */
  progressNotifyIntervalMs?: number;
  /** How long to wait for /health after a (re)start. Default 30 s. */
  startTimeoutMs?: number;
  /** Serve clients over TLS and require a client certificate signed by `trustedCaFile`. */
  tls?: EtcdServerTls;
  /** The client and peer ports to try (default: two free ones, chosen again on each attempt). */
  ports?: () => Promise<readonly [client: number, peer: number]>;
}

/** PEM files for etcd's --cert-file, --key-file and --trusted-ca-file. */
export interface EtcdServerTls {
  certFile: string;
  keyFile: string;
  trustedCaFile: string;
  /** A client certificate and key, for the health check while starting. */
  clientCertFile: string;
  clientKeyFile: string;
}

/** One etcd member on loopback ports with a temporary data directory, for tests. */
export interface EtcdProcess {
  /** The client URL, e.g. http://127.0.0.1:40123 (https:// with tls). */
  readonly endpoint: string;
  /** The pid of the running process (a new one after restart()). */
  readonly pid: number;
  readonly dataDir: string;
  /** Sends `signal` (default SIGKILL) and waits for the exit; the data directory stays for restart(). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts etcd again on the same ports and data directory and waits until it is healthy. */
  restart(): Promise<void>;
  /** Stops etcd (SIGTERM, then SIGKILL after 5 s) and removes its data directory. */
  stop(): Promise<void>;
}

/** Whether etcd tests can run here; they skip with a message only when the binary is absent. */
export function etcdAvailable(binary = ETCD_BINARY): boolean {
  return existsSync(binary);
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  // A crashed test run must not leave etcd members behind.
  for (const child of running) if (child.pid) process.kill(child.pid, "SIGKILL");
});

/**
 * Starts `/usr/bin/etcd` on free loopback client and peer ports and waits until it answers /health.
 * A port found free can be taken by another process before etcd binds it (test files run side by
 * side): etcd then exits with "address already in use", and it is started again on new ports.
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdOnce(options);
    } catch (error) {
      if (attempt >= 5 || !String((error as Error).message).includes("address already in use")) throw error;
    }
  }
}

async function startEtcdOnce(options: StartEtcdOptions): Promise<EtcdProcess> {
  const binary = options.binary ?? ETCD_BINARY;
  const dataDir = mkdtempSync(join(tmpdir(), "etcd-test-"));
  const [clientPort, peerPort] = options.ports ? await options.ports() : [await freePort(), await freePort()];
  const endpoint = `${options.tls ? "https" : "http"}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    "--name=test",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    "--initial-cluster-state=new",
    `--experimental-watch-progress-notify-interval=${options.progressNotifyIntervalMs ?? 1000}ms`,
    "--logger=zap",
    "--log-outputs=stderr",
    "--log-level=error",
    ...(options.tls
      ? [
          `--cert-file=${options.tls.certFile}`,
          `--key-file=${options.tls.keyFile}`,
          `--trusted-ca-file=${options.tls.trustedCaFile}`,
          "--client-cert-auth",
        ]
      : []),
  ];
  let child: ChildProcess;
  let output: string[] = [];

  const launch = async () => {
    output = [];
    child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    running.add(child);
    child.once("exit", () => running.delete(child));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      output.push(chunk);
      if (output.length > 50) output.shift();
    });
    await waitHealthy(endpoint, child, options.startTimeoutMs ?? 30_000, () => output.join(""), options.tls);
  };

  const signalAndWait = async (signal: NodeJS.Signals, graceMs?: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid as number, signal);
    if (graceMs === undefined) {
      await exited;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise((resolve) => {
      timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, "SIGKILL");
        resolve(undefined);
      }, graceMs);
    });
    await Promise.race([exited, forced]);
    clearTimeout(timer);
    await exited;
  };

  try {
    await launch();
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint,
    dataDir,
    get pid() {
      return child.pid as number;
    },
    kill: (signal = "SIGKILL") => signalAndWait(signal),
    restart: async () => {
      await signalAndWait("SIGKILL");
      await launch();
    },
    stop: async () => {
      await signalAndWait("SIGTERM", 5000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function waitHealthy(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  log: () => string,
  tls?: EtcdServerTls,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`etcd exited (${child.exitCode ?? child.signalCode}) while starting: ${log()}`);
    }
    if (await healthy(endpoint, tls)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (child.pid) process.kill(child.pid, "SIGKILL");
  throw new Error(`etcd at ${endpoint} did not become healthy within ${timeoutMs} ms: ${log()}`);
}

function healthy(endpoint: string, tls?: EtcdServerTls): Promise<boolean> {
  return new Promise((resolve) => {
    const url = `${endpoint}/health`;
    const onResponse = (response: IncomingMessage) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve(response.statusCode === 200 && body.includes('"health":"true"')));
    };
    const request = tls
      ? httpsGet(
          url,
          {
            timeout: 1000,
            ca: readFileSync(tls.trustedCaFile),
            cert: readFileSync(tls.clientCertFile),
            key: readFileSync(tls.clientKeyFile),
          },
          onResponse,
        )
      : get(url, { timeout: 1000 }, onResponse);
    request.on("error", () => resolve(false));
    request.on("timeout", () => {
      request.destroy();
      resolve(false);
    });
  });
}

/**
 * A CA, etcd's serving certificate for 127.0.0.1, a client certificate, and a second CA that
 * signed neither (for refusals), made with openssl in `dir`: what startEtcd({ tls }) and an
 * etcd client's --etcd-cafile/--etcd-certfile/--etcd-keyfile need.
 */
export function etcdTestCertificates(dir: string): EtcdServerTls & { otherCaFile: string } {
  const openssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: "pipe" });
  const key = (name: string) => openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
  const ca = (name: string) => {
    key(name);
    openssl("req", "-x509", "-new", "-key", `${name}.key`, "-out", `${name}.crt`, "-days", "1", "-subj", `/CN=${name}`);
  };
  const signed = (name: string, extensions: string) => {
    key(name);
    openssl("req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(
      "x509",
      ...["-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"],
      ...["-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`],
    );
  };
  ca("ca");
  ca("other-ca");
  signed("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  signed("client", "extendedKeyUsage=clientAuth\n");
  const file = (name: string) => join(dir, name);
  return {
    certFile: file("server.crt"),
    keyFile: file("server.key"),
    trustedCaFile: file("ca.crt"),
    clientCertFile: file("client.crt"),
    clientKeyFile: file("client.key"),
    otherCaFile: file("other-ca.crt"),
  };
}
