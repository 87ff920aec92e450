import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isStorageError } from "../errors.js";
import { describeStorageConformance } from "../testing/conformance.js";
import { memoryFixture } from "../testing/fixtures.js";
import { collectWatch } from "../testing/index.js";
import { MemoryStorage } from "./memory-storage.js";

describeStorageConformance("memory", memoryFixture);

describe("MemoryStorage initialRevision", () => {
  it("starts at the given revision and treats everything before it as compacted", async () => {
    const s = new MemoryStorage({ initialRevision: 5000 });
    assert.equal(await s.currentRevision(), 5000);
    assert.equal(await s.compactedRevision(), 5000);
    const created = await s.create("/registry/g/r/a", { metadata: { name: "a" } });
    assert.equal(created.metadata?.resourceVersion, "5001");
    await assert.rejects(s.get("/registry/g/r/a", { consistency: { kind: "exact", revision: 4999 } }), (error) =>
      isStorageError(error, "Expired"),
    );
    const { error } = await collectWatch(s, "/registry/g/r/", { fromRevision: 4999 }, 1, 1000);
    assert.ok(isStorageError(error, "Expired"), `expected Expired, got ${String(error)}`);
    const { events } = await collectWatch(s, "/registry/g/r/", { fromRevision: 5000 }, 1, 1000);
    assert.equal(events.length, 1);
    await s.close();
  });

  it("refuses a revision that is not a positive safe integer", () => {
    assert.throws(() => new MemoryStorage({ initialRevision: 0 }), RangeError);
    assert.throws(() => new MemoryStorage({ initialRevision: 2 ** 53 }), RangeError);
  });
});
