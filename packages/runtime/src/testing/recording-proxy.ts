/**
 * A TLS proxy for tests that records what a real client sends: it presents the test
 * server's serving certificate, forwards every request with the local admin's client
 * certificate, and keeps method, path, headers and body. Used to capture the patches
 * kubectl computes.
 */
import { writeFileSync } from "node:fs";
import { createServer, request as httpsRequest, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { kubeconfigYAML } from "../local/local-mode.js";
import type { TestServer } from "./test-server.js";

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string;
  body: string;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** A kubeconfig pointing at the proxy (the same credentials as the server's). */
  kubeconfig: string;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: TestServer, kubeconfigPath: string): Promise<RecordingProxy> {
  const pki = target.local.pki;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(
    { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        requests.push({
          method: req.method ?? "",
          path: req.url ?? "",
          contentType: String(req.headers["content-type"] ?? ""),
          body: body.toString(),
        });
        const headers = { ...req.headers };
        delete headers.host;
        const upstream = httpsRequest(
          {
            host: "127.0.0.1",
            port: target.port,
            path: req.url,
            method: req.method,
            headers,
            ca: pki.ca.cert,
            cert: pki.admin.cert,
            key: pki.admin.key,
            agent: false,
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on("error", () => res.destroy());
        res.on("close", () => upstream.destroy());
        upstream.end(body);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(kubeconfigPath, kubeconfigYAML({ server: url, caPem: pki.ca.cert, client: pki.admin }), {
    mode: 0o600,
  });
  return {
    url,
    requests,
    kubeconfig: kubeconfigPath,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
