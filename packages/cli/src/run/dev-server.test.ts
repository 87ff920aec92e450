import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { CliError } from "../cli/errors.js";
import { checkPortFree } from "./dev-server.js";

describe("scaffold run's port", () => {
  it("is checked before compiling: a port in use names --port, the flag scaffold run takes", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      await assert.rejects(
        checkPortFree(port, []),
        (error: unknown) =>
          error instanceof CliError &&
          error.message === `port ${port} on 127.0.0.1 is in use` &&
          /--port/.test(error.fix ?? ""),
      );
      // The server's own flag after -- wins: the server checks it then.
      await checkPortFree(port, [`--secure-port=${port + 1}`]);
    } finally {
      holder.close();
    }
    await checkPortFree(port, []);
    await checkPortFree(0, []);
  });
});
