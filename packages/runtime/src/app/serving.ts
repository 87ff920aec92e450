/**
 * What the server presents: local-mode certificates (a CA, a serving certificate for localhost,
 * an admin client certificate, a kubeconfig), or a serving certificate from files (re-read when
 * they change, see server/serving-certificate.ts). Who is accepted is delegation.ts's business.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ensureLocalPki, kubeconfigYAML, type LocalPki } from "../local/local-mode.js";
import type { TLSConfig } from "../server/api-server.js";
import { loadCertificatePair } from "../server/serving-certificate.js";
import type { ServerOptions } from "./server-options.js";

export interface Serving {
  tls: TLSConfig;
  pki: LocalPki;
  /** True when the serving certificate is the local-mode one (a kubeconfig can be written). */
  local: boolean;
}

export function prepareServing(options: ServerOptions): Serving {
  const pki = ensureLocalPki(options.certDir);
  const tuning = {
    ...(options.tlsMinVersion ? { minVersion: options.tlsMinVersion } : {}),
    ...(options.tlsCiphers ? { ciphers: options.tlsCiphers } : {}),
  };
  if (options.tlsCertFile !== undefined && options.tlsPrivateKeyFile !== undefined) {
    readPem(options.tlsCertFile, "tls-cert-file");
    readPem(options.tlsPrivateKeyFile, "tls-private-key-file");
    const pair = loadCertificatePair(options.tlsCertFile, options.tlsPrivateKeyFile);
    return { tls: { ...pair, clientCA: pki.ca.cert, ...tuning }, pki, local: false };
  }
  const tls = { cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert, ...tuning };
  return { tls, pki, local: true };
}

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`--${flag} ${path} can't be read (${reason})`);
  }
}

/** The URL a client on this machine uses: the bind address, or loopback when bound to every interface. */
export function localServerURL(bindAddress: string, port: number): string {
  if (bindAddress === "0.0.0.0" || bindAddress === "::" || bindAddress === "") return `https://127.0.0.1:${port}`;
  return bindAddress.includes(":") ? `https://[${bindAddress}]:${port}` : `https://${bindAddress}:${port}`;
}

/** Writes the admin kubeconfig (mode 0600) and returns its path. */
export function writeLocalKubeconfig(path: string, server: string, pki: LocalPki): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYAML({ server, caPem: pki.ca.cert, client: pki.admin }), { mode: 0o600 });
  return path;
}
