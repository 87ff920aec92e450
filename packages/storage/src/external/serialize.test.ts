import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Coalescer, KeyedMutex } from "./serialize.js";

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("Coalescer", () => {
  it("runs one read per id at a time and gives later callers one shared follow-up read", async () => {
    const coalescer = new Coalescer();
    const first = gate();
    let runs = 0;
    const read = async () => {
      runs++;
      if (runs === 1) await first.opened;
    };
    const a = coalescer.run("x", read);
    const later = [coalescer.run("x", read), coalescer.run("x", read), coalescer.run("x", read)];
    assert.equal(later[0], later[2], "callers during a read share the queued one");
    await coalescer.run("y", read);
    assert.equal(runs, 2, "another id runs at once");
    first.open();
    await Promise.all([a, ...later]);
    assert.equal(runs, 3);
    await coalescer.run("x", read);
    assert.equal(runs, 4, "a caller after everything finished reads anew");
  });

  it("still runs the follow-up read when the running one fails", async () => {
    const coalescer = new Coalescer();
    let runs = 0;
    const failing = coalescer.run("x", async () => {
      runs++;
      throw new Error("boom");
    });
    const next = coalescer.run("x", async () => {
      runs++;
    });
    await assert.rejects(failing, /boom/);
    await next;
    assert.equal(runs, 2);
  });
});

describe("KeyedMutex", () => {
  it("runs tasks of one key one at a time in call order, other keys alongside", async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const first = gate();
    const a1 = mutex.run("a", async () => {
      order.push("a1 start");
      await first.opened;
      order.push("a1 end");
    });
    const a2 = mutex.run("a", async () => {
      order.push("a2");
      throw new Error("a2 failed");
    });
    const a3 = mutex.run("a", async () => order.push("a3"));
    await mutex.run("b", async () => order.push("b"));
    first.open();
    await a1;
    await assert.rejects(a2, /a2 failed/);
    await a3;
    assert.deepEqual(order, ["a1 start", "b", "a1 end", "a2", "a3"]);
  });
});
