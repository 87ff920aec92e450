/**
 * The certificates of a test cluster, laid out as kubeadm lays out a real one: a cluster CA
 * (kube-apiserver's serving certificate, users' client certificates), a front-proxy CA and
 * the aggregator's `front-proxy-client` certificate, and a CA for extension servers'
 * serving certificates (what an APIService's caBundle holds).
 */
import { type CertificateAuthority, type CertKeyPair, createCA, issueCertificate } from "../../certs/x509.js";

export const FRONT_PROXY_CLIENT = "front-proxy-client";

export interface ClusterPki {
  /** Signs kube-apiserver's serving certificate and users' client certificates (client-ca-file). */
  clusterCA: CertificateAuthority;
  /** kube-apiserver's serving certificate, for localhost and 127.0.0.1. */
  apiserver: CertKeyPair;
  /** Signs the aggregator's proxy client certificate (requestheader-client-ca-file). */
  frontProxyCA: CertificateAuthority;
  /** What the aggregator presents to extension servers (CN front-proxy-client). */
  frontProxyClient: CertKeyPair;
  /** Signs extension servers' serving certificates: an APIService's caBundle. */
  servingCA: CertificateAuthority;
}

export function createClusterPki(): ClusterPki {
  const clusterCA = createCA("kubernetes");
  const frontProxyCA = createCA("front-proxy-ca");
  return {
    clusterCA,
    apiserver: issueCertificate(clusterCA, {
      subject: { commonName: "kube-apiserver" },
      usages: ["serverAuth"],
      altNames: ["localhost", "127.0.0.1", "kubernetes.default.svc"],
    }),
    frontProxyCA,
    frontProxyClient: issueCertificate(frontProxyCA, {
      subject: { commonName: FRONT_PROXY_CLIENT },
      usages: ["clientAuth"],
    }),
    servingCA: createCA("extension-serving-ca"),
  };
}

/** A client certificate of the cluster CA: CN is the user, O the groups (what kubectl presents). */
export function userCertificate(pki: ClusterPki, name: string, groups: string[] = []): CertKeyPair {
  return issueCertificate(pki.clusterCA, {
    subject: { commonName: name, ...(groups.length ? { organizations: groups } : {}) },
    usages: ["clientAuth"],
  });
}

/**
 * An extension server's serving certificate for its Service's DNS name (`<name>.<namespace>.svc`,
 * what the aggregator checks) and loopback.
 */
export function servingCertificate(pki: ClusterPki, service: { namespace: string; name: string }): CertKeyPair {
  const dns = `${service.name}.${service.namespace}.svc`;
  return issueCertificate(pki.servingCA, {
    subject: { commonName: dns },
    usages: ["serverAuth"],
    altNames: [dns, `${dns}.cluster.local`, "localhost", "127.0.0.1"],
  });
}
