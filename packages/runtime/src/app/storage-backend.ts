/** Opens the storage backend the flags chose. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EtcdStorage, MemoryStorage, SqliteStorage, type Storage } from "@apiserver-kit/storage";
import type { ServerOptions } from "./server-options.js";

/** Where `--storage sqlite` keeps its database. */
export function sqliteDirectory(options: Pick<ServerOptions, "dataDir">): string {
  return join(options.dataDir, "storage");
}

export async function openStorage(options: ServerOptions): Promise<Storage> {
  switch (options.storage) {
    case "memory":
      return new MemoryStorage();
    case "sqlite":
      return SqliteStorage.open({ dataDir: sqliteDirectory(options) });
    case "etcd": {
      const etcd = options.etcd;
      if (etcd === undefined) throw new Error("etcd options are missing");
      // kube-apiserver reads the TLS files before it dials, whatever the servers' scheme: a
      // wrong path fails naming its flag (not as a bare ENOENT, nor ignored for http:// URLs).
      for (const [flag, file] of [
        ["etcd-cafile", etcd.caFile],
        ["etcd-certfile", etcd.certFile],
        ["etcd-keyfile", etcd.keyFile],
      ] as const) {
        if (file === undefined) continue;
        try {
          readFileSync(file);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`--${flag} ${file} can't be read (${reason})`);
        }
      }
      const storage = new EtcdStorage({
        servers: etcd.servers,
        prefix: etcd.prefix,
        compactionIntervalMs: etcd.compactionIntervalMs,
        ...(etcd.caFile ? { caFile: etcd.caFile } : {}),
        ...(etcd.certFile ? { certFile: etcd.certFile } : {}),
        ...(etcd.keyFile ? { keyFile: etcd.keyFile } : {}),
      });
      try {
        // Fail at start-up, not on the first request, when etcd can't be reached.
        await storage.ping();
      } catch (error) {
        await storage.close();
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `etcd at ${etcd.servers.join(", ")} did not answer (${reason}): check --etcd-servers and the --etcd-* TLS files`,
        );
      }
      return storage;
    }
  }
}

/** One line for the start-up log. */
export function describeStorage(options: ServerOptions): string {
  switch (options.storage) {
    case "memory":
      return "memory (objects are lost when the server stops)";
    case "sqlite":
      return `sqlite in ${sqliteDirectory(options)}`;
    case "etcd":
      return `etcd at ${options.etcd?.servers.join(", ")} under ${options.etcd?.prefix}`;
  }
}
