/**
 * A TCP proxy on loopback that delays everything the upstream sends by a fixed time: a
 * replica behind it sees etcd as from a far zone — its watch events arrive late, and so do
 * its reads' answers. A consistent read must still see every write acknowledged before it.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface SlowLink {
  /** `http://127.0.0.1:<port>`: give it to the replica as its --etcd-servers. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startSlowLink(upstream: string, delayMs: number): Promise<SlowLink> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const remote = connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(remote);
    client.pipe(remote);
    // Downstream bytes wait `delayMs` each, in order: a constant extra latency, not a reordering.
    remote.on("data", (chunk: Buffer) => {
      setTimeout(() => {
        if (!client.destroyed) client.write(chunk);
      }, delayMs);
    });
    const end = () => {
      client.destroy();
      remote.destroy();
      sockets.delete(client);
      sockets.delete(remote);
    };
    client.on("error", end);
    remote.on("error", end);
    client.on("close", end);
    remote.on("close", () => setTimeout(end, delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
