/**
 * A separate process for the SQLite tests: `node owner-process.js <dataDir> hold|write`.
 * Prints "ready <pid>" once it owns the directory, or "refused <code> <message>" and exits 3.
 * In write mode it creates objects from four concurrent writers and prints
 * "ack <name> <resourceVersion>" after each acknowledged write.
 */
import { isStorageError } from "../../errors.js";
import { SqliteStorage } from "../sqlite-storage.js";

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir || (mode !== "hold" && mode !== "write")) {
  process.stderr.write("usage: owner-process.js <dataDir> hold|write\n");
  process.exit(2);
}

let storage: SqliteStorage;
try {
  storage = await SqliteStorage.open({ dataDir, compactionIntervalMs: 0 });
} catch (error) {
  const code = isStorageError(error) ? error.code : "Error";
  process.stdout.write(`refused ${code} ${(error as Error).message}\n`);
  process.exit(3);
}
process.stdout.write(`ready ${process.pid}\n`);

if (mode === "hold") {
  setInterval(() => {}, 60_000);
} else {
  let next = 0;
  const writer = async () => {
    for (;;) {
      const name = `item-${next++}`;
      const created = await storage.create(`/registry/test.example/items/${name}`, {
        metadata: { name },
        spec: { payload: name.repeat(20) },
      });
      process.stdout.write(`ack ${name} ${created.metadata?.resourceVersion}\n`);
    }
  };
  for (let i = 0; i < 4; i++) void writer();
}
