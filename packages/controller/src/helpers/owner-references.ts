/**
 * Owner references (controller-runtime controllerutil): who owns an object, and the
 * reverse mapping a controller needs to turn an owned object's change into its owner's key.
 */
import { groupOf, type ResourceType } from "../client/resource-client.js";
import type { Request } from "../objects/keys.js";
import type { KubeObject, OwnerReference } from "../objects/meta.js";

export class AlreadyOwnedError extends Error {
  override readonly name = "AlreadyOwnedError";
  readonly reason = "AlreadyOwned";
  constructor(
    readonly object: string,
    readonly owner: OwnerReference,
  ) {
    super(`${object} is already owned by another ${owner.kind} controller ${owner.name}`);
  }
}

export class OwnerReferenceError extends Error {
  override readonly name = "OwnerReferenceError";
  readonly reason = "InvalidOwner";
}

function referenceTo(owner: KubeObject, controller: boolean): OwnerReference {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (!apiVersion || !kind || !name || !uid) {
    throw new OwnerReferenceError(
      "an owner needs apiVersion, kind, metadata.name and metadata.uid (read it from the server)",
    );
  }
  return controller
    ? { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true }
    : { apiVersion, kind, name, uid };
}

function sameOwner(a: OwnerReference, b: OwnerReference): boolean {
  return groupOf(a.apiVersion) === groupOf(b.apiVersion) && a.kind === b.kind && a.name === b.name;
}

function checkScope(owner: KubeObject, object: KubeObject): void {
  const ownerNamespace = owner.metadata?.namespace ?? "";
  const objectNamespace = object.metadata?.namespace ?? "";
  // The garbage collector ignores cross-namespace owners, and a cluster-scoped object can't have a namespaced owner.
  if (ownerNamespace && ownerNamespace !== objectNamespace) {
    throw new OwnerReferenceError(
      `cross-namespace owner references are not allowed: owner in "${ownerNamespace}", object in "${objectNamespace || "(cluster)"}"`,
    );
  }
}

/** Makes `owner` the managing controller of `object` (controller: true). Throws AlreadyOwnedError if another controller owns it. */
export function setControllerReference(owner: KubeObject, object: KubeObject): void {
  checkScope(owner, object);
  const reference = referenceTo(owner, true);
  const existing = getControllerOf(object);
  if (existing && !sameOwner(existing, reference)) {
    throw new AlreadyOwnedError(`${object.kind ?? "object"} ${object.metadata?.name ?? ""}`, existing);
  }
  upsertReference(object, reference);
}

/** Adds (or refreshes) a plain owner reference to `owner`. */
export function setOwnerReference(owner: KubeObject, object: KubeObject): void {
  checkScope(owner, object);
  const reference = referenceTo(owner, false);
  const existing = object.metadata?.ownerReferences?.find((r) => sameOwner(r, reference));
  if (existing?.controller) {
    reference.controller = true;
    reference.blockOwnerDeletion = existing.blockOwnerDeletion ?? true;
  }
  upsertReference(object, reference);
}

/** Removes the reference to `owner`; returns whether there was one. */
export function removeOwnerReference(owner: KubeObject, object: KubeObject): boolean {
  const references = object.metadata?.ownerReferences;
  if (!references) return false;
  const kept = references.filter(
    (r) =>
      !(
        groupOf(r.apiVersion) === groupOf(owner.apiVersion ?? "") &&
        r.kind === owner.kind &&
        r.name === owner.metadata?.name
      ),
  );
  if (kept.length === references.length) return false;
  (object.metadata as NonNullable<KubeObject["metadata"]>).ownerReferences = kept;
  return true;
}

export function getControllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** Whether `owner` (by uid) is the managing controller of `object`. */
export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  const reference = getControllerOf(object);
  return reference !== undefined && reference.uid === owner.metadata?.uid;
}

/**
 * The requests for the owners of `object` that are of `ownerType` (group and kind, any
 * version); with `onlyController`, only the managing controller's. A namespaced owner is
 * in the object's namespace.
 */
export function ownerRequests(object: KubeObject, ownerType: ResourceType, onlyController = true): Request[] {
  const requests: Request[] = [];
  for (const reference of object.metadata?.ownerReferences ?? []) {
    if (onlyController && reference.controller !== true) continue;
    if (reference.kind !== ownerType.kind || groupOf(reference.apiVersion) !== ownerType.group) continue;
    requests.push({ namespace: ownerType.namespaced ? (object.metadata?.namespace ?? "") : "", name: reference.name });
  }
  return requests;
}

function upsertReference(object: KubeObject, reference: OwnerReference): void {
  object.metadata ??= {};
  const references = object.metadata.ownerReferences ?? [];
  const at = references.findIndex((r) => sameOwner(r, reference));
  if (at >= 0) references[at] = reference;
  else references.push(reference);
  object.metadata.ownerReferences = references;
}
