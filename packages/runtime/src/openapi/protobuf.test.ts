import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProtoMessage, readFields } from "./protobuf.js";

describe("ProtoMessage", () => {
  it("encodes fields as the protobuf encoding guide's examples", () => {
    // Field 1 = 150 (varint) → 08 96 01; field 2 = "testing" → 12 07 74 65 73 74 69 6e 67.
    assert.equal(new ProtoMessage().int64(1, 150).finish().toString("hex"), "089601");
    assert.equal(new ProtoMessage().string(2, "testing").finish().toString("hex"), "120774657374696e67");
    // Field 3 = message { field 1 = 150 } → 1a 03 08 96 01.
    assert.equal(
      new ProtoMessage().message(3, new ProtoMessage().int64(1, 150)).finish().toString("hex"),
      "1a03089601",
    );
  });

  it("leaves out proto3 defaults except where presence matters", () => {
    const m = new ProtoMessage().string(1, "").int64(2, 0).bool(3, false).double(4, 0).strings(5, []);
    assert.equal(m.finish().length, 0);
    assert.equal(
      new ProtoMessage().bool(2, false, true).finish().toString("hex"),
      "1000",
      "a oneof member at its default",
    );
    assert.equal(
      new ProtoMessage().message(7, new ProtoMessage()).finish().toString("hex"),
      "3a00",
      "an empty message is present",
    );
  });

  it("encodes negative int64 in ten bytes, doubles little-endian, and repeated strings in order", () => {
    const neg = new ProtoMessage().int64(1, -1).finish();
    assert.equal(neg.length, 11);
    assert.equal(neg.toString("hex"), `08${"ff".repeat(9)}01`);
    const [double] = readFields(new ProtoMessage().double(6, 1.5).finish());
    assert.deepEqual(double, { field: 6, wire: 1, value: 1.5 });
    const strings = readFields(new ProtoMessage().strings(19, ["a", "bc"]).finish());
    assert.deepEqual(
      strings.map((f) => [f.field, (f.value as Buffer).toString()]),
      [
        [19, "a"],
        [19, "bc"],
      ],
    );
  });

  it("reads back what it writes, nested and with multi-byte lengths", () => {
    const long = "x".repeat(300);
    const buf = new ProtoMessage()
      .string(1, long)
      .message(2, new ProtoMessage().string(1, "inner").bool(2, true))
      .int64(3, 2 ** 40)
      .finish();
    const [a, b, c] = readFields(buf);
    assert.equal((a?.value as Buffer).toString(), long);
    const inner = readFields(b?.value as Buffer);
    assert.equal((inner[0]?.value as Buffer).toString(), "inner");
    assert.equal(inner[1]?.value, 1n);
    assert.equal(c?.value, 2n ** 40n);
    assert.throws(() => readFields(buf.subarray(0, 10)), /truncated/);
  });
});
