/**
 * Front-proxy headers authenticate only the front proxy: X-Remote-User and X-Remote-Group
 * sent without a certificate, with a certificate of another CA, with a CN that is not
 * allowed, or without the clientAuth usage never name anyone — and never reach the user's
 * routes. Real TLS handshakes, CAs generated here.
 */
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect } from "node:http2";
import { after, before, describe, it } from "node:test";
import { createCA, issueCertificate } from "../certs/x509.js";
import {
  type AggregatedServer,
  FRONT_PROXY_CLIENT,
  startAggregatedServer,
  TestCluster,
  tlsRequest,
} from "../testing/aggregator/index.js";

const FLUNDERS = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
const SPOOFED: Array<[string, string]> = [
  ["X-Remote-User", "mallory"],
  ["X-Remote-Group", "system:masters"],
  ["X-Remote-Extra-Scopes", "everything"],
];

/** The user's route: echoes the identity headers it was given. */
function echoIdentityHeaders(req: IncomingMessage, res: ServerResponse): void {
  const seen = Object.keys(req.headers).filter((h) => h.startsWith("x-remote-") || h.startsWith("impersonate-"));
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ seen }));
}

describe("front-proxy headers can't be spoofed", () => {
  let cluster: TestCluster;
  let server: AggregatedServer;
  const reviewedUsers = () => cluster.accessReviews.map((r) => r.spec.user);

  before(async () => {
    cluster = await TestCluster.start({
      availabilityIntervalMs: 0,
      authorize: (spec) => ({ allowed: spec.user !== "system:anonymous" }),
    });
    server = await startAggregatedServer(cluster, { nonApiHandler: echoIdentityHeaders });
  });

  after(async () => {
    await server?.stop();
    await cluster?.close();
  });

  const call = (path: string, client?: { cert: string; key: string }, headers = SPOOFED) =>
    tlsRequest(`${server.url}${path}`, { ca: cluster.pki.servingCA.cert, headers, ...(client ? { client } : {}) });

  it("ignores them without a certificate: the request is anonymous", async () => {
    const answer = await call(FLUNDERS);
    assert.equal(answer.status, 403);
    assert.equal(
      answer.json().message,
      'flunders.wardle.example.com is forbidden: User "system:anonymous" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "default"',
    );
    assert.ok(!reviewedUsers().includes("mallory"));
  });

  it("refuses them with a certificate of another CA, even one named front-proxy-client", async () => {
    const attacker = createCA("front-proxy-ca");
    const forged = issueCertificate(attacker, { subject: { commonName: FRONT_PROXY_CLIENT }, usages: ["clientAuth"] });
    const answer = await call(FLUNDERS, forged);
    assert.equal(answer.status, 401);
    assert.equal(answer.json().reason, "Unauthorized");
  });

  it("refuses them with a front-proxy CA certificate whose CN is not allowed", async () => {
    const other = issueCertificate(cluster.pki.frontProxyCA, {
      subject: { commonName: "not-the-aggregator" },
      usages: ["clientAuth"],
    });
    assert.equal((await call(FLUNDERS, other)).status, 401);
  });

  it("refuses them with a front-proxy certificate not meant for client authentication", async () => {
    const serverOnly = issueCertificate(cluster.pki.frontProxyCA, {
      subject: { commonName: FRONT_PROXY_CLIENT },
      usages: ["serverAuth"],
    });
    assert.equal((await call(FLUNDERS, serverOnly)).status, 401);
  });

  it("expired front-proxy certificates don't count either", async () => {
    const expired = issueCertificate(cluster.pki.frontProxyCA, {
      subject: { commonName: FRONT_PROXY_CLIENT },
      usages: ["clientAuth"],
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    assert.equal((await call(FLUNDERS, expired)).status, 401);
  });

  it("a user's own client certificate names that user, whatever the headers say", async () => {
    const carol = cluster.userCertificate("carol", ["team"]);
    const answer = await call(FLUNDERS, carol);
    assert.equal(answer.status, 200, answer.body);
    const review = cluster.accessReviews.at(-1)?.spec;
    assert.equal(review?.user, "carol");
    assert.deepEqual(review?.groups, ["team", "system:authenticated"]);
    assert.ok(!reviewedUsers().includes("mallory"));
  });

  it("lets anonymous requests reach the always-allowed health paths, unreviewed, and nothing else", async () => {
    const reviews = cluster.accessReviews.length;
    for (const path of ["/healthz", "/livez", "/readyz"]) {
      const answer = await call(path, undefined, []);
      assert.deepEqual([answer.status, answer.body], [200, "ok"], path);
    }
    assert.equal(
      cluster.accessReviews.length,
      reviews,
      "no SubjectAccessReview for --authorization-always-allow-paths",
    );
    const version = await call("/version", undefined, []);
    assert.equal(version.status, 403);
    assert.equal(version.json().message, 'forbidden: User "system:anonymous" cannot get path "/version"');
    assert.deepEqual(cluster.accessReviews.at(-1)?.spec.nonResourceAttributes, { path: "/version", verb: "get" });
  });

  it("lets system:masters through without asking the cluster", async () => {
    const reviews = cluster.accessReviews.length;
    const answer = await call(FLUNDERS, cluster.pki.frontProxyClient, [
      ["X-Remote-User", "root"],
      ["X-Remote-Group", "system:masters"],
    ]);
    assert.equal(answer.status, 200, answer.body);
    assert.equal(cluster.accessReviews.length, reviews);
  });

  it("resolves impersonation headers as kube-apiserver does: each reviewed for the requestor, then the request acts as the impersonated user", async () => {
    const answer = await call(FLUNDERS, cluster.pki.frontProxyClient, [
      ["X-Remote-User", "mallory"],
      ["X-Remote-Group", "devs"],
      ["Impersonate-User", "jane"],
      ["Impersonate-Group", "testers"],
      ["Impersonate-Extra-Reason", "debugging"],
    ]);
    assert.equal(answer.status, 200, answer.body);
    const reviews = cluster.accessReviews.slice(-4).map((r) => ({
      user: r.spec.user,
      groups: r.spec.groups,
      ...(r.spec.extra ? { extra: r.spec.extra } : {}),
      attributes: r.spec.resourceAttributes,
    }));
    const mallory = { user: "mallory", groups: ["devs", "system:authenticated"] };
    assert.deepEqual(reviews, [
      { ...mallory, attributes: { verb: "impersonate", resource: "users", name: "jane" } },
      { ...mallory, attributes: { verb: "impersonate", resource: "groups", name: "testers" } },
      {
        ...mallory,
        attributes: {
          verb: "impersonate",
          group: "authentication.k8s.io",
          resource: "userextras",
          subresource: "reason",
          name: "debugging",
        },
      },
      {
        user: "jane",
        groups: ["testers", "system:authenticated"],
        extra: { reason: ["debugging"] },
        attributes: {
          verb: "list",
          group: "wardle.example.com",
          version: "v1alpha1",
          resource: "flunders",
          namespace: "default",
        },
      },
    ]);
    const anonymous = await call(FLUNDERS, undefined, [["Impersonate-User", "jane"]]);
    assert.equal(anonymous.status, 403);
    assert.equal(
      anonymous.json().message,
      'users "jane" is forbidden: User "system:anonymous" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    assert.deepEqual((await call("/custom/whoami", undefined, [["Impersonate-User", "jane"]])).json(), { seen: [] });
  });

  it("believes them from the real front proxy (the positive control)", async () => {
    const answer = await call(FLUNDERS, cluster.pki.frontProxyClient, [
      ["X-Remote-User", "mallory"],
      ["X-Remote-Group", "devs"],
      ["X-Remote-Group", "a,b"],
      ["X-Remote-Extra-Acme.com%2Fproject", "blue"],
    ]);
    assert.equal(answer.status, 200, answer.body);
    const review = cluster.accessReviews.at(-1)?.spec;
    assert.equal(review?.user, "mallory");
    assert.deepEqual(review?.groups, ["devs", "a,b", "system:authenticated"]);
    assert.deepEqual(review?.extra, { "acme.com/project": ["blue"] });
  });

  it("never hands spoofed identity headers to the user's routes; the front proxy's arrive", async () => {
    const spoofed = await call("/custom/whoami");
    assert.deepEqual(spoofed.json(), { seen: [] });
    const forged = issueCertificate(createCA("elsewhere"), {
      subject: { commonName: FRONT_PROXY_CLIENT },
      usages: ["clientAuth"],
    });
    assert.deepEqual((await call("/custom/whoami", forged)).json(), { seen: [] });
    const proxied = await call("/custom/whoami", cluster.pki.frontProxyClient);
    assert.deepEqual(proxied.json<{ seen: string[] }>().seen.sort(), [
      "x-remote-extra-scopes",
      "x-remote-group",
      "x-remote-user",
    ]);
  });

  it("holds over HTTP/2 too (how Go's aggregator connects)", async () => {
    const h2 = (client: { cert: string; key: string } | undefined, path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const session = connect(server.url, { ca: cluster.pki.servingCA.cert, ...(client ?? {}) });
        session.on("error", reject);
        const stream = session.request({ ":path": path, "x-remote-user": "mallory", "x-remote-group": ["g1", "g2"] });
        let status = 0;
        let body = "";
        stream.on("response", (headers) => {
          status = Number(headers[":status"]);
        });
        stream.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        stream.on("end", () => {
          session.close();
          resolve({ status, body });
        });
      });
    assert.equal((await h2(undefined, FLUNDERS)).status, 403);
    assert.equal((await h2(cluster.pki.frontProxyClient, FLUNDERS)).status, 200);
    const review = cluster.accessReviews.at(-1)?.spec;
    assert.deepEqual([review?.user, review?.groups], ["mallory", ["g1", "g2", "system:authenticated"]]);
    assert.deepEqual(JSON.parse((await h2(undefined, "/custom/whoami")).body), { seen: [] });
  });
});
