/**
 * Protobuf encoding of the etcd messages on every read, write and watch event (KV Range and
 * Txn, the Watch stream), written out by hand: the same bytes @grpc/proto-loader sends and the
 * same objects it decodes (keepCase, int64 and enums as strings, defaults, oneofs), without
 * protobufjs's fromObject / toObject passes and Long objects, which were about a tenth of the
 * server's CPU per etcd write. Fields are those of the etcd3 package's .proto files; others are
 * skipped on decode, as protobufjs does. etcd-codec.test.ts compares both on random messages.
 */
import type {
  Compare,
  KeyValue,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WatchEventMessage,
  WatchRequest,
  WatchResponse,
} from "./etcd-client.js";

const COMPARE_RESULT: Record<Compare["result"], number> = { Equal: 0, Greater: 1, Less: 2, NotEqual: 3 };
const COMPARE_TARGET: Record<Compare["target"], number> = { Version: 0, Create: 1, Mod: 2, Value: 3 };
const EVENT_TYPE = ["Put", "Delete"] as const;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;

class Writer {
  private buf = Buffer.allocUnsafe(256);
  private pos = 0;

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, LENGTH);
    this.varint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  bool(field: number, value: boolean): void {
    this.tag(field, VARINT);
    this.varint(value ? 1 : 0);
  }

  /** int64 as protobufjs writes it: negative values as ten-byte two's complement. */
  int64(field: number, value: number | string): void {
    this.tag(field, VARINT);
    const n = typeof value === "number" ? value : Number(value);
    if (Number.isSafeInteger(n) && n >= 0) this.varint(n);
    else this.bigVarint(BigInt.asUintN(64, BigInt(value)));
  }

  /** A nested message: its length prefix is written once its size is known. */
  message(field: number, write: () => void): void {
    this.tag(field, LENGTH);
    this.reserve(1);
    const start = this.pos++;
    write();
    const length = this.pos - start - 1;
    const extra = varintSize(length) - 1;
    if (extra > 0) {
      this.reserve(extra);
      this.buf.copyWithin(start + 1 + extra, start + 1, this.pos);
      this.pos += extra;
    }
    const end = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = end;
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    this.reserve(10);
    while (value > 0x7f) {
      this.buf[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  private bigVarint(value: bigint): void {
    this.reserve(10);
    while (value > 0x7fn) {
      this.buf[this.pos++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.buf[this.pos++] = Number(value);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value > 0x7f) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeRangeRequest(w: Writer, r: RangeRequest): void {
  if (r.key != null) w.bytes(1, r.key);
  if (r.range_end != null) w.bytes(2, r.range_end);
  if (r.limit != null) w.int64(3, r.limit);
  if (r.revision != null) w.int64(4, r.revision);
  if (r.serializable != null) w.bool(7, r.serializable);
  if (r.count_only != null) w.bool(9, r.count_only);
}

function writeCompare(w: Writer, c: Compare): void {
  if (c.result != null) w.int64(1, COMPARE_RESULT[c.result]);
  if (c.target != null) w.int64(2, COMPARE_TARGET[c.target]);
  if (c.key != null) w.bytes(3, c.key);
  if (c.version != null) w.int64(4, c.version);
  if (c.mod_revision != null) w.int64(6, c.mod_revision);
}

function writeRequestOp(w: Writer, op: RequestOp): void {
  const { request_range: range, request_put: put, request_delete_range: del } = op;
  if (range != null) w.message(1, () => writeRangeRequest(w, range));
  if (put != null) {
    w.message(2, () => {
      if (put.key != null) w.bytes(1, put.key);
      if (put.value != null) w.bytes(2, put.value);
    });
  }
  if (del != null) {
    w.message(3, () => {
      if (del.key != null) w.bytes(1, del.key);
      if (del.prev_kv != null) w.bool(3, del.prev_kv);
    });
  }
}

export function encodeRangeRequest(request: RangeRequest): Buffer {
  const w = new Writer();
  writeRangeRequest(w, request);
  return w.finish();
}

export function encodeTxnRequest(request: TxnRequest): Buffer {
  const w = new Writer();
  for (const c of request.compare ?? []) w.message(1, () => writeCompare(w, c));
  for (const op of request.success ?? []) w.message(2, () => writeRequestOp(w, op));
  for (const op of request.failure ?? []) w.message(3, () => writeRequestOp(w, op));
  return w.finish();
}

export function encodeWatchRequest(request: WatchRequest): Buffer {
  const w = new Writer();
  if ("create_request" in request && request.create_request != null) {
    const c = request.create_request;
    w.message(1, () => {
      if (c.key != null) w.bytes(1, c.key);
      if (c.range_end != null) w.bytes(2, c.range_end);
      if (c.start_revision != null) w.int64(3, c.start_revision);
      if (c.progress_notify != null) w.bool(4, c.progress_notify);
      if (c.prev_kv != null) w.bool(6, c.prev_kv);
    });
  }
  if ("cancel_request" in request && request.cancel_request != null) {
    const c = request.cancel_request;
    w.message(2, () => {
      if (c.watch_id != null) w.int64(1, c.watch_id);
    });
  }
  if ("progress_request" in request && request.progress_request != null) w.message(3, () => {});
  return w.finish();
}

// ---------------------------------------------------------------- decoding

/** Recently decoded long varints and their decimal strings (BigInt arithmetic is the slow part). */
const LONG_CACHE: { bytes: Buffer; signed: boolean; text: string }[] = [];
let longCacheNext = 0;

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  /** A varint that fits 32 bits (tags, lengths, enums); longer ones are truncated as protobufjs does. */
  uint32(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError("etcd codec: message truncated");
      const b = this.buf[this.pos++] as number;
      if (shift < 32) value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value % 2 ** 32;
      shift += 7;
    }
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** An int64 or uint64 as its decimal string (what proto-loader's `longs: String` gives). */
  long(signed: boolean): string {
    const start = this.pos;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError("etcd codec: message truncated");
      const b = this.buf[this.pos++] as number;
      if (shift === 49) return this.cachedLong(start, BigInt(value), b, signed);
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return String(value);
      shift += 7;
    }
  }

  bytes(): Buffer {
    const length = this.uint32();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new RangeError("etcd codec: message truncated");
    return length === 0 ? Buffer.alloc(0) : this.buf.subarray(start, this.pos);
  }

  string(): string {
    const length = this.uint32();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new RangeError("etcd codec: message truncated");
    return this.buf.toString("utf8", start, this.pos);
  }

  /** The reader of a nested message's bytes. */
  nested(): Reader {
    const length = this.uint32();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new RangeError("etcd codec: message truncated");
    return new Reader(this.buf, start, this.pos);
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.uint32();
    else if (wireType === FIXED64) this.pos += 8;
    else if (wireType === LENGTH) {
      const length = this.uint32();
      this.pos += length;
    } else if (wireType === FIXED32) this.pos += 4;
    else throw new RangeError(`etcd codec: unsupported wire type ${wireType}`);
  }

  /** A varint of 8 bytes or more: etcd's cluster and member ids, the same on every response header. */
  private cachedLong(start: number, low: bigint, next: number, signed: boolean): string {
    let end = this.pos;
    while (end <= this.end && (this.buf[end - 1] as number) >= 0x80) end++;
    if (end > this.end) return this.bigLong(low, next, signed);
    const bytes = this.buf.subarray(start, end);
    for (const entry of LONG_CACHE) {
      if (entry.signed === signed && entry.bytes.equals(bytes)) {
        this.pos = end;
        return entry.text;
      }
    }
    const text = this.bigLong(low, next, signed);
    LONG_CACHE[longCacheNext] = { bytes: Buffer.from(bytes), signed, text };
    longCacheNext = (longCacheNext + 1) % 8;
    return text;
  }

  private bigLong(low: bigint, first: number, signed: boolean): string {
    let value = low;
    let shift = 49n;
    let b = first;
    for (;;) {
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      if (this.pos >= this.end) throw new RangeError("etcd codec: message truncated");
      b = this.buf[this.pos++] as number;
      shift += 7n;
    }
    return String(signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value));
  }
}

/** Calls `field` for each field of the message in `r` (field number, wire type). */
function fields(r: Reader, field: (n: number, wireType: number) => void): void {
  while (r.pos < r.end) {
    const tag = r.uint32();
    field(tag >>> 3, tag & 7);
  }
}

function readHeader(r: Reader): ResponseHeader {
  const h = { cluster_id: "0", member_id: "0", revision: "0", raft_term: "0" };
  fields(r, (n, wt) => {
    if (n === 1 && wt === VARINT) h.cluster_id = r.long(false);
    else if (n === 2 && wt === VARINT) h.member_id = r.long(false);
    else if (n === 3 && wt === VARINT) h.revision = r.long(true);
    else if (n === 4 && wt === VARINT) h.raft_term = r.long(false);
    else r.skip(wt);
  });
  return h;
}

function readKeyValue(r: Reader): KeyValue {
  const kv: KeyValue & { lease: string } = {
    key: Buffer.alloc(0),
    create_revision: "0",
    mod_revision: "0",
    version: "0",
    value: Buffer.alloc(0),
    lease: "0",
  };
  fields(r, (n, wt) => {
    if (n === 1 && wt === LENGTH) kv.key = r.bytes();
    else if (n === 2 && wt === VARINT) kv.create_revision = r.long(true);
    else if (n === 3 && wt === VARINT) kv.mod_revision = r.long(true);
    else if (n === 4 && wt === VARINT) kv.version = r.long(true);
    else if (n === 5 && wt === LENGTH) kv.value = r.bytes();
    else if (n === 6 && wt === VARINT) kv.lease = r.long(true);
    else r.skip(wt);
  });
  return kv;
}

function readRangeResponse(r: Reader): RangeResponse {
  const res: RangeResponse = { kvs: [], header: null as unknown as ResponseHeader, more: false, count: "0" };
  fields(r, (n, wt) => {
    if (n === 1 && wt === LENGTH) res.header = readHeader(r.nested());
    else if (n === 2 && wt === LENGTH) res.kvs.push(readKeyValue(r.nested()));
    else if (n === 3 && wt === VARINT) res.more = r.bool();
    else if (n === 4 && wt === VARINT) res.count = r.long(true);
    else r.skip(wt);
  });
  return res;
}

function readResponseOp(r: Reader): ResponseOp & { response?: string } {
  const op: ResponseOp & { response?: string; response_txn?: TxnResponse } = {};
  fields(r, (n, wt) => {
    if (wt !== LENGTH || n < 1 || n > 4) {
      r.skip(wt);
      return;
    }
    const nested = r.nested();
    if (n === 1) op.response_range = readRangeResponse(nested);
    else if (n === 2) {
      const put: { header: ResponseHeader | null; prev_kv: KeyValue | null } = { header: null, prev_kv: null };
      fields(nested, (m, mwt) => {
        if (m === 1 && mwt === LENGTH) put.header = readHeader(nested.nested());
        else if (m === 2 && mwt === LENGTH) put.prev_kv = readKeyValue(nested.nested());
        else nested.skip(mwt);
      });
      op.response_put = put as ResponseOp["response_put"];
    } else if (n === 3) {
      const del = { prev_kvs: [] as KeyValue[], header: null as ResponseHeader | null, deleted: "0" };
      fields(nested, (m, mwt) => {
        if (m === 1 && mwt === LENGTH) del.header = readHeader(nested.nested());
        else if (m === 2 && mwt === VARINT) del.deleted = nested.long(true);
        else if (m === 3 && mwt === LENGTH) del.prev_kvs.push(readKeyValue(nested.nested()));
        else nested.skip(mwt);
      });
      op.response_delete_range = del as ResponseOp["response_delete_range"];
    } else op.response_txn = readTxnResponse(nested);
  });
  // The oneof's name, as proto-loader's `oneofs` option adds it (the last member set, in field order).
  for (const name of ["response_txn", "response_delete_range", "response_put", "response_range"] as const) {
    if (op[name] !== undefined) {
      op.response = name;
      break;
    }
  }
  return op;
}

function readTxnResponse(r: Reader): TxnResponse {
  const res: TxnResponse = { responses: [], header: null as unknown as ResponseHeader, succeeded: false };
  fields(r, (n, wt) => {
    if (n === 1 && wt === LENGTH) res.header = readHeader(r.nested());
    else if (n === 2 && wt === VARINT) res.succeeded = r.bool();
    else if (n === 3 && wt === LENGTH) res.responses.push(readResponseOp(r.nested()));
    else r.skip(wt);
  });
  return res;
}

function readEvent(r: Reader): WatchEventMessage {
  const event = {
    type: "Put" as WatchEventMessage["type"],
    kv: null as unknown as KeyValue,
    prev_kv: null as KeyValue | null,
  };
  fields(r, (n, wt) => {
    if (n === 1 && wt === VARINT) {
      const type = r.uint32() | 0;
      event.type = (EVENT_TYPE[type] ?? type) as WatchEventMessage["type"];
    } else if (n === 2 && wt === LENGTH) event.kv = readKeyValue(r.nested());
    else if (n === 3 && wt === LENGTH) event.prev_kv = readKeyValue(r.nested());
    else r.skip(wt);
  });
  return event;
}

export function decodeRangeResponse(buf: Buffer): RangeResponse {
  return readRangeResponse(new Reader(buf, 0, buf.length));
}

export function decodeTxnResponse(buf: Buffer): TxnResponse {
  return readTxnResponse(new Reader(buf, 0, buf.length));
}

export function decodeWatchResponse(buf: Buffer): WatchResponse {
  const r = new Reader(buf, 0, buf.length);
  const res = {
    events: [] as WatchEventMessage[],
    header: null as unknown as ResponseHeader,
    watch_id: "0",
    created: false,
    canceled: false,
    compact_revision: "0",
    cancel_reason: "",
    fragment: false,
  };
  fields(r, (n, wt) => {
    if (n === 1 && wt === LENGTH) res.header = readHeader(r.nested());
    else if (n === 2 && wt === VARINT) res.watch_id = r.long(true);
    else if (n === 3 && wt === VARINT) res.created = r.bool();
    else if (n === 4 && wt === VARINT) res.canceled = r.bool();
    else if (n === 5 && wt === VARINT) res.compact_revision = r.long(true);
    else if (n === 6 && wt === LENGTH) res.cancel_reason = r.string();
    else if (n === 7 && wt === VARINT) res.fragment = r.bool();
    else if (n === 11 && wt === LENGTH) res.events.push(readEvent(r.nested()));
    else r.skip(wt);
  });
  return res;
}
