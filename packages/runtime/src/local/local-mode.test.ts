import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { createCA, issueCertificate } from "../certs/x509.js";
import { ensureLocalPki, localMode } from "./local-mode.js";

describe("local mode", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "local-mode-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("issues a serving certificate for localhost and 127.0.0.1 and an admin client certificate, both from its CA", () => {
    const pki = ensureLocalPki(join(dir, "pki"));
    const ca = new X509Certificate(pki.ca.cert);
    assert.equal(ca.ca, true);
    const serving = new X509Certificate(pki.serving.cert);
    assert.ok(serving.verify(ca.publicKey), "the CA signed the serving certificate");
    // kubectl and client-go match names against the SANs only, never the subject's CN.
    assert.equal(serving.checkHost("localhost", { subject: "never" }), "localhost");
    assert.equal(serving.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(serving.checkHost("example.com"), undefined);
    const admin = new X509Certificate(pki.admin.cert);
    assert.ok(admin.verify(ca.publicKey), "the CA signed the admin certificate");
    assert.match(admin.subject, /^CN=admin$/m);
    assert.match(admin.subject, /^O=system:masters$/m);
    assert.equal(statSync(join(dir, "pki", "admin.key")).mode & 0o777, 0o600, "keys are private");
  });

  it("reuses the CA and certificates it finds, and reissues one that no longer fits", () => {
    const first = ensureLocalPki(join(dir, "pki"));
    const again = ensureLocalPki(join(dir, "pki"));
    assert.deepEqual(again, first);
    // A serving certificate without the loopback names (or from another CA) is replaced.
    const stranger = issueCertificate(createCA("other"), { subject: { commonName: "x" }, usages: ["serverAuth"] });
    writeFileSync(join(dir, "pki", "serving.crt"), stranger.cert);
    writeFileSync(join(dir, "pki", "serving.key"), stranger.key);
    unlinkSync(join(dir, "pki", "admin.key"));
    const repaired = ensureLocalPki(join(dir, "pki"));
    assert.equal(repaired.ca.cert, first.ca.cert, "the CA stays");
    assert.notEqual(repaired.serving.cert, stranger.cert);
    assert.ok(new X509Certificate(repaired.serving.cert).verify(new X509Certificate(first.ca.cert).publicKey));
    assert.notEqual(repaired.admin.cert, first.admin.cert, "a certificate without its key is reissued");
  });

  it("writes a kubeconfig beside the data with the CA and the admin certificate embedded", () => {
    const data = join(dir, "data");
    const local = localMode(data);
    const path = local.writeKubeconfig("https://127.0.0.1:8443");
    assert.equal(path, join(data, "kubeconfig"));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const config = parse(readFileSync(path, "utf8"));
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const context = config.contexts.find((c: { name: string }) => c.name === config["current-context"]).context;
    const cluster = config.clusters.find((c: { name: string }) => c.name === context.cluster).cluster;
    const user = config.users.find((u: { name: string }) => u.name === context.user).user;
    assert.equal(cluster.server, "https://127.0.0.1:8443");
    assert.equal(cluster["certificate-authority-data"], b64(local.pki.ca.cert));
    assert.equal(user["client-certificate-data"], b64(local.pki.admin.cert));
    assert.equal(user["client-key-data"], b64(local.pki.admin.key));
    assert.deepEqual(local.tls, {
      cert: local.pki.serving.cert,
      key: local.pki.serving.key,
      clientCA: local.pki.ca.cert,
    });
  });
});
