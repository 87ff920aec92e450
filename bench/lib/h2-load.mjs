// A lean HTTP/2 load generator over one TLS connection, as kube-apiserver's aggregator reaches an
// extension API server (Go's HTTP/2 transport: one connection, a stream per request). node's own
// http2 client costs the load generator more CPU per request than the server it measures spends
// on parsing, and on a 2-core machine that CPU is taken from the server (the eighth round of
// docs/benchmarks.md). This client writes pre-encoded frames and reads only what it needs:
// - requests: HEADERS with HPACK fields from the static table or as literals without indexing
//   (no Huffman, no dynamic table), then the body as one DATA frame;
// - answers: it asks for no dynamic table (SETTINGS_HEADER_TABLE_SIZE 0) and decodes only the
//   first field of a response's header block, which HTTP/2 requires to be :status; other
//   fields and trailers are skipped; DATA is collected until END_STREAM.
// Flow control: the server may send as much as it likes (2^31-1 windows, the connection's topped
// up); the client's DATA waits for the server's connection window. PING is answered; RST_STREAM
// fails its request, GOAWAY and a closed socket fail every request in flight.
import { connect } from "node:tls";
import { openLoop } from "./https-load.mjs";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const DATA = 0x0;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const SETTINGS = 0x4;
const PING = 0x6;
const GOAWAY = 0x7;
const WINDOW_UPDATE = 0x8;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const MAX_WINDOW = 2 ** 31 - 1;
const DEFAULT_WINDOW = 65_535;
/** The static table's :status entries (RFC 7541 appendix A, indices 8–14). */
const STATIC_STATUS = { 8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500 };
/** Static-table indices of the request fields this client names by index (RFC 7541 appendix A). */
const STATIC_NAME = { ":authority": 1, ":method": 2, ":path": 4, accept: 19, "content-length": 28, "content-type": 31 };
const METHOD_INDEX = { GET: 2, POST: 3 };

function frame(type, flags, stream, payload) {
  const header = Buffer.allocUnsafe(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(stream, 5);
  return payload.length === 0 ? header : Buffer.concat([header, payload]);
}

/** An HPACK integer with an N-bit prefix whose other bits are `flags` (RFC 7541 5.1). */
function hpackInteger(value, prefixBits, flags) {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [flags | value];
  const out = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest & 0x7f) | 0x80);
    rest >>= 7;
  }
  out.push(rest);
  return out;
}

function hpackString(text) {
  const bytes = Buffer.from(text, "latin1");
  return [...hpackInteger(bytes.length, 7, 0), ...bytes];
}

/** A header block: the pseudo-headers, then `headers` (lower-cased), every field without indexing. */
export function encodeRequestHeaders(method, path, authority, headers) {
  const out = [];
  const methodIndex = METHOD_INDEX[method];
  if (methodIndex) out.push(...hpackInteger(methodIndex, 7, 0x80));
  else out.push(...hpackInteger(STATIC_NAME[":method"], 4, 0), ...hpackString(method));
  out.push(0x87); // :scheme https
  out.push(...hpackInteger(STATIC_NAME[":path"], 4, 0), ...hpackString(path));
  out.push(...hpackInteger(STATIC_NAME[":authority"], 4, 0), ...hpackString(authority));
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    const index = STATIC_NAME[name];
    if (index) out.push(...hpackInteger(index, 4, 0), ...hpackString(String(value)));
    else out.push(0x00, ...hpackString(name), ...hpackString(String(value)));
  }
  return Buffer.from(out);
}

/** Reads an HPACK integer with an N-bit prefix at `at`: [value, next offset]. */
function readInteger(block, at, prefixBits) {
  const max = (1 << prefixBits) - 1;
  let value = block[at] & max;
  let i = at + 1;
  if (value < max) return [value, i];
  for (let shift = 0; ; shift += 7) {
    const b = block[i++];
    if (b === undefined) throw new Error("truncated HPACK integer");
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i];
  }
}

/**
 * The digits of a Huffman-coded status (RFC 7541 appendix B: '0'–'2' are the 5-bit codes 0–2,
 * '3'–'9' the 6-bit codes 0x19–0x1f; the last byte is padded with 1 bits).
 */
function huffmanDigits(bytes) {
  let bits = 0;
  let count = 0;
  let text = "";
  let i = 0;
  for (;;) {
    while (count < 6 && i < bytes.length) {
      bits = (bits << 8) | bytes[i++];
      count += 8;
    }
    if (count >= 5 && ((bits >> (count - 5)) & 0x1f) <= 2) {
      text += String((bits >> (count - 5)) & 0x1f);
      count -= 5;
    } else if (count >= 6 && ((bits >> (count - 6)) & 0x3f) >= 0x19 && ((bits >> (count - 6)) & 0x3f) <= 0x1f) {
      text += String(((bits >> (count - 6)) & 0x3f) - 0x19 + 3);
      count -= 6;
    } else if (count < 8 && (bits & ((1 << count) - 1)) === (1 << count) - 1 && i === bytes.length) {
      return text; // padding
    } else {
      throw new Error("a Huffman-coded :status that is not three digits");
    }
    bits &= (1 << count) - 1;
  }
}

/** The :status of a response header block: its first field (after any dynamic table size updates). */
export function decodeStatus(block) {
  let i = 0;
  while (i < block.length && (block[i] & 0xe0) === 0x20) i = readInteger(block, i, 5)[1];
  const first = block[i];
  if (first === undefined) throw new Error("an empty header block");
  if (first & 0x80) {
    const [index] = readInteger(block, i, 7);
    const status = STATIC_STATUS[index];
    if (status === undefined) throw new Error(`the first field is indexed ${index}, not a :status`);
    return status;
  }
  const [nameIndex, at] = readInteger(block, i, first & 0x40 ? 6 : 4);
  if (!(nameIndex in STATIC_STATUS)) throw new Error(`the first field's name is index ${nameIndex}, not :status`);
  const huffman = (block[at] & 0x80) !== 0;
  const [length, start] = readInteger(block, at, 7);
  const value = block.subarray(start, start + length);
  return Number(huffman ? huffmanDigits(value) : value.toString("latin1"));
}

export class H2LoadClient {
  /** @param {{ port: number, tls: { ca?: string, cert?: string, key?: string } }} options */
  constructor({ port, tls }) {
    this.port = port;
    this.tls = tls;
    this.nextStream = 1;
    this.streams = new Map();
    this.buffer = Buffer.alloc(0);
    /** How much DATA the server lets us send on the connection. */
    this.sendWindow = DEFAULT_WINDOW;
    this.streamWindow = DEFAULT_WINDOW;
    /** How much the server may still send before we top the connection's window up. */
    this.receiveWindow = MAX_WINDOW;
    this.blocked = [];
    this.out = [];
    this.flushing = false;
    this.headerBlock = undefined;
  }

  async open() {
    this.socket = await new Promise((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: this.port, ALPNProtocols: ["h2"], ...this.tls }, () => {
        if (s.alpnProtocol !== "h2") reject(new Error(`the server chose ${s.alpnProtocol}, not h2`));
        else resolve(s);
      });
      s.once("error", reject);
    });
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk) => this.onData(chunk));
    this.socket.on("error", (error) => this.failAll(error));
    this.socket.on("close", () => this.failAll(new Error("connection closed")));
    const settings = Buffer.alloc(18);
    settings.writeUInt16BE(0x1, 0); // HEADER_TABLE_SIZE 0: no dynamic table in the answers
    settings.writeUInt32BE(0, 2);
    settings.writeUInt16BE(0x2, 6); // ENABLE_PUSH 0
    settings.writeUInt32BE(0, 8);
    settings.writeUInt16BE(0x4, 12); // INITIAL_WINDOW_SIZE: answers are never held back
    settings.writeUInt32BE(MAX_WINDOW, 14);
    const increment = Buffer.alloc(4);
    increment.writeUInt32BE(MAX_WINDOW - DEFAULT_WINDOW);
    this.socket.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, settings), frame(WINDOW_UPDATE, 0, 0, increment)]));
  }

  /** One GET of `path` with `headers`; resolves with the status. */
  async get(path, headers) {
    return (await this.request("GET", path, headers)).status;
  }

  /** One request with an optional string body; resolves with { status, body } (body a Buffer). */
  request(method, path, headers, body) {
    const stream = this.nextStream;
    this.nextStream += 2;
    const payload = body === undefined ? undefined : Buffer.from(body);
    if (payload && payload.length > this.streamWindow) {
      return Promise.reject(new Error(`a body of ${payload.length} bytes exceeds the stream window`));
    }
    const fields = payload ? { ...headers, "content-length": payload.length } : headers;
    const block = encodeRequestHeaders(method, path, `127.0.0.1:${this.port}`, fields);
    return new Promise((resolve, reject) => {
      this.streams.set(stream, { resolve, reject, status: 0, chunks: [] });
      this.send(frame(HEADERS, END_HEADERS | (payload ? 0 : END_STREAM), stream, block));
      if (payload) this.sendData(stream, payload);
    });
  }

  /** GETs of `path` at `rate` per second for `seconds`, open loop; the latencies in ms. */
  openLoop(rate, seconds, path, headers) {
    return openLoop(rate, seconds, [200], () => this.get(path, headers));
  }

  close() {
    this.socket?.destroy();
  }

  sendData(stream, payload) {
    if (this.blocked.length > 0 || payload.length > this.sendWindow) {
      this.blocked.push([stream, payload]);
      return;
    }
    this.sendWindow -= payload.length;
    this.send(frame(DATA, END_STREAM, stream, payload));
  }

  /** Queues a frame; the frames of one turn of the event loop go out in one write. */
  send(bytes) {
    this.out.push(bytes);
    if (this.flushing) return;
    this.flushing = true;
    process.nextTick(() => {
      this.flushing = false;
      const frames = this.out;
      this.out = [];
      this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    });
  }

  onData(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let at = 0;
    while (this.buffer.length - at >= 9) {
      const length = this.buffer.readUIntBE(at, 3);
      if (this.buffer.length - at < 9 + length) break;
      const type = this.buffer[at + 3];
      const flags = this.buffer[at + 4];
      const stream = this.buffer.readUInt32BE(at + 5) & 0x7fffffff;
      const payload = this.buffer.subarray(at + 9, at + 9 + length);
      at += 9 + length;
      try {
        this.onFrame(type, flags, stream, payload);
      } catch (error) {
        this.failAll(error);
        this.socket.destroy();
        return;
      }
    }
    this.buffer = at === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(at);
  }

  onFrame(type, flags, stream, payload) {
    if (this.headerBlock && type !== CONTINUATION) throw new Error("a frame inside a header block");
    switch (type) {
      case DATA: {
        this.receiveWindow -= payload.length;
        if (this.receiveWindow < MAX_WINDOW / 2) {
          const increment = Buffer.alloc(4);
          increment.writeUInt32BE(MAX_WINDOW - this.receiveWindow);
          this.receiveWindow = MAX_WINDOW;
          this.send(frame(WINDOW_UPDATE, 0, 0, increment));
        }
        const open = this.streams.get(stream);
        if (!open) return;
        const padding = flags & PADDED ? payload[0] : 0;
        open.chunks.push(flags & PADDED ? payload.subarray(1, payload.length - padding) : payload);
        if (flags & END_STREAM) this.finish(stream);
        return;
      }
      case HEADERS: {
        let start = flags & PADDED ? 1 : 0;
        const padding = flags & PADDED ? payload[0] : 0;
        if (flags & PRIORITY) start += 5;
        const block = payload.subarray(start, payload.length - padding);
        if (flags & END_HEADERS) this.onHeaders(stream, flags, block);
        else this.headerBlock = { stream, flags, parts: [block] };
        return;
      }
      case CONTINUATION: {
        if (!this.headerBlock || this.headerBlock.stream !== stream) throw new Error("an unexpected CONTINUATION");
        this.headerBlock.parts.push(payload);
        if (flags & END_HEADERS) {
          const { flags: first, parts } = this.headerBlock;
          this.headerBlock = undefined;
          this.onHeaders(stream, first, Buffer.concat(parts));
        }
        return;
      }
      case RST_STREAM: {
        const open = this.streams.get(stream);
        this.streams.delete(stream);
        open?.reject(new Error(`stream ${stream} reset with code ${payload.readUInt32BE(0)}`));
        return;
      }
      case SETTINGS: {
        if (flags & ACK) return;
        for (let i = 0; i + 6 <= payload.length; i += 6) {
          if (payload.readUInt16BE(i) !== 0x4) continue;
          const value = payload.readUInt32BE(i + 2);
          this.streamWindow = value;
        }
        this.send(frame(SETTINGS, ACK, 0, Buffer.alloc(0)));
        return;
      }
      case PING:
        if (!(flags & ACK)) this.send(frame(PING, ACK, 0, payload));
        return;
      case GOAWAY:
        throw new Error(`GOAWAY with code ${payload.readUInt32BE(4)}`);
      case WINDOW_UPDATE:
        if (stream !== 0) return; // bodies fit the streams' windows (checked when sent)
        this.sendWindow += payload.readUInt32BE(0) & 0x7fffffff;
        while (this.blocked.length > 0 && this.blocked[0][1].length <= this.sendWindow) {
          const [id, body] = this.blocked.shift();
          this.sendWindow -= body.length;
          this.send(frame(DATA, END_STREAM, id, body));
        }
        return;
      default:
        return; // PRIORITY, PUSH_PROMISE (push is off), unknown types: nothing to do
    }
  }

  onHeaders(stream, flags, block) {
    const open = this.streams.get(stream);
    if (!open) return;
    if (open.status === 0) open.status = decodeStatus(block);
    if (flags & END_STREAM) this.finish(stream);
  }

  finish(stream) {
    const open = this.streams.get(stream);
    this.streams.delete(stream);
    open?.resolve({
      status: open.status,
      body: open.chunks.length === 1 ? open.chunks[0] : Buffer.concat(open.chunks),
    });
  }

  failAll(error) {
    const open = [...this.streams.values()];
    this.streams.clear();
    for (const { reject } of open) reject(error);
  }
}
