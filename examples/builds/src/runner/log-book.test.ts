import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogBook } from "./log-book.js";

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe("the log book", () => {
  it("reads everything, or the last lines", async () => {
    const book = new LogBook();
    for (const line of ["a", "b", "c"]) book.append("u1", line);
    assert.deepEqual(await collect(book.read("u1", {})), ["a", "b", "c"]);
    assert.deepEqual(await collect(book.read("u1", { tail: 2 })), ["b", "c"]);
    assert.deepEqual(await collect(book.read("u1", { tail: 0 })), []);
    assert.deepEqual(await collect(book.read("other", {})), [], "a build with no lines yet");
  });

  it("follows until the log closes", async () => {
    const book = new LogBook();
    book.append("u1", "first");
    const reading = collect(book.read("u1", { follow: true }));
    book.append("u1", "second");
    await Promise.resolve();
    book.append("u1", "third");
    book.close("u1");
    book.append("u1", "after close");
    assert.deepEqual(await reading, ["first", "second", "third"]);
  });

  it("stops following when the reader leaves or the build is deleted", async () => {
    const book = new LogBook();
    const leaving = new AbortController();
    const reading = collect(book.read("u1", { follow: true, signal: leaving.signal }));
    book.append("u1", "one");
    await new Promise((resolve) => setImmediate(resolve));
    leaving.abort();
    assert.deepEqual(await reading, ["one"]);
    const deleted = collect(book.read("u2", { follow: true }));
    book.forget("u2");
    assert.deepEqual(await deleted, []);
  });

  it("keeps the last lines only, and a follower skips what was dropped", async () => {
    const book = new LogBook(3);
    for (let i = 1; i <= 5; i++) book.append("u1", `line ${i}`);
    assert.deepEqual(book.lines("u1"), ["line 3", "line 4", "line 5"]);
    const follower = book.read("u1", { follow: true });
    assert.equal((await follower.next()).value, "line 3");
    for (let i = 6; i <= 9; i++) book.append("u1", `line ${i}`);
    book.close("u1");
    assert.deepEqual(await collect(follower), ["line 7", "line 8", "line 9"]);
  });
});
