/**
 * The serving certificate of an in-cluster deployment: a CA of the project's own and a
 * certificate for the Service's DNS names, kept under deploy/.pki (never committed) and reused
 * while valid, so that re-running `scaffold manifests` changes nothing.
 */
import { X509Certificate } from "node:crypto";
import { createCA, issueCertificate, loadCA } from "@apiserver-kit/runtime";
import type { FilePlan } from "../machinery/file-plan.js";

export const PKI_DIR = "deploy/.pki";
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

export interface ServingCertificates {
  caCert: string;
  cert: string;
  key: string;
}

/** `<service>`, `<service>.<namespace>`, `<service>.<namespace>.svc` and the cluster-local name. */
export function serviceDNSNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

function valid(certPem: string | undefined, caPem: string, names: string[], now: number): boolean {
  if (certPem === undefined) return false;
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.verify(new X509Certificate(caPem).publicKey)) return false;
    if (new Date(cert.validTo).getTime() - now < RENEW_BEFORE_MS) return false;
    return names.every((name) => cert.checkHost(name) !== undefined);
  } catch {
    return false;
  }
}

/** Reuses deploy/.pki when it still fits the names, else issues (and plans) new files. */
export function servingCertificates(plan: FilePlan, names: string[], now = Date.now()): ServingCertificates {
  let caCert = plan.read(`${PKI_DIR}/ca.crt`);
  let caKey = plan.read(`${PKI_DIR}/ca.key`);
  if (caCert === undefined || caKey === undefined || !valid(caCert, caCert, [], now)) {
    const ca = createCA(`${names[0] ?? "apiserver"}-ca`);
    caCert = ca.cert;
    caKey = ca.key;
    plan.generated(`${PKI_DIR}/ca.crt`, caCert);
    plan.generated(`${PKI_DIR}/ca.key`, caKey, 0o600);
  }
  let cert = plan.read(`${PKI_DIR}/serving.crt`);
  let key = plan.read(`${PKI_DIR}/serving.key`);
  if (key === undefined || !valid(cert, caCert, names, now)) {
    const issued = issueCertificate(loadCA({ cert: caCert, key: caKey }), {
      subject: { commonName: names[2] ?? names[0] ?? "apiserver" },
      usages: ["serverAuth"],
      altNames: names,
      validDays: 365,
    });
    cert = issued.cert;
    key = issued.key;
    plan.generated(`${PKI_DIR}/serving.crt`, cert);
    plan.generated(`${PKI_DIR}/serving.key`, key, 0o600);
  }
  return { caCert, cert: cert as string, key };
}
