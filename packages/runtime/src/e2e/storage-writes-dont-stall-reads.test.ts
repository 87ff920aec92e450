/**
 * Writes don't stall reads (issue 5 show 6): better-sqlite3 is synchronous, so a commit's
 * fsync on the server's event loop would hold every other request. With each SQLite commit
 * slowed on purpose (testHooks.commitDelayMs: the writer blocks inside the commit, like a
 * slow disk), reads sent while a write is inside its commit — discovery, and gets and lists
 * served by the watch cache — complete before that write returns.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SqliteStorage } from "@apiserver-kit/storage";
import { InstrumentedStorage } from "@apiserver-kit/storage/testing";
import { HttpsClient } from "../testing/processes/https-client.js";
import { flunder, WARDLE_API } from "../testing/processes/write-storm.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

/** Long against a read (milliseconds), so that the order below says "the read did not wait for the commit". */
const COMMIT_DELAY_MS = 800;
/** How long after the write reached the storage the reads go out: the writer is inside the commit by then. */
const INTO_THE_COMMIT_MS = 100;
const COLLECTION = `${WARDLE_API}/namespaces/default/flunders`;
const READS = [
  "/apis",
  `${WARDLE_API}`,
  "/openapi/v3",
  `${COLLECTION}/existing?resourceVersion=0`,
  `${COLLECTION}?resourceVersion=0`,
  "/readyz",
];

describe("writes don't stall reads", () => {
  let dir: string;
  let storage: InstrumentedStorage;
  let server: TestServer;
  let client: HttpsClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "stall-"));
    storage = new InstrumentedStorage(
      await SqliteStorage.open({ dataDir: dir, testHooks: { commitDelayMs: COMMIT_DELAY_MS } }),
    );
    server = await startTestServer({ storage });
    const { ca, admin } = server.local.pki;
    client = new HttpsClient(server.url, { ca: ca.cert, cert: admin.cert, key: admin.key });
    const created = await client.request(COLLECTION, {
      method: "POST",
      body: flunder("existing", { replicas: 1, reference: "r" }),
    });
    assert.equal(created.status, 201, created.body);
    // Warm every read path once, so that no first-use cost lands inside the measured commit.
    for (const path of READS) assert.equal((await client.request(path)).status, 200, path);
  });
  after(async () => {
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers reads sent during a slow commit before that write returns", async (t) => {
    const rounds = 2;
    for (let round = 0; round < rounds; round++) {
      const order: string[] = [];
      const creates = storage.calls.create;
      const write = client
        .request(COLLECTION, { method: "POST", body: flunder(`slow-${round}`, { replicas: 1, reference: "r" }) })
        .then((answer) => {
          order.push("write");
          assert.equal(answer.status, 201, answer.body);
        });
      while (storage.calls.create === creates) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, INTO_THE_COMMIT_MS));
      const reads = READS.map((path) =>
        client.request(path).then((answer) => {
          order.push(path);
          assert.equal(answer.status, 200, `${path}: ${answer.body}`);
        }),
      );
      await Promise.all([write, ...reads]);
      assert.equal(order.at(-1), "write", `round ${round}: ${order.join(" → ")}`);
    }
    t.diagnostic(`${rounds} writes with a ${COMMIT_DELAY_MS} ms commit; ${READS.length} reads each answered during it`);
  });
});
