/**
 * Informer event handlers that only enqueue keys (controller-runtime pkg/handler): the
 * object's own key, its owner's, or whatever a mapping function says. Updates map both
 * the old and the new object, so that a change of owner or label reaches both sides.
 */
import type { ResourceType } from "../client/resource-client.js";
import { ownerRequests } from "../helpers/owner-references.js";
import type { EventHandler } from "../informer/informer.js";
import { type Request, requestFor, requestKey } from "../objects/keys.js";
import type { KubeObject } from "../objects/meta.js";

/** Maps an object to the requests its change should cause. */
export type MapFunc = (object: KubeObject) => Request[];

/** A handler that enqueues the keys `map` gives for every added, updated or deleted object. */
export function enqueueMapped(enqueue: (key: string) => void, map: MapFunc): EventHandler<KubeObject> {
  const add = (object: KubeObject) => {
    for (const request of map(object)) enqueue(requestKey(request));
  };
  return {
    onAdd: add,
    onUpdate(oldObject, newObject) {
      if (oldObject !== newObject) add(oldObject);
      add(newObject);
    },
    onDelete: add,
  };
}

/** EnqueueRequestForObject: the object's own key. */
export const mapToSelf: MapFunc = (object) => [requestFor(object)];

/** EnqueueRequestForOwner: the key of the object's managing controller of `ownerType`. */
export function mapToOwner(ownerType: ResourceType, onlyController = true): MapFunc {
  return (object) => ownerRequests(object, ownerType, onlyController);
}
