import type { KubeObject } from "../api/meta.js";
import type {
  ActionRequest,
  ActionSubresource,
  CustomSubresource,
  ReadSubresource,
  StreamSubresource,
  SubresourceOptions,
  SubresourceResponse,
} from "./resource.js";

/**
 * The action with the request body `scaffold generate` derived from an `@actionRequest`
 * interface. The handler file declares the behaviour, the API types declare the body. A handler
 * that also declares a `requestSchema` or `requestKind` (or is not an action) stops the server at
 * start-up, since one of the two declarations would be silently ignored.
 */
export function withActionRequest(subresource: CustomSubresource, request: ActionRequest): ActionSubresource {
  const where = `subresource "${subresource.name}"`;
  if (subresource.type !== "action") {
    throw new Error(
      `${where} is a ${subresource.type} subresource, but ${request.requestKind.kind} is its @actionRequest: only actions take a request body`,
    );
  }
  const declared = (["requestSchema", "requestKind"] as const).find((key) => subresource[key] !== undefined);
  if (declared !== undefined) {
    throw new Error(
      `${where} declares a ${declared} and ${request.requestKind.kind} in src/apis is its @actionRequest: keep one of them`,
    );
  }
  return { ...subresource, requestKind: request.requestKind, requestSchema: request.requestSchema };
}

/**
 * The read or stream subresource with the query parameters `scaffold generate` derived from a
 * `@subresourceOptions` interface: the server converts each by type before `handle` runs. A
 * handler that also declares `parameters` or `parseOptions` (or is an action) is refused, as
 * `withActionRequest` refuses a second body.
 */
export function withSubresourceOptions(
  subresource: CustomSubresource,
  options: SubresourceOptions,
): ReadSubresource<KubeObject, unknown> | StreamSubresource<KubeObject, unknown> {
  const where = `subresource "${subresource.name}"`;
  if (subresource.type === "action") {
    throw new Error(
      `${where} is an action, but ${options.kind} is its @subresourceOptions: an action takes a body (@actionRequest)`,
    );
  }
  const declared = (["parameters", "parseOptions"] as const).find((key) => subresource[key] !== undefined);
  if (declared !== undefined) {
    throw new Error(
      `${where} declares ${declared} and ${options.kind} in src/apis is its @subresourceOptions: keep one of them`,
    );
  }
  return { ...subresource, parameters: options.parameters };
}

/**
 * The action or read with the answer `scaffold generate` derived from a `@subresourceResponse`
 * interface: discovery and OpenAPI name its kind and publish its schema, and an answer without
 * `apiVersion` and `kind` gets them. A handler that also declares `responseKind` or
 * `responseSchema` (or is a stream, which answers text) is refused.
 */
export function withSubresourceResponse<S extends CustomSubresource>(subresource: S, response: SubresourceResponse): S {
  const where = `subresource "${subresource.name}"`;
  const kind = response.responseKind.kind;
  if (subresource.type === "stream") {
    throw new Error(
      `${where} is a stream, but ${kind} is its @subresourceResponse: a stream answers text, not an object`,
    );
  }
  const declared = (["responseKind", "responseSchema"] as const).find((key) => subresource[key] !== undefined);
  if (declared !== undefined) {
    throw new Error(
      `${where} declares a ${declared} and ${kind} in src/apis is its @subresourceResponse: keep one of them`,
    );
  }
  return { ...subresource, responseKind: response.responseKind, responseSchema: response.responseSchema };
}
