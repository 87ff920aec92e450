/**
 * What the server presents and accepts: local-mode certificates (a CA, a serving certificate for
 * localhost, an admin client certificate, a kubeconfig), or a serving certificate from files.
 * Client certificates from the local CA are accepted in both cases until delegated authentication
 * brings its own flags.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Authenticator, type Authorizer, mastersAuthorizer } from "../auth/types.js";
import { ClientCertificateAuthenticator } from "../auth/x509-authenticator.js";
import { ensureLocalPki, kubeconfigYAML, type LocalPki } from "../local/local-mode.js";
import type { TLSConfig } from "../server/api-server.js";
import type { ServerOptions } from "./server-options.js";

export interface Serving {
  tls: TLSConfig;
  authenticator: Authenticator;
  authorizer: Authorizer;
  pki: LocalPki;
  /** True when the serving certificate is the local-mode one (a kubeconfig can be written). */
  local: boolean;
}

export function prepareServing(options: ServerOptions): Serving {
  const pki = ensureLocalPki(options.certDir);
  const authenticator = new ClientCertificateAuthenticator(pki.ca.cert);
  if (options.tlsCertFile !== undefined && options.tlsPrivateKeyFile !== undefined) {
    const tls = {
      cert: readPem(options.tlsCertFile, "tls-cert-file"),
      key: readPem(options.tlsPrivateKeyFile, "tls-private-key-file"),
      clientCA: pki.ca.cert,
    };
    return { tls, authenticator, authorizer: mastersAuthorizer, pki, local: false };
  }
  const tls = { cert: pki.serving.cert, key: pki.serving.key, clientCA: pki.ca.cert };
  return { tls, authenticator, authorizer: mastersAuthorizer, pki, local: true };
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
