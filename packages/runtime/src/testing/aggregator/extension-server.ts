/**
 * An extension server set up as a cluster deployment sets it up, against a TestCluster:
 * a serving certificate for its Service's DNS name from the cluster's serving CA, the
 * service account's kubeconfig for delegation, the Service and the APIService registered.
 * It runs in this process through the real harness (`runServer` with its flags).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, runServer } from "../../app/run-server.js";
import type { ResourceDefinition } from "../../model/resource.js";
import type { NonApiHandler } from "../../server/api-server.js";
import { WARDLE_GROUP, wardleDefinitions } from "../fixtures.js";
import type { APIService } from "./aggregator.js";
import { servingCertificate } from "./pki.js";
import type { TestCluster } from "./test-cluster.js";

export interface AggregatedServerOptions {
  resources?: readonly ResourceDefinition[];
  /** More server flags, e.g. `--audit-policy-file`. */
  args?: string[];
  /** Register an APIService for this group version (default wardle.example.com/v1alpha1). */
  group?: string;
  version?: string;
  service?: { namespace: string; name: string };
  /** How often files and the authentication ConfigMap are re-read (default 10 s). */
  reloadIntervalMs?: number;
  log?: (line: string) => void;
  /** The user's routes (outside the API paths). */
  nonApiHandler?: NonApiHandler;
}

export interface AggregatedServer {
  running: RunningServer;
  /** The server's own URL (direct, not through the aggregator). */
  url: string;
  dir: string;
  certFile: string;
  keyFile: string;
  /** The service account's kubeconfig the server delegates with. */
  kubeconfig: string;
  apiService: APIService;
  apiServiceName: string;
  stop(): Promise<void>;
}

export async function startAggregatedServer(
  cluster: TestCluster,
  options: AggregatedServerOptions = {},
): Promise<AggregatedServer> {
  const dir = mkdtempSync(join(tmpdir(), "apiserver-kit-aggregated-"));
  const service = options.service ?? { namespace: "wardle", name: "api" };
  const serving = servingCertificate(cluster.pki, service);
  const certFile = join(dir, "tls.crt");
  const keyFile = join(dir, "tls.key");
  writeFileSync(certFile, serving.cert);
  writeFileSync(keyFile, serving.key, { mode: 0o600 });
  const kubeconfig = cluster.writeServerKubeconfig(join(dir, "server.kubeconfig"), {
    namespace: service.namespace,
    name: "apiserver",
  });
  const running = await runServer({
    name: "wardle-server",
    resources: options.resources ?? wardleDefinitions,
    argv: [
      "--secure-port=0",
      "--bind-address=127.0.0.1",
      "--storage=memory",
      `--data-dir=${join(dir, "data")}`,
      `--tls-cert-file=${certFile}`,
      `--tls-private-key-file=${keyFile}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      `--kubeconfig=${kubeconfig}`,
      "--run-controllers=false",
      ...(options.args ?? []),
    ],
    environment: {},
    signals: false,
    log: options.log ?? (() => {}),
    ...(options.nonApiHandler ? { nonApiHandler: options.nonApiHandler } : {}),
    ...(options.reloadIntervalMs !== undefined ? { reloadIntervalMs: options.reloadIntervalMs } : {}),
  });
  if (!running) throw new Error("the server printed its help instead of starting");
  cluster.registerService(service.namespace, service.name, running.port);
  const apiService = await cluster.createAPIService({
    group: options.group ?? WARDLE_GROUP,
    version: options.version ?? "v1alpha1",
    service: { ...service, port: 443 },
    caBundle: Buffer.from(cluster.pki.servingCA.cert).toString("base64"),
  });
  return {
    running,
    url: running.url,
    dir,
    certFile,
    keyFile,
    kubeconfig,
    apiService,
    apiServiceName: apiService.metadata?.name ?? "",
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
