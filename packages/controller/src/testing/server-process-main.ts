/**
 * A test API server in a process of its own, on SQLite in `<dataDir>/storage`, so that tests
 * can kill -9 it and start it again on the same port, data and certificates:
 * `node server-process-main.js <dataDir> [port]` prints `{"kubeconfig": ..., "port": ...}`
 * once listening. Test support only.
 */
import { join } from "node:path";
import { SqliteStorage } from "@apiserver-kit/storage";
import { startServer } from "./api-server.js";

const [dataDir, port] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: server-process-main.js <dataDir> [port]");
// "normal": acknowledged writes survive kill -9 (not an OS crash), without an fsync per commit.
const storage = await SqliteStorage.open({ dataDir: join(dataDir, "storage"), synchronous: "normal" });
const server = await startServer({ storage, dataDir, port: Number(port ?? 0) });
process.stdout.write(`${JSON.stringify({ kubeconfig: server.kubeconfig, port: server.port })}\n`);
process.on("SIGTERM", () => {
  void server.dispose().then(() => process.exit(0));
});
