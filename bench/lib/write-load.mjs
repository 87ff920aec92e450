// A load generator of its own for open-loop creates (the lean client of raw-load.mjs), so that the
// writes' JSON and TLS work do not delay the timers of the process measuring another latency (bench/serving.mjs's discovery
// p99 during 200 creates/s). Forked with an IPC channel:
//   { run: { port, tls, connections, rate, seconds, path, headers, prefix } } → { latencies }
import { fork } from "node:child_process";
import { openLoop } from "./https-load.mjs";
import { flunder } from "./objects.mjs";
import { RawLoadClient } from "./raw-load.mjs";

if (process.argv[2] === "--write-load") {
  let client;
  let written = 0;
  process.on("message", async ({ run, close }) => {
    if (close) {
      client?.close();
      process.exit(0);
    }
    try {
      if (!client) {
        client = new RawLoadClient({ port: run.port, tls: run.tls, connections: run.connections });
        await client.open();
      }
      const headers = { ...run.headers, "Content-Type": "application/json" };
      const latencies = await openLoop(run.rate, run.seconds, [201], async () => {
        const body = JSON.stringify(flunder(`${run.prefix}-${written}`, written++));
        return (await client.request("POST", run.path, headers, body)).status;
      });
      process.send({ latencies });
    } catch (error) {
      process.send({ error: error?.stack ?? String(error) });
    }
  });
}

/** Starts the writer process; `run(options)` resolves with each create's latency in ms. */
export function startWriteLoad() {
  const child = fork(new URL(import.meta.url).pathname, ["--write-load"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    run(options) {
      return new Promise((resolve, reject) => {
        child.once("message", (m) => (m.error ? reject(new Error(m.error)) : resolve(m.latencies)));
        child.send({ run: options });
      });
    },
    async close() {
      if (child.exitCode === null) child.send({ close: true });
      await exited;
    },
  };
}
