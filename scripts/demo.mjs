#!/usr/bin/env node
// The quick-start demo: serves the wardle example API (a namespaced Flunder and a
// cluster-scoped Fischer) from the embedded SQLite store in .data/demo, with local-mode
// TLS and a kubeconfig, and prints what to try with kubectl.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ApiServer, localMode } from "@apiserver-kit/runtime";
import { wardleDefinitions } from "@apiserver-kit/runtime/testing";
import { SqliteStorage } from "@apiserver-kit/storage";

const root = new URL("..", import.meta.url).pathname;
const dataDir = process.env.DEMO_DATA_DIR ?? join(root, ".data", "demo");
const port = Number(process.env.DEMO_PORT ?? 8443);
mkdirSync(dataDir, { recursive: true });

const local = localMode(dataDir);
const storage = await SqliteStorage.open({ dataDir: join(dataDir, "storage") });
const server = new ApiServer({
  resources: wardleDefinitions,
  storage,
  tls: local.tls,
  authenticator: local.authenticator,
  authorizer: local.authorizer,
  projectVersion: "0.1.0",
});
const address = await server.listen(port, "127.0.0.1");
const kubeconfig = local.writeKubeconfig(`https://127.0.0.1:${address.port}`);

console.log(`
apiserver-kit demo: the wardle.example.com API is serving on https://127.0.0.1:${address.port}
data (SQLite, certificates, kubeconfig): ${dataDir}

Try it in another terminal:

  export KUBECONFIG=${kubeconfig}
  kubectl api-resources --api-group=wardle.example.com
  kubectl explain flunders.spec
  cat <<'YAML' | kubectl create -f -
  apiVersion: wardle.example.com/v1alpha1
  kind: Flunder
  metadata:
    name: my-flunder
  spec:
    reference: my-fischer
    replicas: 2
  YAML
  kubectl get flunders
  kubectl get flunders -w        # and change something from a third terminal
  kubectl scale flunder my-flunder --replicas=3
  kubectl delete flunder my-flunder

Ctrl-C stops the server; the data stays in ${dataDir}.
`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await storage.close();
    process.exit(0);
  });
}
