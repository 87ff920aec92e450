/**
 * What changes on disk or in the cluster takes effect without a restart: new serving
 * certificate files (a rotated Secret), and a changed kube-system/extension-apiserver-authentication
 * ConfigMap (front-proxy names, client CAs).
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { createCA, issueCertificate } from "../certs/x509.js";
import {
  type AggregatedServer,
  FRONT_PROXY_CLIENT,
  servingCertificate,
  startAggregatedServer,
  TestCluster,
  type TlsAnswer,
  tlsRequest,
} from "../testing/aggregator/index.js";

const FLUNDERS = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";

/** Retries `probe` until `done` holds (the server re-reads every 100 ms here); fails after 5 s. */
async function eventually(probe: () => Promise<TlsAnswer>, done: (a: TlsAnswer) => boolean): Promise<TlsAnswer> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const answer = await probe();
    if (done(answer)) return answer;
    if (Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("reloaded without a restart", () => {
  let cluster: TestCluster;
  let server: AggregatedServer;
  const lines: string[] = [];

  before(async () => {
    cluster = await TestCluster.start({
      availabilityIntervalMs: 0,
      tokens: { "bob-token": { name: "bob" } },
    });
    server = await startAggregatedServer(cluster, { reloadIntervalMs: 100, log: (line) => lines.push(line) });
  });

  after(async () => {
    await server?.stop();
    await cluster?.close();
  });

  const direct = (path: string, client?: { cert: string; key: string }) =>
    tlsRequest(`${server.url}${path}`, { ca: cluster.pki.servingCA.cert, ...(client ? { client } : {}) });
  const viaAggregator = () =>
    tlsRequest(`${cluster.url}${FLUNDERS}`, {
      ca: cluster.pki.clusterCA.cert,
      headers: [["Authorization", "Bearer bob-token"]],
    });

  it("serves new certificate files to new connections, and ignores a pair that doesn't match", async () => {
    const before = (await direct("/healthz")).serverFingerprint;
    const mismatched = servingCertificate(cluster.pki, { namespace: "wardle", name: "api" });
    writeFileSync(server.certFile, mismatched.cert);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await direct("/healthz")).serverFingerprint, before, "a certificate without its key is not used");
    assert.ok(lines.some((l) => /serving certificate not reloaded: .* is not the key of /.test(l)));

    const rotated = servingCertificate(cluster.pki, { namespace: "wardle", name: "api" });
    writeFileSync(server.keyFile, rotated.key);
    writeFileSync(server.certFile, rotated.cert);
    const expected = new X509Certificate(rotated.cert).fingerprint256;
    const after = await eventually(
      () => direct("/healthz"),
      (a) => a.serverFingerprint === expected,
    );
    assert.equal(after.serverFingerprint, expected);
    assert.notEqual(after.serverFingerprint, before);
    assert.equal((await viaAggregator()).status, 200, "the aggregator still trusts it (same CA)");
  });

  it("follows the ConfigMap's requestheader-allowed-names", async () => {
    assert.equal((await viaAggregator()).status, 200);
    cluster.publishAuthenticationConfigMap({ "requestheader-allowed-names": JSON.stringify(["some-other-proxy"]) });
    const refused = await eventually(viaAggregator, (a) => a.status === 401);
    assert.equal(refused.status, 401, "the aggregator's CN is no longer allowed");
    cluster.publishAuthenticationConfigMap();
    assert.equal((await eventually(viaAggregator, (a) => a.status === 200)).status, 200);
  });

  it("follows a rotated front-proxy CA", async () => {
    const newCA = createCA("front-proxy-ca-2");
    const newClient = issueCertificate(newCA, { subject: { commonName: FRONT_PROXY_CLIENT }, usages: ["clientAuth"] });
    cluster.aggregator.setProxyClientCertificate(newClient);
    assert.equal((await viaAggregator()).status, 401, "the new proxy certificate is not trusted yet");
    cluster.publishAuthenticationConfigMap({ "requestheader-client-ca-file": newCA.cert });
    assert.equal((await eventually(viaAggregator, (a) => a.status === 200)).status, 200);
    assert.equal(cluster.accessReviews.at(-1)?.spec.user, "bob");
  });

  it("follows the ConfigMap's client-ca-file", async () => {
    const team = createCA("team-ca");
    const dave = issueCertificate(team, { subject: { commonName: "dave" }, usages: ["clientAuth"] });
    assert.equal((await direct(FLUNDERS, dave)).status, 401, "a CA nobody trusts");
    cluster.publishAuthenticationConfigMap({
      "client-ca-file": `${cluster.pki.clusterCA.cert}${team.cert}`,
      "requestheader-client-ca-file": cluster.pki.frontProxyCA.cert,
    });
    const accepted = await eventually(
      () => direct(FLUNDERS, dave),
      (a) => a.status === 200,
    );
    assert.equal(accepted.status, 200, accepted.body);
    assert.equal(cluster.accessReviews.at(-1)?.spec.user, "dave");
    assert.ok(lines.includes("client CAs changed: new connections use them"));
  });
});
