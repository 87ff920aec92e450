import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiError, isConflict } from "../client/errors.js";
import { ResourceClient } from "../client/resource-client.js";
import { RestClient } from "../client/rest-client.js";
import { type RestartableServer, startServer } from "../testing/api-server.js";
import { type Flunder, flunder, flunderType } from "../testing/fixtures.js";
import { retryOnConflict, updateStatus, updateWithRetry } from "./status.js";

describe("writes with conflict retry", () => {
  let server: RestartableServer;
  let rest: RestClient;
  let client: ResourceClient<Flunder>;
  before(async () => {
    server = await startServer();
    rest = new RestClient(await server.restConfig());
    client = new ResourceClient<Flunder>(rest, flunderType);
  });
  after(async () => {
    rest.close();
    await server.dispose();
  });

  it("re-reads and re-applies the status change when another writer got there first", async () => {
    const created = await client.create(flunder("s"));
    await client.patch({ namespace: "default", name: "s" }, { spec: { color: "red" } });
    let attempts = 0;
    const written = await updateStatus(client, { namespace: "default", name: "s" }, (object) => {
      attempts++;
      // The first attempt writes as if it had read before the patch: the server refuses it.
      if (attempts === 1) object.metadata = { ...object.metadata, resourceVersion: created.metadata?.resourceVersion };
      object.status = { ...object.status, phase: `attempt-${attempts}` };
    });
    assert.equal(attempts, 2);
    assert.equal(written.status?.phase, "attempt-2");
    const current = await client.get({ namespace: "default", name: "s" });
    assert.equal(current.status?.phase, "attempt-2");
    assert.equal(current.spec?.color, "red", "the other writer's change survives");
  });

  it("answers a stale write with 409 Conflict, and retryOnConflict tries again", async () => {
    const created = await client.create(flunder("c"));
    await client.patch({ namespace: "default", name: "c" }, { spec: { color: "blue" } });
    const stale = await client.update({ ...created, spec: { color: "green" } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(isConflict(stale), `expected a Conflict, got ${String(stale)}`);
    assert.equal((stale as ApiError).code, 409);

    let attempts = 0;
    const updated = await updateWithRetry(client, { namespace: "default", name: "c" }, (object) => {
      attempts++;
      if (attempts === 1) object.metadata = { ...object.metadata, resourceVersion: created.metadata?.resourceVersion };
      object.spec = { ...object.spec, color: "green" };
    });
    assert.equal(attempts, 2, "the stale first attempt conflicted, the second read fresh");
    assert.equal(updated.spec?.color, "green");
  });

  it("leaves the object alone when the mutation says there is nothing to do", async () => {
    const created = await client.create(flunder("n"));
    const result = await updateStatus(client, { namespace: "default", name: "n" }, () => false);
    assert.equal(result.metadata?.resourceVersion, created.metadata?.resourceVersion);
  });

  it("gives up after the last step, and never retries other errors", async () => {
    let calls = 0;
    const conflict = new ApiError(409, { reason: "Conflict", code: 409, message: "modified" });
    await assert.rejects(
      retryOnConflict(
        async () => {
          calls++;
          throw conflict;
        },
        { steps: 3, delayMs: 1 },
      ),
      (e) => e === conflict,
    );
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(
      retryOnConflict(async () => {
        calls++;
        throw new ApiError(422, { reason: "Invalid", code: 422 });
      }),
      /422/,
    );
    assert.equal(calls, 1);
  });
});
