import { isMethodNotAllowedError, isStorageError } from "@apiserver-kit/storage";
import { type GroupResource, StatusError } from "../api/errors.js";

/** Turns a storage failure into the Status a client sees (k8s registry/generic/registry/storage_factory + storeerr). */
export function storageErrorToStatus(error: unknown, gr: GroupResource, name: string): unknown {
  if (isMethodNotAllowedError(error)) return StatusError.methodNotAllowed(error.verb, gr);
  if (!isStorageError(error)) return error;
  switch (error.code) {
    case "KeyNotFound":
      return StatusError.notFound(gr, name);
    case "KeyExists":
      return StatusError.alreadyExists(gr, name);
    case "Conflict":
      return error.message.startsWith("Precondition failed")
        ? StatusError.conflict(gr, name, error.message)
        : StatusError.modified(gr, name);
    case "Expired":
      return StatusError.expired(error.message);
    case "Timeout":
      if (error.message.startsWith("Too large resource version")) {
        return StatusError.timeout(`Timeout: ${error.message}`, 1, [
          { reason: "ResourceVersionTooLarge", message: "Too large resource version" },
        ]);
      }
      return StatusError.timeout(`Timeout: ${error.message}`, 1);
    case "Unavailable":
      return StatusError.serviceUnavailable(error.message, 1);
    case "TooLarge":
      return StatusError.requestEntityTooLarge(error.message);
    case "InvalidContinue":
      return StatusError.badRequest(error.message);
  }
}
