import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCommandLine } from "./command-line.js";
import { SERVER_FLAG_GROUPS, ServerFlagError } from "./flags.js";
import { resolveServerOptions } from "./server-options.js";

const resolveArgs = (argv: string[], environment: Record<string, string> = {}) => {
  const parsed = parseCommandLine(argv, { name: "s", description: "", groups: SERVER_FLAG_GROUPS });
  if (parsed.kind !== "flags") assert.fail("help");
  return resolveServerOptions(parsed.values, "/srv/project", environment);
};
const refusal = (argv: string[]) => {
  try {
    resolveArgs(argv);
  } catch (error) {
    assert.ok(error instanceof ServerFlagError);
    return error;
  }
  assert.fail(`${argv.join(" ")} was accepted`);
};

describe("server options", () => {
  it("defaults to local mode on SQLite under ./.data", () => {
    assert.deepEqual(resolveArgs([]), {
      securePort: 8443,
      bindAddress: "0.0.0.0",
      certDir: "/srv/project/.data/pki",
      storage: "sqlite",
      dataDir: "/srv/project/.data",
      kubeconfigOut: "/srv/project/.data/kubeconfig",
      runControllers: true,
      maxRequestsInflight: 400,
      maxMutatingRequestsInflight: 200,
      requestTimeoutMs: 60_000,
      shutdownDelayMs: 0,
      authentication: { skipLookup: false, tolerateLookupFailure: false, tokenCacheTtlMs: 10_000 },
      authorization: { alwaysAllowPaths: ["/healthz", "/readyz", "/livez"], allowTtlMs: 10_000, denyTtlMs: 10_000 },
      disabledAdmissionPlugins: [],
      clusterMode: false,
      garbageCollection: false,
    });
  });

  it("is in cluster mode with a kubeconfig flag or in a pod", () => {
    assert.equal(resolveArgs(["--authentication-kubeconfig", "kc"]).clusterMode, true);
    assert.equal(resolveArgs(["--authorization-kubeconfig", "kc"]).authorization.kubeconfig, "/srv/project/kc");
    assert.equal(resolveArgs(["--kubeconfig", "/kc"]).clusterMode, true);
    const pod = resolveArgs([], { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" });
    assert.equal(pod.clusterMode, true);
    assert.deepEqual(pod.inCluster, { host: "10.96.0.1", port: "443" });
  });

  it("counts on a garbage collector in cluster mode only, unless --enable-garbage-collector says", () => {
    assert.equal(resolveArgs([]).garbageCollection, false);
    assert.equal(resolveArgs(["--kubeconfig", "/kc"]).garbageCollection, true);
    assert.equal(resolveArgs(["--enable-garbage-collector"]).garbageCollection, true);
    assert.equal(resolveArgs(["--kubeconfig", "/kc", "--enable-garbage-collector=false"]).garbageCollection, false);
  });

  it("collects the delegation, TLS, limits and audit flags", () => {
    const options = resolveArgs([
      "--requestheader-client-ca-file=proxy-ca.crt",
      "--requestheader-allowed-names=front-proxy-client,aggregator",
      "--client-ca-file=/pki/ca.crt",
      "--tls-min-version=VersionTLS13",
      "--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "--max-requests-inflight=10",
      "--shutdown-delay-duration=5s",
      "--audit-policy-file=policy.yaml",
      "--audit-log-path=-",
      "--audit-log-maxsize=5",
    ]);
    assert.deepEqual(options.authentication.requestHeader, {
      clientCAFile: "/srv/project/proxy-ca.crt",
      allowedNames: ["front-proxy-client", "aggregator"],
      usernameHeaders: ["X-Remote-User"],
      groupHeaders: ["X-Remote-Group"],
      extraHeaderPrefixes: ["X-Remote-Extra-"],
    });
    assert.equal(options.authentication.clientCAFile, "/pki/ca.crt");
    assert.equal(options.clusterMode, false, "CA files alone don't need a cluster");
    assert.equal(options.tlsMinVersion, "TLSv1.3");
    assert.match(options.tlsCiphers ?? "", /ECDHE-ECDSA-AES128-GCM-SHA256/);
    assert.equal(options.maxRequestsInflight, 10);
    assert.equal(options.shutdownDelayMs, 5000);
    assert.deepEqual(options.audit, {
      policyFile: "/srv/project/policy.yaml",
      logPath: "-",
      maxSizeMegabytes: 5,
      maxBackups: 0,
      maxAgeDays: 0,
    });
    assert.equal(resolveArgs(["--audit-log-path=a.log"]).audit, undefined, "no policy, no audit");
  });

  it("resolves relative paths against the working directory", () => {
    const options = resolveArgs(["--data-dir", "state", "--cert-dir", "/etc/pki", "--kubeconfig-out", "kc"]);
    assert.equal(options.dataDir, "/srv/project/state");
    assert.equal(options.certDir, "/etc/pki");
    assert.equal(options.kubeconfigOut, "/srv/project/kc");
  });

  it("serves given certificate files and then writes no kubeconfig", () => {
    const options = resolveArgs(["--tls-cert-file", "tls.crt", "--tls-private-key-file", "/k/tls.key"]);
    assert.equal(options.tlsCertFile, "/srv/project/tls.crt");
    assert.equal(options.tlsPrivateKeyFile, "/k/tls.key");
    assert.equal(options.kubeconfigOut, undefined);
    const error = refusal(["--tls-cert-file", "tls.crt"]);
    assert.equal(error.code, "MissingFlag");
    assert.equal(error.flag, "tls-private-key-file");
  });

  it("collects the etcd flags and checks them together", () => {
    const options = resolveArgs([
      "--storage=etcd",
      "--etcd-servers=https://etcd:2379",
      "--etcd-cafile=ca.crt",
      "--etcd-certfile=c.crt",
      "--etcd-keyfile=c.key",
      "--etcd-prefix=/registry/widgets",
      "--etcd-compaction-interval=0",
    ]);
    assert.deepEqual(options.etcd, {
      servers: ["https://etcd:2379"],
      prefix: "/registry/widgets",
      compactionIntervalMs: 0,
      caFile: "/srv/project/ca.crt",
      certFile: "/srv/project/c.crt",
      keyFile: "/srv/project/c.key",
    });
    assert.equal(refusal(["--storage", "etcd"]).flag, "etcd-servers");
    assert.equal(refusal(["--storage=etcd", "--etcd-servers=http://e:2379", "--etcd-certfile=c"]).flag, "etcd-keyfile");
    const stray = refusal(["--etcd-servers", "http://e:2379"]);
    assert.equal(stray.code, "ConflictingFlags");
    assert.match(stray.message, /--storage is sqlite: add --storage etcd/);
  });
});
