import type { KubeObject } from "./meta.js";

/** What a reconcile is about: an object's namespace ("" when cluster-scoped) and name. */
export interface Request {
  namespace: string;
  name: string;
}

/** The work-queue and store key of a request: `namespace/name`, or `name` when cluster-scoped. */
export function requestKey(request: Request): string {
  return request.namespace ? `${request.namespace}/${request.name}` : request.name;
}

/** The inverse of `requestKey`. */
export function requestFromKey(key: string): Request {
  const slash = key.indexOf("/");
  return slash < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function requestFor(object: KubeObject): Request {
  return { namespace: object.metadata?.namespace ?? "", name: object.metadata?.name ?? "" };
}

/** client-go's MetaNamespaceKeyFunc. */
export function objectKey(object: KubeObject): string {
  return requestKey(requestFor(object));
}
