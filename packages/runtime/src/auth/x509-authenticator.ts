/**
 * Client-certificate authentication (k8s authentication/request/x509): a peer
 * certificate that chains to the client CA, is within its validity and allows client
 * authentication names the user (CN) and groups (O).
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { UserInfo } from "../api/meta.js";
import type { HttpRequest } from "../server/http.js";
import { AuthenticationError, type Authenticator, withAuthenticatedGroup } from "./types.js";

const CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2";

/** Splits a PEM bundle into certificates. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** The peer's certificate chain as sent in the handshake (leaf first), or [] when none. */
export function peerChain(req: HttpRequest): X509Certificate[] {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== "function") return [];
  const chain: X509Certificate[] = [];
  let cert = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    if (!cert.issuerCertificate || cert.issuerCertificate === cert) break;
    cert = cert.issuerCertificate;
  }
  return chain;
}

export interface VerifyOptions {
  roots: readonly X509Certificate[];
  now?: Date;
  /** Require the clientAuth extended key usage (when the certificate restricts usages). */
  clientAuth?: boolean;
}

function validAt(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
}

/**
 * Verifies that `chain[0]` chains to one of `roots` through `chain[1..]`. Returns the
 * verified leaf, or undefined.
 */
export function verifyChain(chain: readonly X509Certificate[], options: VerifyOptions): X509Certificate | undefined {
  const leaf = chain[0];
  if (!leaf) return undefined;
  const now = options.now ?? new Date();
  if (!validAt(leaf, now)) return undefined;
  if (options.clientAuth) {
    const usages = leaf.keyUsage;
    if (usages && usages.length > 0 && !usages.includes(CLIENT_AUTH_OID)) return undefined;
  }
  let current = leaf;
  const intermediates = chain.slice(1);
  for (let depth = 0; depth < 8; depth++) {
    for (const root of options.roots) {
      if (current.checkIssued(root) && current.verify(root.publicKey) && validAt(root, now)) return leaf;
    }
    const next = intermediates.find(
      (c) => current.checkIssued(c) && current.verify(c.publicKey) && c.ca && validAt(c, now),
    );
    if (!next) return undefined;
    current = next;
  }
  return undefined;
}

/** Subject fields of a certificate: CN and every O. */
export function subjectOf(cert: X509Certificate): { commonName: string; organizations: string[] } {
  let commonName = "";
  const organizations: string[] = [];
  for (const line of cert.subject.split("\n")) {
    const eq = line.indexOf("=");
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "CN") commonName = value;
    else if (key === "O") organizations.push(...value.split("+"));
  }
  return { commonName, organizations };
}

/** What a connection's certificate proved: nothing (none sent), a verified leaf, or a refusal. */
export type PeerVerification =
  | { kind: "none" }
  | { kind: "verified"; leaf: X509Certificate }
  | { kind: "refused"; message: string };

/** Verifies the peer's certificate chain against `roots` with the clientAuth usage. */
export function verifyPeer(req: HttpRequest, roots: readonly X509Certificate[], now?: Date): PeerVerification {
  const chain = peerChain(req);
  const leaf = chain[0];
  if (!leaf) return { kind: "none" };
  const verified = verifyChain(chain, { roots, clientAuth: true, ...(now ? { now } : {}) });
  if (verified) return { kind: "verified", leaf: verified };
  const { commonName } = subjectOf(leaf);
  return {
    kind: "refused",
    message: `verifying certificate SN=${leaf.serialNumber}, CN=${commonName} failed: x509: certificate signed by unknown authority, expired, or not for client authentication`,
  };
}

export interface ClientCertificateOptions {
  /**
   * Refuse (401) a certificate that does not verify, as Kubernetes does. Off, it is
   * ignored and the request goes on as if none was sent (local mode's behaviour).
   */
  strict?: boolean;
}

type Outcome = { user: UserInfo | null } | { error: AuthenticationError };

export class ClientCertificateAuthenticator implements Authenticator {
  private roots: X509Certificate[];
  /** A connection's certificate can't change: verify once per TLS socket, not per request. */
  private cache = new WeakMap<object, Outcome>();

  constructor(
    caBundlePem: string,
    private readonly options: ClientCertificateOptions = {},
  ) {
    this.roots = parseCertificates(caBundlePem);
  }

  /** Replaces the trusted CAs (the client-ca-file changed). */
  setCA(caBundlePem: string): void {
    this.roots = parseCertificates(caBundlePem);
    this.cache = new WeakMap();
  }

  authenticate(req: HttpRequest): UserInfo | null {
    const socket = req.socket as object;
    let outcome = this.cache.get(socket);
    if (outcome === undefined) {
      outcome = this.verify(req);
      this.cache.set(socket, outcome);
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.user;
  }

  private verify(req: HttpRequest): Outcome {
    const result = verifyPeer(req, this.roots);
    if (result.kind === "none") return { user: null };
    if (result.kind === "refused") {
      return this.options.strict
        ? { error: new AuthenticationError(result.message, "InvalidCertificate") }
        : { user: null };
    }
    const { commonName, organizations } = subjectOf(result.leaf);
    if (!commonName) return { user: null };
    return { user: withAuthenticatedGroup({ name: commonName, groups: organizations }) };
  }
}
