// Fills storage with many objects quickly, shaped exactly as the server stores them: one
// object is created through a real server (defaults, uid, managedFields...), then copied
// under new names straight into the backend.
import { randomUUID } from "node:crypto";
import { request } from "node:https";
import { MemoryStorage, SqliteStorage, withoutRevision } from "@apiserver-kit/storage";
import { startLocalServer } from "./local-server.mjs";
import { FLUNDERS, flunder, flunderKey } from "./objects.mjs";

/** The stored form of `flunder("template")`, as a server with this runtime stores it. */
export async function storedTemplate(pkiDir) {
  const storage = new MemoryStorage();
  const { server, port, credentials } = await startLocalServer(storage, pkiDir);
  const body = JSON.stringify(flunder("template", 0));
  const status = await new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: FLUNDERS(),
        method: "POST",
        agent: false,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
        ...credentials,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  if (status !== 201) throw new Error(`template create: ${status}`);
  const stored = await storage.get(flunderKey("template"));
  await server.close();
  return withoutRevision(stored);
}

/** The template under another name and namespace, with its own uid and index-dependent fields. */
export function copyOf(template, name, index, namespace = "default") {
  const fresh = flunder(name, index, namespace);
  return {
    ...template,
    metadata: {
      ...template.metadata,
      name,
      namespace,
      uid: randomUUID(),
      labels: fresh.metadata.labels,
      annotations: fresh.metadata.annotations,
    },
    spec: { ...template.spec, ...fresh.spec },
  };
}

/**
 * Creates `count` copies in a SQLite database at `dataDir` (synchronous=NORMAL: a benchmark's
 * fixture need not survive a power loss), `namespaceOf(i)` choosing each one's namespace.
 */
export async function fillSqlite(dataDir, template, count, namespaceOf = () => "default") {
  const storage = await SqliteStorage.open({ dataDir, synchronous: "normal", compactionIntervalMs: 0 });
  const batch = 2000;
  for (let start = 0; start < count; start += batch) {
    const writes = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const name = `obj-${String(i).padStart(6, "0")}`;
      const namespace = namespaceOf(i);
      writes.push(storage.create(flunderKey(name, namespace), copyOf(template, name, i, namespace)));
    }
    await Promise.all(writes);
  }
  await storage.close();
}
