/**
 * Serving limits and TLS settings from the flags: past --max-requests-inflight a request gets
 * 429 with Retry-After (system:masters and watches excepted); --tls-min-version refuses older
 * handshakes; the client certificate is requested, never required.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect } from "node:tls";
import { type RunningServer, runServer } from "../app/run-server.js";
import type { Authorizer } from "../auth/types.js";
import { issueCertificate, loadCA } from "../certs/x509.js";
import { runLocalServer, startTestServer, type TestServer } from "../testing/test-server.js";

describe("in-flight limits", () => {
  let server: TestServer;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  // bob's lists wait at authorization: they stay in flight as long as the test wants.
  const authorizer: Authorizer = {
    async authorize({ user, verb }) {
      if (user.name === "bob" && verb === "list") await held;
      return { decision: "allow" };
    },
  };

  before(async () => {
    server = await startTestServer({
      authorizer,
      server: { inflight: { maxRequestsInflight: 1, maxMutatingRequestsInflight: 1 } },
    });
  });

  after(async () => {
    release();
    await server?.close();
  });

  it("answers 429 with Retry-After past the limit, except to system:masters and watches", async () => {
    const bob = issueCertificate(loadCA(server.local.pki.ca), {
      subject: { commonName: "bob" },
      usages: ["clientAuth"],
    });
    const path = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
    const first = server.request(path, { clientCert: bob });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await server.request(path, { clientCert: bob });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers["retry-after"], "1");
    assert.equal(refused.json().reason, "TooManyRequests");
    const write = await server.request(path, {
      method: "POST",
      clientCert: bob,
      body: { apiVersion: "wardle.example.com/v1alpha1", kind: "Flunder", metadata: { name: "w" } },
    });
    assert.equal(write.status, 201, "writes count apart from reads");
    assert.equal((await server.request(path)).status, 200, "system:masters always gets an answer");
    const watch = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}${path}?watch=true&timeoutSeconds=1`,
        { ca: server.local.pki.ca.cert, cert: bob.cert, key: bob.key, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on("error", reject);
      req.end();
    }).catch(() => 0);
    release();
    assert.equal((await first).status, 200);
    assert.notEqual(watch, 429);
  });
});

/** A server from the real command line with the TLS flags given, and a bare TLS handshake against it. */
function tlsServer(flags: string[]) {
  let dir = "";
  let running: RunningServer | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "delegated-serving-"));
    running = await runServer({
      name: "wardle-server",
      resources: [],
      argv: ["--secure-port=0", "--bind-address=127.0.0.1", "--storage=memory", `--data-dir=${dir}`, ...flags],
      signals: false,
      environment: {},
      log: () => {},
    });
  });
  after(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  /** The protocol and suite agreed, or `refused: <code>`. */
  return (options: { maxVersion?: "TLSv1.2" | "TLSv1.3"; ciphers?: string }) =>
    new Promise<string>((resolve) => {
      const socket = connect({
        host: "127.0.0.1",
        port: running?.port ?? 0,
        ca: readFileSync(join(dir, "pki", "ca.crt"), "utf8"),
        servername: "localhost",
        ...options,
      });
      socket.once("secureConnect", () => {
        resolve(`${socket.getProtocol() ?? ""} ${socket.getCipher().name}`);
        socket.end();
      });
      socket.once("error", (error) => resolve(`refused: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    });
}

describe("TLS settings", () => {
  const handshake = tlsServer(["--tls-min-version=VersionTLS13"]);

  it("refuses handshakes below --tls-min-version and asks for no client certificate it requires", async () => {
    assert.match(await handshake({}), /^TLSv1\.3 /, "no client certificate needed to connect");
    assert.match(await handshake({ maxVersion: "TLSv1.2" }), /^refused/);
  });
});

describe("--tls-cipher-suites", () => {
  // The serving key is ECDSA P-256: ECDSA suites are the ones that can be agreed.
  const handshake = tlsServer([
    "--tls-min-version=VersionTLS12",
    "--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  ]);

  it("agrees only the TLS 1.2 suites it lists, and keeps TLS 1.3 on", async () => {
    assert.equal(
      await handshake({
        maxVersion: "TLSv1.2",
        ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256",
      }),
      "TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384",
    );
    assert.match(
      await handshake({
        maxVersion: "TLSv1.2",
        ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
      }),
      /^refused/,
      "a suite not listed is not agreed",
    );
    assert.match(await handshake({}), /^TLSv1\.3 TLS_/);
  });
});

describe("--authorization-policy-file without a cluster", () => {
  let dir = "";
  let running: RunningServer | undefined;
  const path = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "delegated-policy-"));
    writeFileSync(
      join(dir, "policy.yaml"),
      `apiVersion: apiserver-kit.dev/v1alpha1
kind: AuthorizationPolicy
rules:
  - groups: ["devs"]
    verbs: ["get", "list", "watch"]
    apiGroups: ["wardle.example.com"]
    resources: ["flunders"]
`,
    );
    running = await runLocalServer(dir, [`--authorization-policy-file=${join(dir, "policy.yaml")}`]);
  });

  after(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (user: string, groups: string[], method = "GET") =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const pki = join(dir, "pki");
      const ca = { cert: readFileSync(join(pki, "ca.crt"), "utf8"), key: readFileSync(join(pki, "ca.key"), "utf8") };
      const client = issueCertificate(loadCA(ca), {
        subject: { commonName: user, organizations: groups },
        usages: ["clientAuth"],
      });
      const req = request(
        `https://127.0.0.1:${running?.port}${path}`,
        { method, ca: ca.cert, cert: client.cert, key: client.key, agent: false },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });

  it("allows what the policy grants a group, refuses the rest with Kubernetes' 403", async () => {
    assert.equal((await send("dana", ["devs"])).status, 200);
    const refused = await send("dana", ["devs"], "DELETE");
    assert.equal(refused.status, 403);
    assert.equal(
      JSON.parse(refused.body).message,
      'flunders.wardle.example.com is forbidden: User "dana" cannot deletecollection resource "flunders" in API group "wardle.example.com" in the namespace "default"',
    );
    assert.equal((await send("erin", ["ops"])).status, 403, "a group the policy doesn't name");
  });
});
