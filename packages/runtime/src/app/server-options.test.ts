import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCommandLine } from "./command-line.js";
import { SERVER_FLAG_GROUPS, ServerFlagError } from "./flags.js";
import { resolveServerOptions } from "./server-options.js";

const resolveArgs = (argv: string[]) => {
  const parsed = parseCommandLine(argv, { name: "s", description: "", groups: SERVER_FLAG_GROUPS });
  if (parsed.kind !== "flags") assert.fail("help");
  return resolveServerOptions(parsed.values, "/srv/project");
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
      certDir: "/srv/project/.data",
      storage: "sqlite",
      dataDir: "/srv/project/.data",
      kubeconfigOut: "/srv/project/.data/kubeconfig",
      runControllers: true,
    });
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
