import type { ActionRequest, ActionSubresource, CustomSubresource } from "./resource.js";

/**
 * The action with the request body `scaffold generate` derived from an `@actionRequest`
 * interface. The handler file declares the behaviour, the API types declare the body; a handler
 * that also declares a `requestSchema` or `requestKind` (or is not an action) is a mistake the server refuses to
 * start with, since one of the two declarations would be silently ignored.
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
