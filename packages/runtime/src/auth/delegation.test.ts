import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createCA } from "../certs/x509.js";
import type { HttpRequest } from "../server/http.js";
import { TestCluster } from "../testing/aggregator/index.js";
import { ClusterClient, ClusterRequestError, connectionFromKubeconfig, inClusterConnection } from "./cluster-client.js";
import { DelegatedAuthentication, settingsFromConfigMap } from "./delegated-authentication.js";
import { AuthenticationError, type Authenticator, unionAuthenticator, withAuthenticatedGroup } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "auth-delegation-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const req = {} as HttpRequest;

describe("the union of authenticators", () => {
  const refuses: Authenticator = {
    authenticate() {
      throw new AuthenticationError("bad certificate", "InvalidCertificate");
    },
  };
  const knowsBob: Authenticator = { authenticate: () => ({ name: "bob", groups: [] }) };
  const nobody: Authenticator = { authenticate: () => null };

  it("goes on after a refusal, and refuses only when nobody authenticated", async () => {
    assert.equal((await unionAuthenticator(refuses, knowsBob).authenticate(req))?.name, "bob");
    await assert.rejects(Promise.resolve(unionAuthenticator(refuses, nobody).authenticate(req)), /bad certificate/);
    assert.equal(await unionAuthenticator(nobody, nobody).authenticate(req), null);
  });

  it("adds system:authenticated to everyone but anonymous", () => {
    assert.deepEqual(withAuthenticatedGroup({ name: "a", groups: ["g"] }).groups, ["g", "system:authenticated"]);
    assert.deepEqual(withAuthenticatedGroup({ name: "system:anonymous", groups: ["system:unauthenticated"] }).groups, [
      "system:unauthenticated",
    ]);
  });
});

describe("the authentication ConfigMap", () => {
  const proxyCA = createCA("front-proxy-ca").cert;
  const clientCA = createCA("kubernetes").cert;
  const configMap = {
    "client-ca-file": clientCA,
    "requestheader-client-ca-file": proxyCA,
    "requestheader-allowed-names": '["front-proxy-client"]',
    "requestheader-username-headers": '["X-Remote-User"]',
    "requestheader-group-headers": '["X-Remote-Group"]',
    "requestheader-extra-headers-prefix": '["X-Remote-Extra-"]',
  };

  it("is read as kube-apiserver writes it (JSON lists)", () => {
    assert.deepEqual(settingsFromConfigMap(configMap), {
      clientCA,
      requestHeader: {
        clientCA: proxyCA,
        allowedNames: ["front-proxy-client"],
        usernameHeaders: ["X-Remote-User"],
        groupHeaders: ["X-Remote-Group"],
        extraHeaderPrefixes: ["X-Remote-Extra-"],
      },
    });
    assert.throws(
      () => settingsFromConfigMap({ ...configMap, "requestheader-allowed-names": "front-proxy-client" }),
      /not a JSON list/,
    );
    assert.deepEqual(settingsFromConfigMap({}), {});
  });

  it("fills in what the flags leave out, is re-read on refresh, and says why it can't be read", async () => {
    const ownCA = join(dir, "client-ca.crt");
    const ownCAPem = createCA("own").cert;
    writeFileSync(ownCA, ownCAPem);
    let answer = { status: 200, body: { data: configMap } as Record<string, unknown> };
    const client = {
      async request<T>(): Promise<{ status: number; body: T }> {
        return answer as { status: number; body: T };
      },
      async expect<T>(): Promise<T> {
        return {} as T;
      },
    };
    const authn = await DelegatedAuthentication.start({ client, clientCAFile: ownCA, refreshIntervalMs: 3_600_000 });
    try {
      assert.equal(authn.current.clientCA, ownCAPem, "the flag's file wins over the ConfigMap");
      assert.equal(authn.current.requestHeader?.clientCA, proxyCA, "the ConfigMap fills in the front proxy");
      let changes = 0;
      authn.onChange(() => changes++);
      answer = { status: 200, body: { data: { ...configMap, "requestheader-allowed-names": '["other"]' } } };
      await authn.refresh();
      assert.deepEqual(authn.current.requestHeader?.allowedNames, ["other"]);
      assert.equal(changes, 1);
      await authn.refresh();
      assert.equal(changes, 1, "nothing changed, nobody told");
      answer = { status: 403, body: { message: "forbidden" } };
      await authn.refresh();
      assert.deepEqual(authn.current.requestHeader?.allowedNames, ["other"], "a failed re-read keeps what works");
      await assert.rejects(DelegatedAuthentication.start({ client }), /extension-apiserver-authentication-reader/);
      const tolerated = await DelegatedAuthentication.start({ client, tolerateLookupFailure: true, log: () => {} });
      assert.equal(tolerated.current.requestHeader, undefined);
      tolerated.close();
      answer = { status: 404, body: {} };
      const none = await DelegatedAuthentication.start({ client });
      assert.equal(none.clientCABundle(), "", "no ConfigMap: a cluster without aggregation; flags alone decide");
      none.close();
    } finally {
      authn.close();
    }
  });
});

describe("--authentication-skip-lookup", () => {
  it("never reads the ConfigMap: the flags alone decide, TokenReview still works", async () => {
    const ownCA = join(dir, "skip-lookup-ca.crt");
    const ownCAPem = createCA("own").cert;
    writeFileSync(ownCA, ownCAPem);
    const asked: string[] = [];
    const client = {
      async request<T>(_method: string, path: string): Promise<{ status: number; body: T }> {
        asked.push(path);
        return { status: 200, body: { data: { "requestheader-client-ca-file": createCA("proxy").cert } } as T };
      },
      async expect<T>(): Promise<T> {
        return {} as T;
      },
    };
    const authn = await DelegatedAuthentication.start({ client, clientCAFile: ownCA, lookup: false });
    try {
      await authn.refresh();
      assert.deepEqual(asked, [], "the ConfigMap was not read");
      assert.equal(authn.current.clientCA, ownCAPem);
      assert.equal(authn.current.requestHeader, undefined, "no front proxy without its flags");
      assert.ok(authn.tokens, "bearer tokens are still reviewed by the cluster");
    } finally {
      authn.close();
    }
    // The control: with lookup on, the same client is asked.
    const looked = await DelegatedAuthentication.start({ client, clientCAFile: ownCA });
    looked.close();
    assert.equal(asked.length, 1);
    assert.ok(looked.current.requestHeader);
  });
});

describe("kubeconfig for the cluster connection", () => {
  it("reads inline data and files relative to the kubeconfig, and refuses exec plugins", () => {
    writeFileSync(join(dir, "ca.crt"), "CA PEM");
    const path = join(dir, "kubeconfig");
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://10.0.0.1:6443/", certificate-authority: ca.crt, tls-server-name: kubernetes}
users:
- name: u
  user: {client-certificate-data: ${Buffer.from("CERT").toString("base64")}, client-key-data: ${Buffer.from("KEY").toString("base64")}, token: t}
- name: e
  user: {exec: {command: aws}}
contexts:
- {name: main, context: {cluster: c, user: u}}
- {name: exec, context: {cluster: c, user: e}}
current-context: main
`,
    );
    assert.deepEqual(connectionFromKubeconfig(path), {
      server: "https://10.0.0.1:6443",
      ca: "CA PEM",
      tlsServerName: "kubernetes",
      cert: "CERT",
      key: "KEY",
      token: "t",
    });
    assert.throws(
      () => connectionFromKubeconfig(path, "exec"),
      (e: unknown) => e instanceof ClusterRequestError && e.code === "Config" && /exec/.test(e.message),
    );
  });
});

describe("the in-cluster connection (no --authentication-kubeconfig, in a pod)", () => {
  it("uses the service account's CA and token, re-reading the token when kubelet rotates it", async () => {
    const cluster = await TestCluster.start({
      availabilityIntervalMs: 0,
      tokens: {
        "sa-token-1": { name: "system:serviceaccount:wardle:apiserver" },
        "sa-token-2": { name: "system:serviceaccount:wardle:rotated" },
      },
    });
    // The RBAC a deployment grants (system:auth-delegator).
    for (const user of ["system:serviceaccount:wardle:apiserver", "system:serviceaccount:wardle:rotated"]) {
      cluster.grants.push({ user, verbs: ["create"], resource: "tokenreviews" });
    }
    const sa = join(dir, "serviceaccount");
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, "ca.crt"), cluster.pki.clusterCA.cert);
    writeFileSync(join(sa, "token"), "sa-token-1\n");
    const connection = inClusterConnection({ host: "127.0.0.1", port: cluster.port, serviceAccountDir: sa });
    assert.equal(connection.server, cluster.url);
    const client = new ClusterClient(connection);
    const review = () =>
      client.expect("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token: "someone" },
      });
    try {
      await review();
      assert.equal(cluster.tokenReviews.at(-1)?.requester, "system:serviceaccount:wardle:apiserver");
      writeFileSync(join(sa, "token"), "sa-token-2\n");
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(sa, "token"), later, later);
      await review();
      assert.equal(cluster.tokenReviews.at(-1)?.requester, "system:serviceaccount:wardle:rotated");
    } finally {
      client.close();
      await cluster.close();
    }
    assert.equal(
      inClusterConnection({ host: "fd00::1", port: 443, serviceAccountDir: sa }).server,
      "https://[fd00::1]:443",
    );
    assert.throws(
      () => inClusterConnection({ host: "10.96.0.1", port: 443, serviceAccountDir: join(dir, "nowhere") }),
      (e: unknown) => e instanceof ClusterRequestError && /not in a pod\?/.test(e.message),
    );
  });
});
