/**
 * A minimal protocol buffers (proto3) writer and a field-level reader: enough to encode
 * gnostic's OpenAPI v2 Document by hand and to check the encoding in tests, without a
 * protobuf dependency.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;

function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** One message being written; fields are appended in call order. */
export class ProtoMessage {
  private readonly parts: Buffer[] = [];

  private key(field: number, wire: number): void {
    this.parts.push(varint((field << 3) | wire));
  }

  private delimited(field: number, bytes: Buffer): void {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.parts.push(varint(bytes.length), bytes);
  }

  /** A string field; proto3 leaves out the empty string. */
  string(field: number, value: string | undefined): this {
    if (value) this.delimited(field, Buffer.from(value, "utf8"));
    return this;
  }

  strings(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) this.delimited(field, Buffer.from(v, "utf8"));
    return this;
  }

  /** A bool field; `always` writes false too (a member of a oneof is present even at its default). */
  bool(field: number, value: boolean | undefined, always = false): this {
    if (value || (always && value === false)) {
      this.key(field, WIRE_VARINT);
      this.parts.push(varint(value ? 1 : 0));
    }
    return this;
  }

  int64(field: number, value: number | undefined): this {
    if (value) {
      this.key(field, WIRE_VARINT);
      this.parts.push(varint(Math.trunc(value)));
    }
    return this;
  }

  double(field: number, value: number | undefined): this {
    if (value) {
      this.key(field, WIRE_FIXED64);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value);
      this.parts.push(b);
    }
    return this;
  }

  /** A nested message; written even when empty, since presence of a message field is meaningful. */
  message(field: number, value: ProtoMessage | undefined): this {
    if (value) this.delimited(field, value.finish());
    return this;
  }

  messages(field: number, values: readonly ProtoMessage[]): this {
    for (const v of values) this.message(field, v);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A decoded field: varints as bigint, fixed64 as a double, length-delimited as bytes. */
export interface ProtoField {
  field: number;
  wire: number;
  value: bigint | number | Buffer;
}

function readVarint(buf: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let pos = offset;
  for (;;) {
    const byte = buf[pos];
    if (byte === undefined) throw new Error("protobuf: truncated varint");
    pos++;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

/** Splits a message into its fields (no schema needed). */
export function readFields(buf: Buffer): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    pos = afterKey;
    if (wire === WIRE_VARINT) {
      const [value, next] = readVarint(buf, pos);
      fields.push({ field, wire, value });
      pos = next;
    } else if (wire === WIRE_FIXED64) {
      fields.push({ field, wire, value: buf.readDoubleLE(pos) });
      pos += 8;
    } else if (wire === WIRE_LENGTH_DELIMITED) {
      const [length, next] = readVarint(buf, pos);
      const end = next + Number(length);
      if (end > buf.length) throw new Error("protobuf: truncated field");
      fields.push({ field, wire, value: buf.subarray(next, end) });
      pos = end;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
  return fields;
}
