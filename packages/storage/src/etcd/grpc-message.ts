import type http2 from "node:http2";
import { status } from "@grpc/grpc-js";

/** A failed call as grpc-js reports one: a gRPC status code and its message. */
export interface GrpcCallError extends Error {
  readonly code: number;
  readonly details: string;
}

export function grpcCallError(code: number, details: string): GrpcCallError {
  return Object.assign(new Error(`${code} ${status[code] ?? ""}: ${details}`), { code, details });
}

/** One uncompressed gRPC message: a zero flag, the length (32 bits, big-endian), the bytes. */
export function grpcFrame(body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(5 + body.length);
  frame[0] = 0;
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  return frame;
}

/** The gRPC status a response's headers or trailers carry, if they carry one. */
export function grpcStatusOf(headers: http2.IncomingHttpHeaders): { code: number; message: string } | undefined {
  const value = headers["grpc-status"];
  if (value === undefined) return undefined;
  const text = headers["grpc-message"];
  return { code: Number(value), message: typeof text === "string" ? percentDecoded(text) : "" };
}

/** grpc-message is percent-encoded; a malformed one is kept as it came. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
