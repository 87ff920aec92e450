/** Finalizers on an object (controller-runtime controllerutil); each returns whether it changed the object. */
import type { KubeObject } from "../objects/meta.js";

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}

export function addFinalizer(object: KubeObject, finalizer: string): boolean {
  if (hasFinalizer(object, finalizer)) return false;
  object.metadata ??= {};
  object.metadata.finalizers = [...(object.metadata.finalizers ?? []), finalizer];
  return true;
}

export function removeFinalizer(object: KubeObject, finalizer: string): boolean {
  if (!hasFinalizer(object, finalizer)) return false;
  const meta = object.metadata as NonNullable<KubeObject["metadata"]>;
  meta.finalizers = (meta.finalizers ?? []).filter((f) => f !== finalizer);
  return true;
}

/** Whether the object is being deleted (finalizers are holding it). */
export function isBeingDeleted(object: KubeObject): boolean {
  return Boolean(object.metadata?.deletionTimestamp);
}
