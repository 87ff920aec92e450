/**
 * Local mode: everything a developer needs to point kubectl at the server without a
 * cluster. A generated CA, a serving certificate for localhost, a client certificate
 * for `admin` in `system:masters`, and a kubeconfig beside the data.
 */
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { type Authorizer, mastersAuthorizer } from "../auth/types.js";
import { ClientCertificateAuthenticator } from "../auth/x509-authenticator.js";
import { type CertKeyPair, createCA, issueCertificate, loadCA } from "../certs/x509.js";
import type { TLSConfig } from "../server/api-server.js";

export interface LocalPki {
  ca: CertKeyPair;
  serving: CertKeyPair;
  admin: CertKeyPair;
}

const SERVING_NAMES = ["localhost", "127.0.0.1", "::1"];
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

function readPair(dir: string, name: string): CertKeyPair | undefined {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
}

function writePair(dir: string, name: string, pair: CertKeyPair): void {
  writeFileSync(join(dir, `${name}.crt`), pair.cert);
  writeFileSync(join(dir, `${name}.key`), pair.key, { mode: 0o600 });
}

function usable(pair: CertKeyPair | undefined, caPem: string, altNames: string[] = []): boolean {
  if (!pair) return false;
  try {
    const cert = new X509Certificate(pair.cert);
    const ca = new X509Certificate(caPem);
    if (!cert.verify(ca.publicKey)) return false;
    if (new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    for (const name of altNames) {
      const ok = name.includes(":") || /^\d+\.\d+\.\d+\.\d+$/.test(name) ? cert.checkIP(name) : cert.checkHost(name);
      if (!ok) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Creates (or reuses) the local CA and certificates in `dir` (the server's --cert-dir). */
export function ensureLocalPki(dir: string): LocalPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let caPair = readPair(dir, "ca");
  if (!caPair || !usable(caPair, caPair.cert)) {
    const ca = createCA("apiserver-kit-local-ca");
    caPair = { cert: ca.cert, key: ca.key };
    writePair(dir, "ca", caPair);
  }
  const ca = loadCA(caPair);
  let serving = readPair(dir, "serving");
  if (!usable(serving, ca.cert, SERVING_NAMES)) {
    serving = issueCertificate(ca, {
      subject: { commonName: "localhost" },
      usages: ["serverAuth"],
      altNames: SERVING_NAMES,
    });
    writePair(dir, "serving", serving);
  }
  let admin = readPair(dir, "admin");
  if (!usable(admin, ca.cert)) {
    admin = issueCertificate(ca, {
      subject: { commonName: "admin", organizations: ["system:masters"] },
      usages: ["clientAuth"],
    });
    writePair(dir, "admin", admin);
  }
  return { ca: caPair, serving: serving as CertKeyPair, admin: admin as CertKeyPair };
}

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  client: CertKeyPair;
  name?: string;
  namespace?: string;
}

/** A kubeconfig with the certificates embedded, as kubectl and client libraries read it. */
export function kubeconfigYAML(options: KubeconfigOptions): string {
  const name = options.name ?? "apiserver-kit";
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: options.server, "certificate-authority-data": b64(options.caPem) } }],
    users: [
      {
        name: `${name}-admin`,
        user: { "client-certificate-data": b64(options.client.cert), "client-key-data": b64(options.client.key) },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: options.namespace ?? "default" } }],
    "current-context": name,
    preferences: {},
  });
}

export interface LocalMode {
  pki: LocalPki;
  tls: TLSConfig;
  authenticator: ClientCertificateAuthenticator;
  authorizer: Authorizer;
  /** Writes `<dataDir>/kubeconfig` for a server URL; returns its path. */
  writeKubeconfig(server: string): string;
}

export function localMode(dataDir: string): LocalMode {
  const pki = ensureLocalPki(join(dataDir, "pki"));
  return {
    pki,
    tls: { cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert },
    authenticator: new ClientCertificateAuthenticator(pki.ca.cert),
    authorizer: mastersAuthorizer,
    writeKubeconfig(server) {
      const path = join(dataDir, "kubeconfig");
      writeFileSync(path, kubeconfigYAML({ server, caPem: pki.ca.cert, client: pki.admin }), { mode: 0o600 });
      return path;
    },
  };
}
