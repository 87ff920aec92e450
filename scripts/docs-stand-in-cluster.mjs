#!/usr/bin/env node
// A stand-in for a cluster's kube-apiserver and its aggregation layer, for the tutorial's chapter
// on deploying behind a cluster when no cluster is at hand. It is the runtime's test aggregator
// (packages/runtime/src/testing/aggregator, see docs/reference/test-aggregator.md): it serves
// APIServices, Namespaces, ConfigMaps, TokenReview and SubjectAccessReview, checks each
// APIService's availability as kube-aggregator does, and proxies its group-version to the Service
// it names — here, an extension server you run on this machine.
//
//   node scripts/docs-stand-in-cluster.mjs --dir <dir> --service <namespace>/<name>=<port>
//
// writes <dir>/kubeconfig (you, as cluster-admin) and <dir>/server.kubeconfig (the server's
// service account, bound as a deployment binds it), prints `export KUBECONFIG=...`, and serves
// until SIGINT or SIGTERM. Build the runtime first (`npx tsc -b packages/runtime`).
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const usage = "usage: node scripts/docs-stand-in-cluster.mjs --dir <dir> --service <namespace>/<name>=<port>";
let values;
try {
  ({ values } = parseArgs({
    options: {
      dir: { type: "string" },
      service: { type: "string", multiple: true, default: [] },
      "availability-interval": { type: "string", default: "2" },
    },
  }));
} catch (error) {
  console.error(`error: ${error.message}\n${usage}`);
  process.exit(2);
}
if (!values.dir) {
  console.error(`error: --dir is required\n${usage}`);
  process.exit(2);
}
const services = [];
for (const text of values.service) {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)=(\d+)$/.exec(text);
  if (!match) {
    console.error(`error: --service ${text}: expected <namespace>/<name>=<port>, e.g. widgets/widgets=9443\n${usage}`);
    process.exit(2);
  }
  services.push({ namespace: match[1], name: match[2], port: Number(match[3]) });
}

const aggregator = new URL("../packages/runtime/dist/testing/aggregator/index.js", import.meta.url);
const { TestCluster } = await import(aggregator.href).catch(() => {
  console.error(
    "error: the runtime is not built\n  fix: run `npx tsc -b packages/runtime` in the apiserver-kit checkout",
  );
  process.exit(1);
});

const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true });
const cluster = await TestCluster.start({ availabilityIntervalMs: Number(values["availability-interval"]) * 1000 });
for (const service of services) cluster.registerService(service.namespace, service.name, service.port);
const kubeconfig = cluster.writeKubeconfig(join(dir, "kubeconfig"), {
  certificate: cluster.userCertificate("kubernetes-admin", ["system:masters"]),
});
const [first] = services;
const serverKubeconfig = cluster.writeServerKubeconfig(
  join(dir, "server.kubeconfig"),
  first ? { namespace: first.namespace, name: first.name } : undefined,
);
console.log(`stand-in cluster serving on ${cluster.url}`);
for (const s of services) console.log(`service ${s.namespace}/${s.name}:443 -> 127.0.0.1:${s.port}`);
console.log(`the server's kubeconfig (its service account): ${serverKubeconfig}`);
console.log(`export KUBECONFIG=${kubeconfig}`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void cluster.close().then(() => process.exit(0));
  });
}
