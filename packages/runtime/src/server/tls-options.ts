/**
 * --tls-min-version and --tls-cipher-suites in Go's names (what a Deployment written for a
 * Go aggregated server passes), translated for Node's TLS (OpenSSL names).
 */

export const TLS_VERSIONS = {
  VersionTLS10: "TLSv1",
  VersionTLS11: "TLSv1.1",
  VersionTLS12: "TLSv1.2",
  VersionTLS13: "TLSv1.3",
} as const;

export type GoTLSVersion = keyof typeof TLS_VERSIONS;
export type NodeTLSVersion = (typeof TLS_VERSIONS)[GoTLSVersion];

/** Go's TLS 1.0–1.2 suite names (crypto/tls) → OpenSSL's. TLS 1.3 suites are not configurable, as in Go. */
export const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: "ECDHE-ECDSA-AES128-SHA256",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: "ECDHE-RSA-AES128-SHA256",
  TLS_RSA_WITH_AES_128_GCM_SHA256: "AES128-GCM-SHA256",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
  TLS_RSA_WITH_AES_128_CBC_SHA: "AES128-SHA",
  TLS_RSA_WITH_AES_256_CBC_SHA: "AES256-SHA",
  TLS_RSA_WITH_AES_128_CBC_SHA256: "AES128-SHA256",
};

/** The TLS 1.3 suites OpenSSL offers by default; kept on whatever TLS 1.2 suites are chosen, as Go does. */
const TLS13_SUITES = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

/** A suite name that is neither Go's nor a TLS 1.3 one. */
export class CipherSuiteError extends Error {
  override readonly name = "CipherSuiteError";
  readonly reason = "UnknownCipherSuite";
  constructor(readonly suite: string) {
    super(
      `unknown cipher suite ${JSON.stringify(suite)}: use Go's names, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`,
    );
  }
}

/** Node's `ciphers` string for Go suite names. */
export function opensslCiphers(goSuites: readonly string[]): string {
  const names = goSuites.map((suite) => {
    if (TLS13_SUITES.includes(suite)) return suite;
    const openssl = CIPHER_SUITES[suite];
    if (!openssl) throw new CipherSuiteError(suite);
    return openssl;
  });
  return [...new Set([...TLS13_SUITES, ...names])].join(":");
}
