import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { FakeClock } from "@apiserver-kit/storage/testing";
import { ResourceClient } from "../client/resource-client.js";
import { RestClient } from "../client/rest-client.js";
import type { KubeObject } from "../objects/meta.js";
import { type Flunder, flunderType } from "../testing/fixtures.js";
import { eventually } from "../testing/wait.js";
import { Reflector, type ReflectorSink } from "./reflector.js";

/** A server whose watches the test writes to by hand. Lists answer with no items. */
describe("Reflector watchdog", () => {
  const watches: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    res.writeHead(200, { "Content-Type": "application/json" });
    if (url.searchParams.get("watch") !== "true") {
      res.end(JSON.stringify({ metadata: { resourceVersion: "1" }, items: [] }));
      return;
    }
    res.flushHeaders();
    watches.push(res);
  });
  let rest: RestClient;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    rest = new RestClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  after(async () => {
    rest.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("restarts only after a full idle window without events, measured from the last one", async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const sink: ReflectorSink<KubeObject> = {
      replace: () => seen.push("replace"),
      added: (o) => seen.push(`added ${o.metadata?.resourceVersion}`),
      modified: () => {},
      deleted: () => {},
    };
    const reflector = new Reflector(new ResourceClient<Flunder>(rest, flunderType), sink, {
      watchList: false,
      watchIdleTimeoutMs: 300,
      clock,
    });
    const abort = new AbortController();
    const running = reflector.run(abort.signal);
    await eventually(
      () => watches.length === 1,
      () => "no watch",
    );
    const send = async (rv: string) => {
      const count = seen.length;
      watches
        .at(-1)
        ?.write(
          `${JSON.stringify({ type: "ADDED", object: { metadata: { name: `n${rv}`, resourceVersion: rv } } })}\n`,
        );
      await eventually(
        () => seen.length > count,
        () => "event not seen",
      );
    };
    await clock.advance(200);
    await send("2");
    await clock.advance(200);
    assert.equal(reflector.stats.idleRestarts, 0, "the timer fired at 300 ms, 100 ms after an event: it waits on");
    await clock.advance(99);
    assert.equal(reflector.stats.idleRestarts, 0);
    await clock.advance(1);
    assert.equal(reflector.stats.idleRestarts, 1, "300 ms after the last event");
    await eventually(
      () => watches.length === 2,
      () => "the watch was not reopened",
    );
    assert.match(String(watches[1]?.req.url), /resourceVersion=2/, "reopened from the last event's resourceVersion");
    assert.deepEqual(seen, ["replace", "added 2"]);
    assert.equal(reflector.stats.lists, 1);
    abort.abort();
    await running;
  });

  it("asks for bookmarks; a bookmark reaches no handler, keeps the watch alive and moves the resume point", async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const sink: ReflectorSink<KubeObject> = {
      replace: () => seen.push("replace"),
      added: (o) => seen.push(`added ${o.metadata?.resourceVersion}`),
      modified: (o) => seen.push(`modified ${o.metadata?.resourceVersion}`),
      deleted: (o) => seen.push(`deleted ${o.metadata?.resourceVersion}`),
    };
    const reflector = new Reflector(new ResourceClient<Flunder>(rest, flunderType), sink, {
      watchList: false,
      watchIdleTimeoutMs: 300,
      clock,
    });
    const first = watches.length;
    const abort = new AbortController();
    const running = reflector.run(abort.signal);
    await eventually(
      () => watches.length === first + 1,
      () => "no watch",
    );
    const watch = watches[first];
    assert.match(String(watch?.req.url), /allowWatchBookmarks=true/);
    watch?.write(`${JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "2" } } })}\n`);
    await eventually(
      () => seen.length === 2,
      () => `seen ${seen}`,
    );
    await clock.advance(250);
    // A bookmark carries only a resourceVersion (client-go's watch.Bookmark).
    watch?.write(
      `${JSON.stringify({ type: "BOOKMARK", object: { kind: "Flunder", metadata: { resourceVersion: "7" } } })}\n`,
    );
    await eventually(
      () => reflector.stats.lastSyncResourceVersion === "7",
      () => `resume point ${reflector.stats.lastSyncResourceVersion}`,
    );
    await clock.advance(250);
    assert.equal(reflector.stats.idleRestarts, 0, "the bookmark counted as a sign of life");
    await clock.advance(50);
    assert.equal(reflector.stats.idleRestarts, 1);
    await eventually(
      () => watches.length === first + 2,
      () => "the watch was not reopened",
    );
    assert.match(String(watches[first + 1]?.req.url), /resourceVersion=7(&|$)/, "resumed from the bookmark");
    assert.deepEqual(seen, ["replace", "added 2"], "handlers never see a bookmark");
    assert.equal(reflector.stats.lists, 1, "a bookmark never causes a relist");
    abort.abort();
    await running;
  });
});
