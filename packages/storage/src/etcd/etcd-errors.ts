import { status } from "@grpc/grpc-js";
import { StorageError } from "../errors.js";

/** What a failed call asked for, so that Expired and Too-large errors can name it. */
export interface FailedRead {
  readonly key: string;
  readonly revision?: number;
  /** The newest revision this client has seen, for "Too large resource version" messages. */
  readonly knownRevision?: number;
  /** The oldest revision known to be readable, for Expired messages. */
  readonly knownCompacted?: number;
}

/** Turns a gRPC/etcd failure into the StorageError the API layer maps to a Status. */
export function toStorageError(error: unknown, read: FailedRead): StorageError {
  if (error instanceof StorageError) return error;
  const grpcError = error as { code?: number; details?: string; message?: string };
  const details = grpcError.details ?? grpcError.message ?? "";
  if (details.includes("required revision has been compacted")) {
    const requested = read.revision ?? 0;
    return StorageError.expired(read.key, requested, Math.max(read.knownCompacted ?? 0, requested + 1));
  }
  if (details.includes("required revision is a future revision")) {
    return StorageError.tooLargeResourceVersion(read.key, read.revision ?? 0, read.knownRevision ?? 0);
  }
  if (details.includes("request is too large")) {
    return new StorageError("TooLarge", read.key, `etcd: ${details}`, undefined, { cause: error });
  }
  if (grpcError.code === status.DEADLINE_EXCEEDED) {
    return StorageError.timeout(read.key, `etcd did not answer in time: ${details}`);
  }
  return StorageError.unavailable(read.key, new Error(`etcd: ${details || String(error)}`));
}
