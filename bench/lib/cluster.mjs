// What an aggregated server meets in a cluster, reduced to what a benchmark needs: the
// aggregator's front-proxy certificate (signed by the requestheader CA) with the X-Remote-*
// headers it forwards, and a kube-apiserver that answers SubjectAccessReviews (the server
// caches the answers; the count shows how often it asked).
import { writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { join } from "node:path";
import { createCA, issueCertificate } from "@apiserver-kit/runtime";

export const FRONT_PROXY_CN = "front-proxy-client";

/** The front-proxy CA file (for --requestheader-client-ca-file) and the proxy's client certificate. */
export function frontProxy(dir) {
  const ca = createCA("front-proxy-ca");
  const client = issueCertificate(ca, { subject: { commonName: FRONT_PROXY_CN }, usages: ["clientAuth"] });
  const caFile = join(dir, "front-proxy-ca.crt");
  writeFileSync(caFile, ca.cert);
  return { caFile, caPem: ca.cert, client };
}

/** The headers the aggregator adds for a user it forwards (client-go's SetAuthProxyHeaders). */
export function remoteUserHeaders(name, groups) {
  return { "X-Remote-User": name, "X-Remote-Group": groups };
}

/**
 * A loopback kube-apiserver that allows every SubjectAccessReview, and a kubeconfig for it
 * (for --authorization-kubeconfig). `reviews()` counts the reviews it answered.
 */
export async function startReviewingCluster(dir) {
  const ca = createCA("kubernetes");
  const serving = issueCertificate(ca, {
    subject: { commonName: "kube-apiserver" },
    usages: ["serverAuth"],
    altNames: ["127.0.0.1", "localhost"],
  });
  let reviews = 0;
  const server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/apis/authorization.k8s.io/v1/subjectaccessreviews") {
        reviews++;
        const review = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const body = JSON.stringify({ ...review, status: { allowed: true, reason: "benchmark cluster" } });
        res.writeHead(201, { "Content-Type": "application/json" });
        res.end(body);
        return;
      }
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${server.address().port}`;
  // JSON is YAML: the kubeconfig needs no YAML writer.
  const kubeconfig = join(dir, "cluster.kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "c", cluster: { server: url, "certificate-authority-data": Buffer.from(ca.cert).toString("base64") } },
      ],
      users: [{ name: "u", user: { token: "benchmark-token" } }],
      contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
      "current-context": "c",
    }),
  );
  return {
    kubeconfig,
    reviews: () => reviews,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
