import { isJSONObject, type JSONObject, type JSONValue, jsonEqual, toPlain } from "../../json/json.js";
import { FieldSet } from "../fieldpath/field-set.js";
import type { Path } from "../fieldpath/path-element.js";
import { type Comparison, compare, excludeFields } from "../typed/compare.js";
import { merge } from "../typed/merge.js";
import { ensureNamedFieldsAreMembers } from "../typed/named-fields.js";
import { reconcileFieldSetWithSchema } from "../typed/reconcile-schema.js";
import { removeItems } from "../typed/remove.js";
import type { TypeNode } from "../typed/schema.js";
import { toFieldSet } from "../typed/to-field-set.js";

/** The fields one manager owns, at the API version it wrote them in; `applied` for Apply entries. */
export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/** Field ownership by manager identifier (structured-merge-diff's fieldpath.ManagedFields). */
export type ManagedFieldSets = Map<string, VersionedSet>;

/** One field another manager owns with a different value. */
export interface Conflict {
  readonly manager: string;
  readonly path: Path;
}

/** Thrown by apply when, without force, applied fields are owned by others with other values. */
export class ConflictsError extends Error {
  override readonly name = "ConflictsError";
  constructor(readonly conflicts: readonly Conflict[]) {
    super(`${conflicts.length} conflict(s)`);
  }
}

/** Converts objects between the versions managedFields entries were written in. */
export interface Versions {
  /** `object` (at version `from`) at version `to`; undefined when `to` is no longer served. */
  convert(object: JSONObject, from: string, to: string): JSONObject | undefined;
  /** The type of a whole object at a version. */
  typeAt(apiVersion: string): TypeNode;
}

interface Versioned {
  readonly value: JSONObject;
  readonly version: string;
}

/**
 * structured-merge-diff's merge.Updater: computes ownership for updates and merges, prunes
 * and checks applied configurations. `ignored` are fields no manager may own at a version
 * (Kubernetes' reset fields, e.g. status for the main resource).
 */
export class Updater {
  constructor(
    private readonly versions: Versions,
    private readonly ignored: (apiVersion: string) => FieldSet | undefined = () => undefined,
  ) {}

  /** Ownership after a non-apply write by `manager`: it takes every field that changed. */
  update(
    live: JSONObject,
    updated: JSONObject,
    apiVersion: string,
    managers: ManagedFieldSets,
    manager: string,
  ): ManagedFieldSets {
    const out = this.reconcile(managers);
    const comparison = this.takeFromOthers(live, updated, apiVersion, out, manager, true);
    const previous = out.get(manager)?.set ?? new FieldSet();
    let set = previous.union(comparison.modified).union(comparison.added).difference(comparison.removed);
    const ignored = this.ignored(apiVersion);
    if (ignored !== undefined) set = set.recursiveDifference(ignored);
    if (set.isEmpty()) out.delete(manager);
    else out.set(manager, { set, apiVersion, applied: false });
    return out;
  }

  /**
   * Merges `config` into `live` as `manager`'s applied configuration. Returns the new object,
   * or undefined when it equals `live`, and the new ownership; throws ConflictsError.
   */
  apply(
    live: JSONObject,
    config: JSONObject,
    apiVersion: string,
    managers: ManagedFieldSets,
    manager: string,
    force: boolean,
  ): { object: JSONObject | undefined; managers: ManagedFieldSets } {
    const out = this.reconcile(managers);
    const type = this.versions.typeAt(apiVersion);
    let merged = rootObject(merge(live, config, type));
    const lastSet = out.get(manager);
    let set = toFieldSet(config, type, true);
    const ignored = this.ignored(apiVersion);
    if (ignored !== undefined) set = set.recursiveDifference(ignored);
    out.set(manager, { set, apiVersion, applied: true });
    merged = this.prune({ value: merged, version: apiVersion }, out, manager, lastSet);
    // Pruning may drop an empty map or list the configuration sets (it owns nothing inside):
    // merging the configuration again keeps it, so that applying it twice is a no-op.
    if (lastSet !== undefined) merged = rootObject(merge(merged, config, type));
    this.takeFromOthers(live, merged, apiVersion, out, manager, force);
    const object = jsonEqual(live, merged) ? undefined : (toPlain(merged) as JSONObject);
    return { object, managers: out };
  }

  /** Ownership recorded before the schema last changed, reconciled with it (upstream's reconcileManagedFieldsWithSchemaChanges). */
  private reconcile(managers: ManagedFieldSets): ManagedFieldSets {
    const out: ManagedFieldSets = new Map();
    for (const [manager, owned] of managers) {
      const reconciled = reconcileFieldSetWithSchema(owned.set, this.versions.typeAt(owned.apiVersion));
      out.set(manager, reconciled === undefined ? owned : { ...owned, set: reconciled });
    }
    return out;
  }

  /** Fields that `manager`'s write changes are taken from every other manager (conflicts unless forced). */
  private takeFromOthers(
    oldObject: JSONObject,
    newObject: JSONObject,
    apiVersion: string,
    managers: ManagedFieldSets,
    manager: string,
    force: boolean,
  ): Comparison {
    const comparison = compare(oldObject, newObject, this.versions.typeAt(apiVersion));
    const byVersion = new Map<string, Comparison>([[apiVersion, excludeFields(comparison, this.ignored(apiVersion))]]);
    const conflicts = new Map<string, FieldSet>();
    const removed = new Map<string, FieldSet>();
    for (const [other, owned] of managers) {
      if (other === manager) continue;
      let changes = byVersion.get(owned.apiVersion);
      if (changes === undefined) {
        const before = this.versions.convert(oldObject, apiVersion, owned.apiVersion);
        const after = this.versions.convert(newObject, apiVersion, owned.apiVersion);
        if (before === undefined || after === undefined) {
          // Entries of versions no longer served are dropped, as Kubernetes drops them.
          managers.delete(other);
          continue;
        }
        changes = excludeFields(
          compare(before, after, this.versions.typeAt(owned.apiVersion)),
          this.ignored(owned.apiVersion),
        );
        byVersion.set(owned.apiVersion, changes);
      }
      const conflict = owned.set.intersection(changes.modified.union(changes.added));
      if (!conflict.isEmpty()) conflicts.set(other, conflict);
      if (!changes.removed.isEmpty()) removed.set(other, changes.removed);
    }
    if (!force && conflicts.size > 0) {
      const list: Conflict[] = [];
      for (const [other, set] of [...conflicts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        for (const path of set.paths()) list.push({ manager: other, path });
      }
      throw new ConflictsError(list);
    }
    for (const [other, set] of conflicts) {
      const owned = managers.get(other) as VersionedSet;
      managers.set(other, { ...owned, set: owned.set.difference(set) });
    }
    for (const [other, set] of removed) {
      const owned = managers.get(other);
      if (owned !== undefined) managers.set(other, { ...owned, set: owned.set.difference(set) });
    }
    for (const [other, owned] of managers) if (owned.set.isEmpty()) managers.delete(other);
    return comparison;
  }

  /**
   * Removes what `manager` applied last time and no longer applies, unless another manager
   * (or its new configuration) owns it; never removes what it did not own.
   */
  private prune(
    merged: Versioned,
    managers: ManagedFieldSets,
    manager: string,
    lastSet: VersionedSet | undefined,
  ): JSONObject {
    if (lastSet === undefined || lastSet.set.isEmpty()) return merged.value;
    const version = lastSet.apiVersion;
    const atLast = this.convert(merged, version);
    if (atLast === undefined) return merged.value;
    const type = this.versions.typeAt(version);
    let pruned: Versioned = {
      value: rootObject(removeItems(atLast.value, ensureNamedFieldsAreMembers(lastSet.set, type), type)),
      version,
    };
    pruned = this.addBackOwnedItems(atLast, pruned, managers);
    const dangling = this.addBackDanglingItems(atLast, pruned, lastSet);
    const applyingVersion = managers.get(manager)?.apiVersion ?? merged.version;
    return this.convert(dangling, applyingVersion)?.value ?? merged.value;
  }

  /** Puts back what pruning removed but some manager (the applier's new configuration included) owns. */
  private addBackOwnedItems(merged: Versioned, pruned: Versioned, managers: ManagedFieldSets): Versioned {
    const owned = new Map<string, FieldSet>();
    for (const entry of managers.values()) {
      owned.set(entry.apiVersion, (owned.get(entry.apiVersion) ?? new FieldSet()).union(entry.set));
    }
    // The pruned version first: conversion may need fields pruning removed.
    const order = [...owned.keys()].sort((a, b) => (a === pruned.version ? -1 : b === pruned.version ? 1 : 0));
    let currentMerged = merged;
    let currentPruned = pruned;
    for (const version of order) {
      const m = this.convert(currentMerged, version);
      const p = this.convert(currentPruned, version);
      if (m === undefined || p === undefined) continue;
      const type = this.versions.typeAt(version);
      const mergedSet = ensureNamedFieldsAreMembers(toFieldSet(m.value, type), type);
      const prunedSet = ensureNamedFieldsAreMembers(toFieldSet(p.value, type), type);
      const keep = prunedSet.union(ensureNamedFieldsAreMembers(owned.get(version) as FieldSet, type));
      currentMerged = m;
      currentPruned = { value: rootObject(removeItems(m.value, mergedSet.difference(keep), type)), version };
    }
    return currentPruned;
  }

  /** Removes from `merged` only what pruning removed AND the applier owned last time. */
  private addBackDanglingItems(merged: Versioned, pruned: Versioned, lastSet: VersionedSet): Versioned {
    const p = this.convert(pruned, lastSet.apiVersion);
    if (p === undefined) return merged;
    const type = this.versions.typeAt(lastSet.apiVersion);
    const prunedSet = ensureNamedFieldsAreMembers(toFieldSet(p.value, type), type);
    const mergedSet = ensureNamedFieldsAreMembers(toFieldSet(merged.value, type), type);
    const last = ensureNamedFieldsAreMembers(lastSet.set, type);
    const remove = mergedSet.difference(prunedSet).intersection(last);
    return { value: rootObject(removeItems(merged.value, remove, type)), version: merged.version };
  }

  private convert(object: Versioned, version: string): Versioned | undefined {
    if (object.version === version) return object;
    const value = this.versions.convert(object.value, object.version, version);
    return value === undefined ? undefined : { value, version };
  }
}

function rootObject(value: JSONValue | undefined): JSONObject {
  return isJSONObject(value) ? value : {};
}
