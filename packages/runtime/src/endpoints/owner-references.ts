/**
 * Repeated owner references, dropped as kube-apiserver's write handlers drop them
 * (endpoints/handlers/rest.go, dedupOwnerReferencesAndAddWarning): an entry equal to an earlier
 * one (same uid and every other field) goes, and the request gets a warning naming its uid.
 * Creates and updates do it before and after mutating admission, patches only after.
 */
import type { KubeObject, ObjectMeta } from "../api/meta.js";

const DUPLICATES_BEFORE_ADMISSION =
  ".metadata.ownerReferences contains duplicate entries; API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: ";
const DUPLICATES_AFTER_ADMISSION =
  ".metadata.ownerReferences contains duplicate entries after mutating admission happens; API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: ";

/** metav1.OwnerReference's fields: what Go's semantic equality of two entries compares (null = unset). */
const OWNER_REFERENCE_FIELDS = ["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"] as const;

function sameEntry(a: unknown, b: unknown): boolean {
  if (a === null || typeof a !== "object" || b === null || typeof b !== "object") return a === b;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return OWNER_REFERENCE_FIELDS.every((field) => (x[field] ?? undefined) === (y[field] ?? undefined));
}

function uidOf(ref: unknown): string {
  const uid = ref !== null && typeof ref === "object" ? (ref as { uid?: unknown }).uid : undefined;
  return typeof uid === "string" ? uid : "";
}

/** Drops repeated entries of `metadata.ownerReferences` in place, adding the warning if there were any. */
export function dedupOwnerReferences(object: KubeObject, warnings: string[], afterMutatingAdmission: boolean): void {
  const refs = object.metadata?.ownerReferences as unknown;
  if (!Array.isArray(refs) || refs.length < 2) return;
  const kept: unknown[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const ref of refs) {
    const uid = uidOf(ref);
    // Only a uid seen before can repeat an entry: the whole comparison is for those.
    if (seen.has(uid) && kept.some((k) => sameEntry(k, ref))) {
      duplicates.push(uid);
      continue;
    }
    seen.add(uid);
    kept.push(ref);
  }
  if (duplicates.length === 0) return;
  warnings.push(
    (afterMutatingAdmission ? DUPLICATES_AFTER_ADMISSION : DUPLICATES_BEFORE_ADMISSION) + duplicates.join(", "),
  );
  // A new metadata object: the old one may be shared with the stored (frozen) object.
  object.metadata = { ...object.metadata, ownerReferences: kept as NonNullable<ObjectMeta["ownerReferences"]> };
}
