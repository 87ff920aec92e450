// Creates as the storage scenario and its experiments send them: flunders through the server
// over the lean HTTP/2 or HTTP/1.1 client, and the baseline's raw etcd transaction.
import { ensureLocalPki } from "@apiserver-kit/runtime";
import { H2LoadClient } from "./h2-load.mjs";
import { FLUNDERS, flunder } from "./objects.mjs";
import { startServerProcess } from "./process.mjs";
import { RawLoadClient } from "./raw-load.mjs";

/** Runs `total` jobs, `concurrency` at a time: job(i, worker). Resolves with jobs per second. */
export async function atConcurrency(total, concurrency, job) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < total) await job(next++, worker);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/**
 * Creates `total` flunders (f-0, f-1, ...) in `namespace`, `concurrency` at a time, worker w
 * sending through clients[w % clients.length] (RawLoadClients); resolves with creates per second.
 */
export function createFlunders(clients, namespace, total, concurrency) {
  const all = Array.isArray(clients) ? clients : [clients];
  return atConcurrency(total, concurrency, async (i, worker) => {
    const body = JSON.stringify(flunder(`f-${i}`, i, namespace));
    const client = all[worker % all.length];
    const res = await client.request("POST", FLUNDERS(namespace), { "Content-Type": "application/json" }, body);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${res.body}`);
  });
}

/** The baseline's etcd transaction through the storage package's EtcdClient: key absent (mod_revision = 0) → put. */
export async function etcdCreate(client, key, value) {
  const k = Buffer.from(key);
  const result = await client.txn({
    compare: [{ result: "Equal", target: "Mod", key: k, mod_revision: 0 }],
    success: [{ request_put: { key: k, value: Buffer.isBuffer(value) ? value : Buffer.from(value) } }],
    failure: [],
  });
  if (!result.succeeded) throw new Error(`txn on ${key} failed`);
}

/**
 * The storage scenario's server (bench/storage.mjs --serve: runServer on `storage`, "sqlite" or
 * "etcd" at `etcdEndpoint`) in a process of its own, with the admin credentials of its local PKI
 * in `dir` and `client(connections)`, which opens a lean HTTP/1.1 load client to it with that many
 * connections (`h2Client()`: the lean HTTP/2 client, one connection, as the storage scenario's rows).
 */
export async function startStorageServer(dir, storage, etcdEndpoint) {
  const script = new URL("../storage.mjs", import.meta.url).pathname;
  const args = ["--dir", dir, "--storage", storage, ...(etcdEndpoint ? ["--etcd", etcdEndpoint] : [])];
  const server = await startServerProcess(script, args);
  const pki = ensureLocalPki(dir);
  const tls = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
  const client = async (connections) => {
    const load = new RawLoadClient({ port: server.info.port, tls, connections });
    await load.open();
    return load;
  };
  const h2Client = async () => {
    const load = new H2LoadClient({ port: server.info.port, tls });
    await load.open();
    return load;
  };
  return { server, tls, client, h2Client };
}
