import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { FakeClock } from "@apiserver-kit/storage/testing";
import { ResourceClient } from "../client/resource-client.js";
import { RestClient } from "../client/rest-client.js";
import { type RestartableServer, startServer } from "../testing/api-server.js";
import { type Flunder, flunder, flunderType } from "../testing/fixtures.js";
import { eventually } from "../testing/wait.js";
import { Informer } from "./informer.js";
import { stripManagedFields, TransformError } from "./reflector.js";

describe("Informer", () => {
  let server: RestartableServer;
  let rest: RestClient;
  let client: ResourceClient<Flunder>;
  const stops: Array<() => Promise<void>> = [];

  before(async () => {
    server = await startServer();
    rest = new RestClient(await server.restConfig());
    client = new ResourceClient<Flunder>(rest, flunderType);
  });
  after(async () => {
    for (const stop of stops) await stop();
    rest.close();
    await server.dispose();
  });

  function run(informer: Informer<Flunder>) {
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    const stop = async () => {
      abort.abort();
      await running;
    };
    stops.push(stop);
    return stop;
  }

  it("lists, then tells its handlers of adds, updates and deletes in order", async () => {
    await client.create(flunder("early", {}, "ns1"));
    const informer = new Informer<Flunder>(client, { namespace: "ns1" });
    const events: string[] = [];
    informer.addEventHandler({
      onAdd: (o, initial) => events.push(`add ${o.metadata?.name}${initial ? " (initial)" : ""}`),
      onUpdate: (o, n) => events.push(`update ${o.metadata?.name} ${o.spec?.color ?? "-"}→${n.spec?.color}`),
      onDelete: (o, unknown) => events.push(`delete ${o.metadata?.name}${unknown ? " (unknown)" : ""}`),
    });
    const stop = run(informer);
    assert.equal(await informer.waitForSync(), true);
    await client.create(flunder("late", {}, "ns1"));
    await client.create(flunder("elsewhere", {}, "ns2"));
    await client.patch({ namespace: "ns1", name: "late" }, { spec: { color: "red" } });
    await client.delete({ namespace: "ns1", name: "early" });
    await eventually(
      () => events.length >= 4,
      () => events.join(", "),
    );
    assert.deepEqual(events, ["add early (initial)", "add late", "update late -→red", "delete early"]);
    assert.deepEqual(informer.store.keys(), ["ns1/late"], "ns2 is outside the informer's namespace");
    assert.equal(informer.store.get("ns1/late")?.kind, "Flunder");
    await stop();
  });

  it("replays the cache to a handler added after sync, and resyncs on its period", async () => {
    await client.create(flunder("a", {}, "ns3"));
    await client.create(flunder("b", {}, "ns3"));
    const clock = new FakeClock();
    const informer = new Informer<Flunder>(client, { namespace: "ns3", resyncPeriodMs: 60_000, clock });
    const stop = run(informer);
    await informer.waitForSync();
    const seen: string[] = [];
    const off = informer.addEventHandler({
      onAdd: (o, initial) => seen.push(`add ${o.metadata?.name} ${initial}`),
      onUpdate: (o, n) => seen.push(`resync ${o.metadata?.name} ${o === n}`),
    });
    assert.deepEqual(seen.sort(), ["add a true", "add b true"]);
    seen.length = 0;
    await clock.advance(59_999);
    assert.deepEqual(seen, []);
    await clock.advance(1);
    assert.deepEqual(seen.sort(), ["resync a true", "resync b true"]);
    off();
    await clock.advance(60_000);
    assert.equal(seen.length, 2, "an unregistered handler hears nothing more");
    await stop();
  });

  it("keeps going when a handler throws", async () => {
    const informer = new Informer<Flunder>(client, { namespace: "ns4" });
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: () => {
        throw new Error("broken handler");
      },
    });
    informer.addEventHandler({ onAdd: (o) => seen.push(o.metadata?.name ?? "") });
    const stop = run(informer);
    await informer.waitForSync();
    await client.create(flunder("x", {}, "ns4"));
    await client.create(flunder("y", {}, "ns4"));
    await eventually(
      () => seen.length === 2,
      () => seen.join(","),
    );
    await stop();
  });

  it("gets its first state as a watch list from a server that streams initial events", async () => {
    await client.create(flunder("w1", {}, "ns5"));
    await client.create(flunder("w2", {}, "ns5"));
    const informer = new Informer<Flunder>(client, { namespace: "ns5" });
    const stop = run(informer);
    await informer.waitForSync();
    assert.deepEqual(informer.store.keys().sort(), ["ns5/w1", "ns5/w2"]);
    assert.equal(informer.stats.syncs, 1);
    assert.equal(informer.stats.lists, 0, "no paged list was needed");
    assert.equal(informer.stats.watches, 1, "the same stream goes on with changes");
    await client.create(flunder("w3", {}, "ns5"));
    await eventually(
      () => informer.store.size === 3,
      () => informer.store.keys().join(","),
    );
    assert.equal(informer.stats.watches, 1);
    await stop();
  });

  it("lists instead when the server refuses to stream initial events", async () => {
    const requests: string[] = [];
    const old = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push(url.search);
      if (url.searchParams.has("sendInitialEvents")) {
        res.writeHead(422, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "Invalid", code: 422 }));
        return;
      }
      if (url.searchParams.get("watch") === "true") {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.flushHeaders();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({ metadata: { resourceVersion: "9" }, items: [{ metadata: { name: "o", namespace: "x" } }] }),
      );
    });
    await new Promise<void>((resolve) => old.listen(0, "127.0.0.1", resolve));
    const oldRest = new RestClient({ server: `http://127.0.0.1:${(old.address() as AddressInfo).port}` });
    const informer = new Informer<Flunder>(new ResourceClient<Flunder>(oldRest, flunderType));
    const stop = run(informer);
    await informer.waitForSync();
    assert.deepEqual(informer.store.keys(), ["x/o"]);
    assert.equal(informer.stats.lists, 1);
    assert.equal(informer.stats.failures, 0, "a refusal is not a failure: no backoff");
    await eventually(
      () => requests.length === 3,
      () => requests.join(" "),
    );
    assert.match(requests[0] ?? "", /sendInitialEvents=true/);
    assert.match(requests[1] ?? "", /limit=500/);
    assert.match(requests[2] ?? "", /watch=true.*resourceVersion=9/);
    await stop();
    oldRest.close();
    old.closeAllConnections();
    await new Promise((resolve) => old.close(resolve));
  });

  it("applies a transform to every object before the store and the handlers see it: managed fields stripped", async () => {
    await client.create(flunder("t1", {}, "tr1"));
    assert.ok((await client.get({ namespace: "tr1", name: "t1" })).metadata?.managedFields, "the server records them");
    const informer = new Informer<Flunder>(client, { namespace: "tr1", transform: stripManagedFields });
    const seen: string[] = [];
    const fields = (o: Flunder) => `${o.metadata?.name} ${"managedFields" in (o.metadata ?? {}) ? "with" : "without"}`;
    informer.addEventHandler({
      onAdd: (o) => seen.push(`add ${fields(o)}`),
      onUpdate: (_, n) => seen.push(`update ${fields(n)}`),
      onDelete: (o) => seen.push(`delete ${fields(o)}`),
    });
    const stop = run(informer);
    await informer.waitForSync();
    await client.create(flunder("t2", {}, "tr1"));
    await client.patch({ namespace: "tr1", name: "t2" }, { spec: { color: "blue" } });
    await client.delete({ namespace: "tr1", name: "t2" });
    await eventually(
      () => seen.length === 4,
      () => seen.join(", "),
    );
    assert.deepEqual(seen, ["add t1 without", "add t2 without", "update t2 without", "delete t2 without"]);
    const cached = informer.store.get("tr1/t1");
    assert.equal(cached?.metadata?.name, "t1");
    assert.equal(cached?.metadata?.managedFields, undefined);
    await stop();
  });

  it("applies the transform to a paged list too", async () => {
    await client.create(flunder("p1", {}, "tr2"));
    const informer = new Informer<Flunder>(client, {
      namespace: "tr2",
      watchList: false,
      transform: stripManagedFields,
    });
    const stop = run(informer);
    await informer.waitForSync();
    assert.equal(informer.stats.lists, 1);
    assert.deepEqual(informer.store.keys(), ["tr2/p1"]);
    assert.equal(informer.store.get("tr2/p1")?.metadata?.managedFields, undefined);
    await stop();
  });

  it("an update sent from a stripped object keeps the server's managed fields", async () => {
    const created = await client.create(flunder("keep", { color: "a" }, "tr3"), { fieldManager: "creator" });
    const managers = (o: Flunder) =>
      (o.metadata?.managedFields as Array<{ manager: string }> | undefined)?.map((m) => m.manager).sort();
    assert.deepEqual(managers(created), ["creator"]);
    const stripped = stripManagedFields(structuredClone(created)) as Flunder;
    assert.equal("managedFields" in (stripped.metadata ?? {}), false, "the key is gone, not emptied");
    stripped.spec = { color: "b" };
    assert.deepEqual(managers(await client.update(stripped, { fieldManager: "controller" })), [
      "controller",
      "creator",
    ]);
  });

  it("a transform that throws fails the sync like a server error, and the informer retries until it works", async () => {
    await client.create(flunder("good", {}, "tr4"));
    await client.create(flunder("bad", {}, "tr4"));
    let broken = true;
    const informer = new Informer<Flunder>(client, {
      namespace: "tr4",
      backoff: { initialMs: 5, maxMs: 20 },
      transform: (o) => {
        if (broken && o.metadata?.name?.startsWith("bad")) throw new Error("cannot transform this one");
        return stripManagedFields(o);
      },
    });
    const stop = run(informer);
    await eventually(
      () => informer.stats.failures >= 2,
      () => JSON.stringify(informer.stats),
    );
    assert.equal(informer.hasSynced(), false, "no partial state is published");
    assert.equal(informer.store.size, 0);
    broken = false;
    assert.equal(await informer.waitForSync(), true);
    assert.deepEqual(informer.store.keys().sort(), ["tr4/bad", "tr4/good"]);
    // The same for a watch event: the watch fails, and a fresh sync picks the object up once it transforms.
    broken = true;
    const failures = informer.stats.failures;
    await client.create(flunder("bad2", {}, "tr4"));
    await eventually(
      () => informer.stats.failures > failures,
      () => JSON.stringify(informer.stats),
    );
    assert.equal(informer.store.get("tr4/bad2"), undefined);
    broken = false;
    await eventually(
      () => informer.store.get("tr4/bad2") !== undefined,
      () => informer.store.keys().join(","),
    );
    assert.equal(informer.store.get("tr4/bad2")?.metadata?.managedFields, undefined);
    await stop();
  });

  it("a transform that returns no object is a TransformError, not a crash", async () => {
    await client.create(flunder("u", {}, "tr5"));
    const errors: unknown[] = [];
    const informer = new Informer<Flunder>(client, {
      namespace: "tr5",
      backoff: { initialMs: 5, maxMs: 20 },
      transform: () => undefined as unknown as Flunder,
      logger: {
        debug: () => {},
        info: () => {},
        warn: (_message, fields) => errors.push(fields?.error),
        error: () => {},
        child() {
          return this;
        },
      },
    });
    const stop = run(informer);
    await eventually(
      () => errors.length >= 1,
      () => JSON.stringify(informer.stats),
    );
    assert.deepEqual(errors[0], {
      name: new TransformError("").name,
      message: "transforming flunders tr5/u failed: the transform returned undefined, not an object",
    });
    assert.equal(informer.hasSynced(), false);
    await stop();
  });

  it("waitForSync answers false when stopped before syncing", async () => {
    const unreachable = new RestClient({ server: "http://127.0.0.1:1" });
    const informer = new Informer<Flunder>(new ResourceClient<Flunder>(unreachable, flunderType), {
      backoff: { initialMs: 10 },
    });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    const waiting = informer.waitForSync(abort.signal);
    await eventually(
      () => informer.stats.failures >= 2,
      () => JSON.stringify(informer.stats),
    );
    abort.abort();
    assert.equal(await waiting, false);
    await running;
    assert.equal(informer.hasSynced(), false);
    unreachable.close();
  });
});
