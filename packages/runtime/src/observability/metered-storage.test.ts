import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryStorage, WatchCache } from "@apiserver-kit/storage";
import { MeteredStorage, storageType } from "./metered-storage.js";
import { ApiServerMetrics } from "./metrics.js";

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("MeteredStorage", () => {
  it("names the type after the key's resource and group", () => {
    assert.equal(storageType("/registry/wardle.example.com/flunders/ns/a"), "flunders.wardle.example.com");
    assert.equal(storageType("/registry/wardle.example.com/fischers/"), "fischers.wardle.example.com");
    assert.equal(storageType("/elsewhere/x"), "unknown");
    assert.equal(storageType("/registry/wardle.example.com/flunders"), "flunders.wardle.example.com");
    for (const key of ["/registry/g", "/registry//r/x", "/registry/", "registry/g/r", "/registry/g//x", ""]) {
      assert.equal(storageType(key), "unknown", key);
    }
  });

  it("counts and times every call, and counts failures", async () => {
    const metrics = new ApiServerMetrics({ processMetrics: false });
    const storage = new MeteredStorage(new MemoryStorage(), metrics);
    const key = "/registry/wardle.example.com/flunders/ns/a";
    await storage.create(key, { metadata: { name: "a" } });
    await storage.get(key);
    await storage.list("/registry/wardle.example.com/flunders/");
    await storage.delete(key);
    await assert.rejects(storage.delete(key));
    const count = async (operation: string) =>
      (await metrics.storageRequests.get()).values.find((v) => v.labels.operation === operation)?.value;
    assert.equal(await count("create"), 1);
    assert.equal(await count("get"), 1);
    assert.equal(await count("list"), 1);
    assert.equal(await count("delete"), 2);
    const errors = (await metrics.storageErrors.get()).values;
    assert.deepEqual(
      errors.map((v) => [v.labels, v.value]),
      [[{ operation: "delete", type: "flunders.wardle.example.com" }, 1]],
    );
    const durations = (await metrics.storageDuration.get()).values.filter(
      (v) => v.metricName === "etcd_request_duration_seconds_count",
    );
    assert.equal(durations.length, 4);
    await storage.close();
  });

  it("forwards the synchronous reads its backend has, counting answers but not declines", async () => {
    const metrics = new ApiServerMetrics({ processMetrics: false });
    const prefix = "/registry/wardle.example.com/flunders/";
    const cache = new WatchCache(new MemoryStorage(), { prefix });
    await cache.ready;
    const storage = new MeteredStorage(cache, metrics);
    assert.equal(
      new MeteredStorage(new MemoryStorage(), metrics).getNow,
      undefined,
      "absent when the backend has none",
    );
    await storage.create(`${prefix}ns/a`, { metadata: { name: "a" } });
    await settle();
    assert.equal(storage.getNow?.(`${prefix}ns/a`)?.metadata?.name, "a");
    assert.equal(storage.getNow?.(`${prefix}ns/missing`), null);
    assert.equal(storage.getNow?.("/registry/other.example.com/things/x"), undefined, "declined: outside the cache");
    assert.equal(typeof storage.currentRevisionNow?.(), "number");
    const count = async (operation: string) =>
      (await metrics.storageRequests.get()).values
        .filter((v) => v.labels.operation === operation)
        .reduce((sum, v) => sum + v.value, 0);
    assert.equal(await count("get"), 2, "two answers; the decline is no request");
    assert.equal(await count("currentRevision"), 1);
    await cache.close();
  });
});
