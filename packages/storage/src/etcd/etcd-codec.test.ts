import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MethodDefinition } from "@grpc/proto-loader";
import fc from "fast-check";
import { etcdProtoDefinition } from "./etcd-client.js";
import {
  decodeRangeResponse,
  decodeTxnResponse,
  decodeWatchResponse,
  encodeRangeRequest,
  encodeTxnRequest,
  encodeWatchRequest,
} from "./etcd-codec.js";

type Method = MethodDefinition<unknown, unknown>;
const proto = etcdProtoDefinition() as unknown as Record<string, Record<string, Method>>;
const kv = proto["etcdserverpb.KV"] as Record<string, Method>;
const RANGE = kv.Range as Method;
const TXN = kv.Txn as Method;
const WATCH = (proto["etcdserverpb.Watch"] as Record<string, Method>).Watch as Method;

// Lengths past one and two varint bytes, so that nested length prefixes of every size occur.
const bytes = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 4 },
  { arbitrary: fc.uint8Array({ minLength: 100, maxLength: 20_000 }), weight: 1 },
);
const buffer = bytes.map((b) => Buffer.from(b));
const int64 = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.integer({ min: -1000, max: -1 }));
// Repeated long values too (the decoder caches them by their bytes): -1 signed and 2^64-1
// unsigned are the same bytes.
const longString = (signed: boolean) =>
  fc
    .oneof(
      fc.nat().map(BigInt),
      signed ? fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) : fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      signed
        ? fc.constantFrom(-1n, -(2n ** 63n), 2n ** 62n)
        : fc.constantFrom(2n ** 64n - 1n, 14841639068965178418n, 2n ** 62n),
    )
    .map(String);
const optional = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T) => fc.record(model, { requiredKeys: [] });

const rangeRequest = optional({
  key: buffer,
  range_end: buffer,
  limit: int64,
  revision: int64,
  serializable: fc.boolean(),
  count_only: fc.boolean(),
});
const compare = fc.record(
  {
    result: fc.constantFrom("Equal", "Greater", "Less", "NotEqual"),
    target: fc.constantFrom("Version", "Create", "Mod", "Value"),
    key: buffer,
    version: int64,
    mod_revision: int64,
  },
  { requiredKeys: ["result", "target", "key"] },
);
const requestOp = fc.oneof(
  fc.record({ request_range: rangeRequest }),
  fc.record({ request_put: optional({ key: buffer, value: buffer }) }),
  fc.record({ request_delete_range: optional({ key: buffer, prev_kv: fc.boolean() }) }),
);
const txnRequest = fc.record({
  compare: fc.array(compare, { maxLength: 3 }),
  success: fc.array(requestOp, { maxLength: 3 }),
  failure: fc.array(requestOp, { maxLength: 3 }),
});
const watchRequest = fc.oneof(
  fc.record({
    create_request: optional({
      key: buffer,
      range_end: buffer,
      start_revision: int64,
      progress_notify: fc.boolean(),
      prev_kv: fc.boolean(),
    }),
  }),
  fc.record({ cancel_request: fc.record({ watch_id: fc.nat().map(String) }) }),
  fc.constant({ progress_request: {} }),
);

const header = optional({
  cluster_id: longString(false),
  member_id: longString(false),
  revision: longString(true),
  raft_term: longString(false),
});
const keyValue = optional({
  key: buffer,
  create_revision: longString(true),
  mod_revision: longString(true),
  version: longString(true),
  value: buffer,
  lease: longString(true),
});
const rangeResponse = fc.record(
  { header, kvs: fc.array(keyValue, { maxLength: 3 }), more: fc.boolean(), count: longString(true) },
  { requiredKeys: ["kvs"] },
);
const responseOp = (depth: number): fc.Arbitrary<object> =>
  fc.oneof(
    fc.record({ response_range: rangeResponse }),
    fc.record({ response_put: optional({ header, prev_kv: keyValue }) }),
    fc.record({
      response_delete_range: fc.record(
        { header, deleted: longString(true), prev_kvs: fc.array(keyValue, { maxLength: 2 }) },
        { requiredKeys: ["prev_kvs"] },
      ),
    }),
    ...(depth > 0 ? [fc.record({ response_txn: txnResponse(depth - 1) })] : []),
  );
const txnResponse = (depth: number): fc.Arbitrary<object> =>
  fc.record(
    { header, succeeded: fc.boolean(), responses: fc.array(responseOp(depth), { maxLength: 3 }) },
    { requiredKeys: ["responses"] },
  );
const watchResponse = fc.record(
  {
    header,
    watch_id: longString(true),
    created: fc.boolean(),
    canceled: fc.boolean(),
    compact_revision: longString(true),
    cancel_reason: fc.string(),
    fragment: fc.boolean(),
    events: fc.array(
      fc.record(
        { type: fc.constantFrom("Put", "Delete"), kv: keyValue, prev_kv: keyValue },
        { requiredKeys: ["type"] },
      ),
      { maxLength: 4 },
    ),
  },
  { requiredKeys: ["events"] },
);

/** Fields proto-loader's .proto does not know (a newer etcd's), which both decoders skip. */
const unknownFields = fc.constantFrom(
  Buffer.alloc(0),
  // field 100 varint 5, field 101 bytes "hi", field 102 fixed64, field 103 fixed32
  Buffer.from([
    0xa0, 0x06, 0x05, 0xaa, 0x06, 0x02, 0x68, 0x69, 0xb1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xbd, 0x06, 1, 2, 3, 4,
  ]),
);

/** `encode` takes the request type; the arbitraries build such requests without naming it. */
function sameRequestBytes(method: Method, encode: (request: never) => Buffer, arbitrary: fc.Arbitrary<unknown>): void {
  fc.assert(
    fc.property(arbitrary, (request) => {
      assert.deepEqual((encode as (r: unknown) => Buffer)(request), method.requestSerialize(request));
    }),
    { numRuns: 300 },
  );
}

function sameDecoding(method: Method, decode: (bytes: Buffer) => unknown, arbitrary: fc.Arbitrary<object>): void {
  fc.assert(
    fc.property(arbitrary, unknownFields, (message, unknown) => {
      const bytes = Buffer.concat([method.responseSerialize(message), unknown]);
      assert.deepEqual(decode(bytes), method.responseDeserialize(bytes));
    }),
    { numRuns: 300 },
  );
}

describe("etcd codec (the same bytes and objects as @grpc/proto-loader)", () => {
  it("encodes RangeRequest", () => sameRequestBytes(RANGE, encodeRangeRequest, rangeRequest));
  it("encodes TxnRequest", () => sameRequestBytes(TXN, encodeTxnRequest, txnRequest));
  it("encodes WatchRequest", () => sameRequestBytes(WATCH, encodeWatchRequest, watchRequest));
  it("decodes RangeResponse", () => sameDecoding(RANGE, decodeRangeResponse, rangeResponse));
  it("decodes TxnResponse", () => sameDecoding(TXN, decodeTxnResponse, txnResponse(2)));
  it("decodes WatchResponse", () => sameDecoding(WATCH, decodeWatchResponse, watchResponse));
});
