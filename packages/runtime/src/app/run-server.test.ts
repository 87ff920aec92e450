import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { etcdAvailable, etcdTestCertificates, OPENSSL, startEtcd } from "@apiserver-kit/storage/testing";
import { parse } from "yaml";
import { createCA, issueCertificate } from "../certs/x509.js";
import { createLogger } from "../observability/logging.js";
import { wardleDefinitions } from "../testing/fixtures.js";
import { ServerFlagError } from "./flags.js";
import { type ControllerContext, type RunningServer, runServer, type SignalSource } from "./run-server.js";

interface Kubeconfig {
  clusters: Array<{ cluster: { server: string; "certificate-authority-data": string } }>;
  users: Array<{ user: { "client-certificate-data": string; "client-key-data": string } }>;
}

/** GET `path` as the kubeconfig's user, trusting the kubeconfig's CA. */
function getWithKubeconfig(path: string, kubeconfigPath: string, method = "GET", body?: unknown) {
  const config = parse(readFileSync(kubeconfigPath, "utf8")) as Kubeconfig;
  const cluster = config.clusters[0]?.cluster;
  const user = config.users[0]?.user;
  assert.ok(cluster && user);
  const b64 = (text: string) => Buffer.from(text, "base64").toString();
  const url = new URL(path, cluster.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; json: Record<string, unknown>; peerCert: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: b64(cluster["certificate-authority-data"]),
        cert: b64(user["client-certificate-data"]),
        key: b64(user["client-key-data"]),
        agent: false,
        headers: payload ? { "content-type": "application/json" } : {},
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(text || "{}") as Record<string, unknown>,
            peerCert: String(peer.subject?.CN ?? ""),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

class FakeSignals implements SignalSource {
  readonly listeners = new Map<string, Set<() => void>>();
  on(signal: string, listener: () => void) {
    const set = this.listeners.get(signal) ?? new Set();
    set.add(listener);
    this.listeners.set(signal, set);
  }
  off(signal: string, listener: () => void) {
    this.listeners.get(signal)?.delete(listener);
  }
  emit(signal: string) {
    for (const listener of [...(this.listeners.get(signal) ?? [])]) listener();
  }
  count() {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
}

const flunder = (name: string) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name },
  spec: { reference: "x" },
});

describe("runServer", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "run-server-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const start = (argv: string[], extra: Partial<Parameters<typeof runServer>[0]> = {}) => {
    const lines: string[] = [];
    const running = runServer({
      name: "wardle-server",
      resources: wardleDefinitions,
      argv: ["--bind-address", "127.0.0.1", "--secure-port", "0", ...argv],
      cwd: dir,
      log: (line) => lines.push(line),
      signals: false,
      ...extra,
    });
    return { running, lines };
  };

  it("serves in local mode, prints the kubeconfig export and runs the controllers until stopped", async () => {
    const contexts: ControllerContext[] = [];
    let aborted = false;
    const { running, lines } = start(["--storage", "memory", "--data-dir", "local"], {
      controllers: [
        {
          name: "flunder",
          run: (context) => {
            contexts.push(context);
            return new Promise((resolve) =>
              context.signal.addEventListener("abort", () => {
                aborted = true;
                resolve();
              }),
            );
          },
        },
      ],
    });
    const server = (await running) as RunningServer;
    try {
      assert.equal(server.kubeconfig, join(dir, "local", "kubeconfig"));
      assert.ok(lines.includes(`export KUBECONFIG=${server.kubeconfig}`), lines.join("\n"));
      assert.match(
        lines[0] ?? "",
        new RegExp(`^serving wardle.example.com/v1alpha1 on https://127.0.0.1:${server.port}$`),
      );
      assert.ok(lines.includes("controllers: flunder"));
      assert.equal(contexts[0]?.kubeconfig, server.kubeconfig);
      assert.equal(contexts[0]?.serverURL, server.url);
      const created = await getWithKubeconfig(
        "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders",
        server.kubeconfig ?? "",
        "POST",
        flunder("one"),
      );
      assert.equal(created.status, 201);
      assert.equal(created.peerCert, "localhost");
      // No garbage collector runs in local mode: a foreground delete adds no finalizer for it.
      const one = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/one";
      const deleted = await getWithKubeconfig(`${one}?propagationPolicy=Foreground`, server.kubeconfig ?? "", "DELETE");
      assert.equal(deleted.status, 200);
      assert.equal((await getWithKubeconfig(one, server.kubeconfig ?? "")).status, 404);
      // kubectl talks to it as to a cluster and finds the core group, with no resources here.
      const core = await getWithKubeconfig("/api/v1", server.kubeconfig ?? "");
      assert.deepEqual(core.json, { kind: "APIResourceList", groupVersion: "v1", resources: [] });
    } finally {
      await server.stop();
    }
    assert.equal(aborted, true);
    assert.equal(lines.at(-1), "stopped");
    await server.stopped;
  });

  it("gives the server the logger it is passed: one line per request", async () => {
    const logged: string[] = [];
    const { running } = start(["--storage", "memory", "--data-dir", "logged"], {
      logger: createLogger({ level: "info", destination: { write: (line: string) => logged.push(line) } }),
    });
    const server = (await running) as RunningServer;
    try {
      const list = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
      assert.equal((await getWithKubeconfig(list, server.kubeconfig ?? "")).status, 200);
      const lines = logged.map((line) => JSON.parse(line) as Record<string, unknown>);
      const request = lines.find((line) => line.msg === "request" && line.path === list);
      assert.ok(request, logged.join(""));
      assert.equal(request.verb, "list");
      assert.equal(request.code, 200);
      assert.equal(request.user, "admin");
    } finally {
      await server.stop();
    }
  });

  it("keeps objects on SQLite across restarts and reuses the local certificates", async () => {
    const args = ["--storage", "sqlite", "--data-dir", "durable"];
    const first = (await start(args).running) as RunningServer;
    const ca = readFileSync(join(dir, "durable", "pki", "ca.crt"), "utf8");
    try {
      const path = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
      assert.equal((await getWithKubeconfig(path, first.kubeconfig ?? "", "POST", flunder("kept"))).status, 201);
    } finally {
      await first.stop();
    }
    const second = (await start(args).running) as RunningServer;
    try {
      const got = await getWithKubeconfig(
        "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/kept",
        second.kubeconfig ?? "",
      );
      assert.equal(got.status, 200);
      assert.equal(readFileSync(join(dir, "durable", "pki", "ca.crt"), "utf8"), ca);
    } finally {
      await second.stop();
    }
  });

  it("stores in etcd under --etcd-prefix", { skip: !etcdAvailable() && "etcd is not installed" }, async () => {
    const etcd = await startEtcd();
    try {
      const { running, lines } = start([
        "--storage=etcd",
        `--etcd-servers=${etcd.endpoint}`,
        "--etcd-prefix=/registry/wardle-test",
        "--data-dir=etcd",
      ]);
      const server = (await running) as RunningServer;
      try {
        assert.ok(lines.includes(`storage: etcd at ${etcd.endpoint} under /registry/wardle-test`), lines.join("\n"));
        const path = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
        assert.equal((await getWithKubeconfig(path, server.kubeconfig ?? "", "POST", flunder("in-etcd"))).status, 201);
        assert.equal(await server.storage.count("/registry/wardle.example.com/flunders/"), 1);
      } finally {
        await server.stop();
      }
    } finally {
      await etcd.stop();
    }
  });

  it(
    "talks TLS to etcd with --etcd-cafile, --etcd-certfile and --etcd-keyfile",
    { skip: (!etcdAvailable() || !existsSync(OPENSSL)) && "etcd or openssl is not installed" },
    async () => {
      const files = etcdTestCertificates(mkdtempSync(join(dir, "etcd-pki-")));
      const etcd = await startEtcd({ tls: files });
      try {
        const { running, lines } = start([
          "--storage=etcd",
          `--etcd-servers=${etcd.endpoint}`,
          `--etcd-cafile=${files.trustedCaFile}`,
          `--etcd-certfile=${files.clientCertFile}`,
          `--etcd-keyfile=${files.clientKeyFile}`,
          "--data-dir=etcd-tls",
        ]);
        const server = (await running) as RunningServer;
        try {
          assert.ok(etcd.endpoint.startsWith("https://"));
          assert.ok(lines.includes(`storage: etcd at ${etcd.endpoint} under /registry`), lines.join("\n"));
          const path = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
          const created = await getWithKubeconfig(path, server.kubeconfig ?? "", "POST", flunder("over-tls"));
          assert.equal(created.status, 201);
          assert.equal(await server.storage.count("/registry/wardle.example.com/flunders/"), 1);
        } finally {
          await server.stop();
        }
        // Without the client certificate etcd refuses the connection: the server says so and stops.
        await assert.rejects(
          start([
            "--storage=etcd",
            `--etcd-servers=${etcd.endpoint}`,
            `--etcd-cafile=${files.trustedCaFile}`,
            "--data-dir=etcd-tls-refused",
          ]).running,
          /did not answer/,
        );
      } finally {
        await etcd.stop();
      }
    },
  );

  it("says so when etcd does not answer", async () => {
    await assert.rejects(
      start(["--storage=etcd", "--etcd-servers=http://127.0.0.1:1", "--data-dir=noetcd"]).running,
      /etcd at http:\/\/127.0.0.1:1 did not answer .*check --etcd-servers/,
    );
  });

  it("names the --etcd-* TLS file it can't read, whatever the URL's scheme (as kube-apiserver reads them first)", async () => {
    const missing = join(dir, "no-such-ca.crt");
    for (const url of ["https://127.0.0.1:1", "http://127.0.0.1:1"]) {
      await assert.rejects(
        start([`--storage=etcd`, `--etcd-servers=${url}`, `--etcd-cafile=${missing}`, "--data-dir=noetcd"]).running,
        (error: Error) => error.message.startsWith(`--etcd-cafile ${missing} can't be read (ENOENT`),
      );
    }
    await assert.rejects(
      start([
        "--storage=etcd",
        "--etcd-servers=http://127.0.0.1:1",
        `--etcd-certfile=${join(dir, "client.crt")}`,
        `--etcd-keyfile=${join(dir, "client.key")}`,
        "--data-dir=noetcd",
      ]).running,
      /^Error: --etcd-certfile \S+client\.crt can't be read \(ENOENT/,
    );
  });

  it("serves the certificate files it is given", async () => {
    const ca = createCA("cluster-ca");
    const serving = issueCertificate(ca, {
      subject: { commonName: "wardle-server.wardle.svc" },
      usages: ["serverAuth"],
      altNames: ["wardle-server.wardle.svc", "127.0.0.1"],
    });
    writeFileSync(join(dir, "tls.crt"), serving.cert);
    writeFileSync(join(dir, "tls.key"), serving.key);
    const { running, lines } = start([
      "--storage=memory",
      "--data-dir=files",
      "--tls-cert-file=tls.crt",
      "--tls-private-key-file=tls.key",
    ]);
    const server = (await running) as RunningServer;
    try {
      assert.equal(server.kubeconfig, undefined);
      assert.ok(!lines.some((line) => line.startsWith("export KUBECONFIG")));
      const peer = await new Promise<string>((resolve, reject) => {
        const req = request(`${server.url}/healthz`, { ca: ca.cert, agent: false }, (res) => {
          resolve(String((res.socket as TLSSocket).getPeerCertificate().subject.CN));
          res.resume();
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(peer, "wardle-server.wardle.svc");
    } finally {
      await server.stop();
    }
  });

  it("prints --help and serves nothing", async () => {
    const { running, lines } = start(["--help"]);
    assert.equal(await running, undefined);
    assert.match(lines.join("\n"), /--etcd-compaction-interval <duration>/);
  });

  it("says which port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as import("node:net").AddressInfo).port;
    try {
      await assert.rejects(
        runServer({
          name: "s",
          resources: wardleDefinitions,
          argv: ["--storage=memory", "--bind-address=127.0.0.1", `--secure-port=${port}`, "--data-dir=busy"],
          cwd: dir,
          log: () => {},
          signals: false,
        }),
        (error: unknown) =>
          error instanceof ServerFlagError && error.flag === "secure-port" && /is in use/.test(error.message),
      );
    } finally {
      blocker.close();
    }
  });

  it("stops on SIGTERM and removes its signal listeners", async () => {
    const signals = new FakeSignals();
    const { running, lines } = start(["--storage", "memory", "--data-dir", "signals"], { signals });
    const server = (await running) as RunningServer;
    assert.equal(signals.count(), 2);
    signals.emit("SIGTERM");
    signals.emit("SIGINT");
    await server.stopped;
    assert.equal(lines.filter((line) => line.startsWith("stopping")).length, 1, "a second signal changes nothing");
    assert.equal(signals.count(), 0);
  });

  it("exits cleanly on a real SIGINT to its process", async () => {
    const script = join(dir, "serve.mjs");
    const runtime = fileURLToPath(new URL("../index.js", import.meta.url));
    const fixtures = fileURLToPath(new URL("../testing/fixtures.js", import.meta.url));
    writeFileSync(
      script,
      `import { runServerMain } from ${JSON.stringify(runtime)};
import { wardleDefinitions } from ${JSON.stringify(fixtures)};
await runServerMain({ name: "s", resources: wardleDefinitions, argv: process.argv.slice(2) });
`,
    );
    const child = spawn(process.execPath, [script, "--storage=memory", "--secure-port=0", "--bind-address=127.0.0.1"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let signalled = false;
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (!signalled && out.includes("export KUBECONFIG=") && child.pid !== undefined) {
        signalled = true;
        process.kill(child.pid, "SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, out);
    assert.match(out, /stopping \(a signal was received\)\nstopped\n$/);
  });

  it("exits with 2 and a pointer to --help on a bad flag", async () => {
    const script = join(dir, "bad.mjs");
    const runtime = fileURLToPath(new URL("../index.js", import.meta.url));
    writeFileSync(
      script,
      `import { runServerMain } from ${JSON.stringify(runtime)};
await runServerMain({ name: "widgets-server", resources: [], argv: process.argv.slice(2) });
`,
    );
    const child = spawn(process.execPath, [script, "--storage=etcd"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 2);
    assert.match(err, /^error: --storage etcd needs --etcd-servers/);
    assert.match(err, /Run widgets-server --help for the flags\./);
  });
});
