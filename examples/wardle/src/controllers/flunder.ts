import {
  type ConditionInput,
  type ControllerSpec,
  isNotFound,
  type KubeObject,
  type Manager,
  type Request,
  requestFor,
  setStatusCondition,
  updateStatus,
} from "@apiserver-kit/controller";
import type { Flunder } from "../apis/wardle/v1beta1/flunder.js";
import { fischerType, flunderType } from "../generated/kinds.js";

type FlunderObject = Flunder & KubeObject;

/** What a Flunder's spec refers to: a Flunder of its namespace or a (cluster-scoped) Fischer. */
export interface Reference {
  kind: "Flunder" | "Fischer";
  namespace: string;
  name: string;
}

export const RESOLVED_CONDITION = "ReferenceResolved";
const REFERENCE_INDEX = "reference";

export function referenceOf(flunder: Flunder): Reference | undefined {
  const spec = flunder.spec ?? {};
  if (spec.fischerReference !== undefined) return { kind: "Fischer", namespace: "", name: spec.fischerReference };
  if (spec.flunderReference !== undefined)
    return { kind: "Flunder", namespace: flunder.metadata.namespace ?? "", name: spec.flunderReference };
  return undefined;
}

const referenceKey = (reference: Reference) => `${reference.kind}/${reference.namespace}/${reference.name}`;

/** The ReferenceResolved condition for a reference and what it resolved to (undefined: not found). */
export function resolvedCondition(
  reference: Reference | undefined,
  target: KubeObject | undefined,
  generation: number,
): ConditionInput {
  const observedGeneration = generation;
  if (!reference) {
    return {
      type: RESOLVED_CONDITION,
      status: "True",
      reason: "NoReference",
      message: "nothing to resolve",
      observedGeneration,
    };
  }
  const what = `${reference.kind.toLowerCase()} "${reference.name}"`;
  return target
    ? { type: RESOLVED_CONDITION, status: "True", reason: "Found", message: `${what} exists`, observedGeneration }
    : {
        type: RESOLVED_CONDITION,
        status: "False",
        reason: "NotFound",
        message: `${what} does not exist`,
        observedGeneration,
      };
}

/**
 * The Flunder controller: resolves each Flunder's reference against the Flunders and Fischers
 * it sees, and reports the outcome in status (the ReferenceResolved condition and the target's
 * uid). A Flunder is reconciled again when the object it names appears, changes or goes away.
 */
export function flunderController(manager: Manager): ControllerSpec {
  const flunders = manager.client<FlunderObject>(flunderType);
  const flunderInformer = manager.informer<FlunderObject>(flunderType);
  const fischerInformer = manager.informer<KubeObject>(fischerType);
  flunderInformer.store.addIndexers({
    [REFERENCE_INDEX]: (flunder) => {
      const reference = referenceOf(flunder);
      return reference ? [referenceKey(reference)] : [];
    },
  });
  // The Flunders whose reference names `object`.
  const referrers =
    (kind: Reference["kind"]) =>
    (object: KubeObject): Request[] =>
      flunderInformer.store
        .byIndex(
          REFERENCE_INDEX,
          referenceKey({ kind, namespace: object.metadata?.namespace ?? "", name: object.metadata?.name ?? "" }),
        )
        .map(requestFor);
  const lookup = (reference: Reference): KubeObject | undefined =>
    reference.kind === "Fischer"
      ? fischerInformer.store.get({ namespace: "", name: reference.name })
      : flunderInformer.store.get({ namespace: reference.namespace, name: reference.name });

  return {
    name: "flunder",
    for: flunderType,
    watches: [
      { type: fischerType, map: referrers("Fischer") },
      { type: flunderType, map: referrers("Flunder") },
    ],
    async reconcile(_context, request) {
      try {
        await updateStatus(flunders, request, (flunder) => {
          const generation = flunder.metadata.generation ?? 0;
          const reference = referenceOf(flunder);
          const target = reference ? lookup(reference) : undefined;
          flunder.status ??= {};
          const status = flunder.status;
          status.conditions ??= [];
          let changed = setStatusCondition(status.conditions, resolvedCondition(reference, target, generation));
          const uid = target?.metadata?.uid;
          if (status.referenceUID !== uid) {
            if (uid === undefined) delete status.referenceUID;
            else status.referenceUID = uid;
            changed = true;
          }
          if (status.observedGeneration !== generation) {
            status.observedGeneration = generation;
            changed = true;
          }
          return changed;
        });
      } catch (error) {
        // Deleted since it was queued: nothing left to do.
        if (isNotFound(error)) return;
        throw error;
      }
    },
  };
}
