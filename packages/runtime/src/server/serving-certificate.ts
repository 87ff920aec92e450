/**
 * A serving certificate kept from files and re-read when they change on disk (k8s.io/apiserver
 * dynamiccertificates' DynamicCertKeyPairContent): a rotated Secret (cert-manager, a
 * re-issued service CA) takes effect for new connections without a restart. A pair that
 * doesn't fit together (one file written, the other not yet) is not used until it does.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Clock } from "@apiserver-kit/storage";

export interface CertificatePair {
  cert: string;
  key: string;
}

/** Why a certificate pair was not (re)loaded. */
export class ServingCertificateError extends Error {
  override readonly name = "ServingCertificateError";
  constructor(
    readonly reason: "Unreadable" | "KeyMismatch",
    message: string,
  ) {
    super(message);
  }
}

/** Reads and checks a pair: the first certificate's public key must be the key's. */
export function loadCertificatePair(certFile: string, keyFile: string): CertificatePair {
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(certFile, "utf8");
    key = readFileSync(keyFile, "utf8");
  } catch (error) {
    throw new ServingCertificateError("Unreadable", (error as Error).message);
  }
  let matches: boolean;
  try {
    const publicKey = new X509Certificate(cert).publicKey.export({ format: "der", type: "spki" });
    // The private key derives its public half; as SPKI it compares byte for byte with the certificate's.
    const derived = createPublicKey(createPrivateKey(key)).export({ format: "der", type: "spki" });
    matches = Buffer.compare(publicKey, derived) === 0;
  } catch (error) {
    throw new ServingCertificateError("Unreadable", `${certFile} / ${keyFile}: ${(error as Error).message}`);
  }
  if (!matches) throw new ServingCertificateError("KeyMismatch", `${keyFile} is not the key of ${certFile}`);
  return { cert, key };
}

export interface ServingCertificateWatchOptions {
  certFile: string;
  keyFile: string;
  /** How often the files are compared with what is served. Default 10 s. */
  intervalMs?: number;
  clock: Pick<Clock, "setTimeout" | "clearTimeout">;
  onChange(pair: CertificatePair): void;
  onError?(error: ServingCertificateError): void;
}

/** Polls the files; calls `onChange` with each new valid pair. Returns a function that stops it. */
export function watchServingCertificate(current: CertificatePair, options: ServingCertificateWatchOptions): () => void {
  let served = current;
  let stopped = false;
  let handle: unknown;
  let lastError = "";
  const tick = () => {
    if (stopped) return;
    try {
      const next = loadCertificatePair(options.certFile, options.keyFile);
      lastError = "";
      if (next.cert !== served.cert || next.key !== served.key) {
        served = next;
        options.onChange(next);
      }
    } catch (error) {
      // Report a broken pair once, not on every tick while it stays broken.
      if (error instanceof ServingCertificateError && error.message !== lastError) {
        lastError = error.message;
        options.onError?.(error);
      }
    }
    schedule();
  };
  const schedule = () => {
    handle = options.clock.setTimeout(tick, options.intervalMs ?? 10_000);
    (handle as { unref?: () => void }).unref?.();
  };
  schedule();
  return () => {
    stopped = true;
    options.clock.clearTimeout(handle as never);
  };
}
