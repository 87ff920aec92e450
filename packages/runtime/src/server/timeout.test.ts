import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "@apiserver-kit/storage/testing";
import type { HttpResponse } from "./http.js";
import { RequestDeadlines } from "./timeout.js";

/** Just what expiry touches on a response. */
function fakeResponse(headersSent = false) {
  const res = {
    headersSent,
    writableEnded: false,
    destroyed: false,
    statusCode: 200,
    headers: {} as Record<string, unknown>,
    body: "",
    setHeader(name: string, value: unknown) {
      res.headers[name.toLowerCase()] = value;
    },
    end(body?: string) {
      res.body = body ?? "";
      res.writableEnded = true;
      res.headersSent = true;
    },
    destroy() {
      res.destroyed = true;
    },
  };
  return res;
}

describe("RequestDeadlines", () => {
  it("answers 504 to what outlives its deadline, cuts what already answered, and leaves the finished alone", async () => {
    const clock = new FakeClock();
    const deadlines = new RequestDeadlines(60_000, clock);
    const slow = fakeResponse();
    const streaming = fakeResponse(true);
    const quick = fakeResponse();
    for (const res of [slow, streaming, quick]) deadlines.track(res as unknown as HttpResponse);
    deadlines.done(quick as unknown as HttpResponse);
    await clock.advance(59_000);
    assert.equal(slow.writableEnded, false);
    await clock.advance(1_000);
    assert.equal(slow.statusCode, 504);
    assert.equal(JSON.parse(slow.body).reason, "Timeout");
    assert.equal(streaming.destroyed, true);
    assert.equal(quick.writableEnded, false);
    assert.equal(clock.pendingTimers, 0, "no timer while nothing is pending");
  });

  it("gives a later request its own full timeout", async () => {
    const clock = new FakeClock();
    const deadlines = new RequestDeadlines(10_000, clock);
    const first = fakeResponse();
    deadlines.track(first as unknown as HttpResponse);
    await clock.advance(5_000);
    const second = fakeResponse();
    deadlines.track(second as unknown as HttpResponse);
    await clock.advance(5_000);
    assert.equal(first.statusCode, 504);
    assert.equal(second.writableEnded, false);
    await clock.advance(5_000);
    assert.equal(second.statusCode, 504);
    deadlines.stop();
  });
});
