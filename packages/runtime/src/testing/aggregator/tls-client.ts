/**
 * One HTTPS request with exactly the TLS identity a test chooses (any client certificate,
 * or none) and raw headers (repeated ones kept apart), over a fresh connection; the answer
 * comes with the certificate the server presented.
 */
import { request } from "node:https";
import type { TLSSocket } from "node:tls";

export interface TlsRequestOptions {
  method?: string;
  /** PEM bundle the server's certificate must chain to. */
  ca: string;
  /** The client certificate to present; none: no certificate. */
  client?: { cert: string; key: string };
  /** Header lines in order; a name may repeat. */
  headers?: Array<[string, string]>;
  body?: unknown;
  /** The name the serving certificate is checked against (default the URL's host). */
  servername?: string;
  timeoutMs?: number;
}

export interface TlsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
  /** SHA-256 fingerprint of the serving certificate. */
  serverFingerprint: string;
}

export function tlsRequest(url: string, options: TlsRequestOptions): Promise<TlsAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        ca: options.ca,
        ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
        ...(options.servername ? { servername: options.servername } : {}),
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256 ?? "";
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body) as T,
            serverFingerprint: fingerprint,
          });
        });
        res.on("error", reject);
      },
    );
    const names = new Set((options.headers ?? []).map(([n]) => n));
    for (const name of names) {
      req.setHeader(
        name,
        (options.headers ?? []).filter(([n]) => n === name).map(([, v]) => v),
      );
    }
    if (payload !== undefined && !req.hasHeader("Content-Type")) req.setHeader("Content-Type", "application/json");
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(payload);
  });
}
