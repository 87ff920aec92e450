import { once } from "node:events";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";

/** A plain-text node:http2 server on a loopback port, for the tests of the gRPC transport. */
export interface H2TestServer {
  readonly url: URL;
  /** Destroys every session it accepted and stops listening. */
  close(): void;
}

export async function startH2TestServer(
  onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
): Promise<H2TestServer> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => sessions.add(session));
  server.on("stream", onStream);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    close() {
      for (const session of sessions) session.destroy();
      server.close();
    },
  };
}
