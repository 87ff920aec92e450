// The runtime API server in a process of its own, so that a benchmark's client and server
// don't share one event loop. Prints `{"kubeconfig": ...}` once listening; stops on SIGTERM.
import { startServer } from "../dist/testing/api-server.js";

const server = await startServer();
process.stdout.write(`${JSON.stringify({ kubeconfig: server.kubeconfig })}\n`);
process.on("SIGTERM", async () => {
  await server.dispose();
  process.exit(0);
});
