import { cloneIn, isJSONObject, type JSONObject, type JSONValue, jsonEqual, setOwn, toPlain } from "../../json/json.js";
import { ServerSideApplyError, type ServerSideApplyError as SSAError, type StatusCause } from "../errors.js";
import { FieldSet } from "../fieldpath/field-set.js";
import { goQuote } from "../fieldpath/go-json.js";
import { fieldElement, pathString } from "../fieldpath/path-element.js";
import { type Conflict, ConflictsError, type ManagedFieldSets, Updater } from "../merge/updater.js";
import { rootTypeOf, type ServerSideApplySchema, type TypeNode } from "../typed/schema.js";
import { createdFieldsV1, resetFieldsTree, STRIPPED_AT_ROOT, STRIPPED_IN_METADATA } from "./created-fields.js";
import {
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  formatTime,
  isResetManagedFields,
  type Managed,
  type ManagedFieldsEntry,
  managedFieldsEntry,
  managerIdentifier,
  parseIdentifier,
} from "./entries.js";
import { buildLastApplied, fieldsStillAsLastApplied, lastAppliedOf, withLastApplied } from "./last-applied.js";

/** How a kind's writes are tracked: the request's version and schema, and what the endpoint resets. */
export interface FieldManagerOptions {
  /** The request's group-version, e.g. "wardle.example.com/v1alpha1" ("v1" for the core group). */
  readonly apiVersion: string;
  /** The kind; an applied configuration of another kind is refused. */
  readonly kind?: string;
  /** The kind's structural schema at apiVersion; without one every field is deduced. */
  readonly schema?: ServerSideApplySchema;
  /** The subresource written ("status"), or "" / undefined for the main resource. */
  readonly subresource?: string;
  /**
   * Top-level paths this endpoint resets, which no manager may own through it (Kubernetes'
   * GetResetFields): [["status"]] for a main resource with a status subresource, [["spec"]] for status.
   */
  readonly resetFields?: readonly (readonly string[])[];
  /** For managedFields entries written in other versions of the kind. */
  readonly versions?: {
    /** `object` (at `from`) converted to `to`; undefined when `to` is no longer served. */
    convert(object: JSONObject, from: string, to: string): JSONObject | undefined;
    schemaOf(apiVersion: string): ServerSideApplySchema | undefined;
  };
  /** The clock of entry times (injectable for tests). */
  readonly now?: () => Date;
  /** How many Update entries are kept before the oldest merge into "ancient-changes" (Kubernetes: 10). */
  readonly maxUpdateManagers?: number;
}

/** Kubernetes' DefaultMaxUpdateManagers. */
export const DEFAULT_MAX_UPDATE_MANAGERS = 10;

/** The result of an apply: the object to store (with managedFields) and whether it differs from live. */
export interface ApplyResult {
  readonly object: JSONObject;
  readonly changed: boolean;
}

// Paths no manager owns (Kubernetes' stripMetaManager); a plain difference, so children survive.
const stripSet = FieldSet.of(
  ...[...STRIPPED_AT_ROOT].map((name) => [fieldElement(name)]),
  ...[...STRIPPED_IN_METADATA].map((name) => [fieldElement("metadata"), fieldElement(name)]),
);

const CURRENT_OPERATION = "current-operation";
const BEFORE_FIRST_APPLY = "before-first-apply";
const ANCIENT_CHANGES = "ancient-changes";

class Tracker {
  readonly updater: Updater;
  readonly apiVersion: string;
  readonly subresource: string;
  readonly type: TypeNode;
  readonly now: () => string;
  readonly maxUpdateManagers: number;

  constructor(readonly options: FieldManagerOptions) {
    this.apiVersion = options.apiVersion;
    this.subresource = options.subresource ?? "";
    this.type = rootTypeOf(options.schema);
    const clock = options.now ?? (() => new Date());
    this.now = () => formatTime(clock());
    this.maxUpdateManagers = options.maxUpdateManagers ?? DEFAULT_MAX_UPDATE_MANAGERS;
    const versions = options.versions;
    let ignored: FieldSet | undefined;
    if (options.resetFields !== undefined && options.resetFields.length > 0) {
      ignored = FieldSet.of(...options.resetFields.map((path) => path.map(fieldElement)));
    }
    this.updater = new Updater(
      {
        convert: (object, from, to) =>
          from === to || versions === undefined ? object : versions.convert(object, from, to),
        typeAt: (version) =>
          version === this.apiVersion || versions === undefined
            ? this.type
            : rootTypeOf(versions.schemaOf(version) ?? options.schema),
      },
      () => ignored,
    );
  }

  /** Kubernetes' chain for non-apply writes: capManagers ∘ buildManagerInfo ∘ managedFieldsUpdater ∘ stripMeta ∘ structured. */
  update(live: JSONObject, updated: JSONObject, managed: Managed, manager: string): Managed {
    const identifier = managerIdentifier({
      manager: manager || "unknown",
      operation: "Update",
      apiVersion: this.apiVersion,
      subresource: this.subresource,
    });
    const fields = this.updater.update(live, updated, this.apiVersion, managed.fields, CURRENT_OPERATION);
    strip(fields, CURRENT_OPERATION);
    const times = new Map(managed.times);
    const current = fields.get(CURRENT_OPERATION);
    if (current !== undefined) {
      // The write changed something: it becomes (or joins) this manager's entry, with a new time.
      fields.delete(CURRENT_OPERATION);
      const previous = fields.get(identifier);
      fields.set(identifier, previous === undefined ? current : { ...current, set: current.set.union(previous.set) });
      times.set(identifier, this.now());
    }
    return this.capUpdateManagers({ fields, times });
  }

  /** Kubernetes' capManagers: the oldest Update entries beyond the cap merge into per-version "ancient-changes". */
  private capUpdateManagers(managed: Managed): Managed {
    const updaters = [...managed.fields].filter(([, set]) => !set.applied).map(([id]) => id);
    if (updaters.length <= this.maxUpdateManagers) return managed;
    const seconds = (id: string) => {
      const time = managed.times.get(id);
      return time === undefined ? 0 : Math.floor(Date.parse(time) / 1000) || 0;
    };
    updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
    const fields = new Map(managed.fields);
    const times = new Map(managed.times);
    const firstOfVersion = new Map<string, string>();
    let length = updaters.length;
    for (let i = 0; i < updaters.length && length > this.maxUpdateManagers; i++) {
      const id = updaters[i] as string;
      const entry = fields.get(id);
      if (entry === undefined) continue;
      const bucket = managerIdentifier({ manager: ANCIENT_CHANGES, operation: "Update", apiVersion: entry.apiVersion });
      const first = firstOfVersion.get(entry.apiVersion);
      if (first === undefined) {
        firstOfVersion.set(entry.apiVersion, id);
        continue;
      }
      if (!fields.has(bucket)) {
        const firstEntry = fields.get(first);
        fields.delete(first);
        if (firstEntry !== undefined) fields.set(bucket, firstEntry);
      }
      const bucketEntry = fields.get(bucket);
      fields.set(bucket, { ...entry, set: entry.set.union(bucketEntry?.set ?? new FieldSet()) });
      fields.delete(id);
      length--;
      times.set(bucket, times.get(id));
    }
    return { fields, times };
  }

  /** Kubernetes' chain for apply: lastAppliedUpdater ∘ lastAppliedManager ∘ skipNonApplied ∘ … ∘ structured. */
  apply(
    live: JSONObject,
    applied: JSONObject,
    managed: Managed,
    manager: string,
    force: boolean,
  ): { object: JSONObject; managed: Managed } {
    const result = this.applyMigratingClientSideApply(live, applied, managed, manager, force);
    // kubectl server-side apply keeps an existing client-side annotation current, so kubectl can switch back.
    if (manager === "kubectl" && lastAppliedOf(result.object) !== undefined) {
      return { object: withLastApplied(result.object, buildLastApplied(applied)), managed: result.managed };
    }
    return result;
  }

  /**
   * Kubernetes' lastAppliedManager: kubectl's first server-side apply over client-side apply
   * may take, without conflict, the fields still holding their last client-side applied value.
   */
  private applyMigratingClientSideApply(
    live: JSONObject,
    applied: JSONObject,
    managed: Managed,
    manager: string,
    force: boolean,
  ): { object: JSONObject; managed: Managed } {
    try {
      return this.applyTrackingExisting(live, applied, managed, manager, force);
    } catch (error) {
      if (manager !== "kubectl" || !(error instanceof ConflictsError)) throw error;
      const allowed = fieldsStillAsLastApplied(live, this.apiVersion, this.type);
      if (allowed === undefined) throw error;
      const remaining = error.conflicts.filter((conflict) => !allowed.has(conflict.path));
      if (remaining.length > 0) throw new ConflictsError(remaining);
      return this.applyTrackingExisting(live, applied, managed, manager, true);
    }
  }

  /** Kubernetes' skipNonApplied: an untracked object's existing fields go to "before-first-apply" first. */
  private applyTrackingExisting(
    live: JSONObject,
    applied: JSONObject,
    managed: Managed,
    manager: string,
    force: boolean,
  ): { object: JSONObject; managed: Managed } {
    let current = managed;
    if (current.fields.size === 0) {
      const empty: JSONObject = { apiVersion: applied.apiVersion ?? null, kind: applied.kind ?? null };
      current = this.update(empty, live, current, BEFORE_FIRST_APPLY);
    }
    const identifier = managerIdentifier({
      manager: manager || "unknown",
      operation: "Apply",
      subresource: this.subresource,
    });
    const previous = current.fields.get(identifier);
    const result = this.updater.apply(live, applied, this.apiVersion, current.fields, identifier, force);
    const fields = result.managers;
    strip(fields, identifier);
    const times = new Map(current.times);
    const own = fields.get(identifier);
    const ownChanged =
      own === undefined ? previous !== undefined : previous === undefined || !own.set.equals(previous.set);
    if (result.object !== undefined || (own !== undefined && ownChanged)) times.set(identifier, this.now());
    const object = result.object ?? live;
    if (fields.size === 0) {
      // Left untracked, the next apply would hand what remains to before-first-apply and so
      // change managedFields; doing it now keeps applying the same configuration a no-op.
      const empty: JSONObject = { apiVersion: applied.apiVersion ?? null, kind: applied.kind ?? null };
      return { object, managed: this.update(empty, object, { fields, times }, BEFORE_FIRST_APPLY) };
    }
    return { object, managed: { fields, times } };
  }
}

function strip(fields: ManagedFieldSets, identifier: string): void {
  const entry = fields.get(identifier);
  if (entry === undefined) return;
  const set = entry.set.difference(stripSet);
  if (set.isEmpty()) fields.delete(identifier);
  else fields.set(identifier, { ...entry, set });
}

function metadataOf(object: JSONObject): JSONObject | undefined {
  return isJSONObject(object.metadata) ? object.metadata : undefined;
}

function managedFieldsOf(object: JSONObject | null): JSONValue | undefined {
  return object === null ? undefined : metadataOf(object)?.managedFields;
}

/** A copy without metadata.managedFields, so that they never track themselves. */
function withoutManagedFields(object: JSONObject): JSONObject {
  const copy = cloneIn(object) as JSONObject;
  const metadata = metadataOf(copy);
  if (metadata !== undefined) delete metadata.managedFields;
  return copy;
}

/**
 * A copy of `object` carrying the encoded entries. metadata.managedFields keeps the place it
 * had in `template`'s metadata, so that an unchanged object serializes to the same bytes and
 * the store can skip the write.
 */
function withManagedFields(object: JSONObject, managed: Managed, template: JSONObject | null): JSONObject {
  return withEntries(toPlain(object) as JSONObject, encodeManagedFields(managed), template);
}

/** withManagedFields on a copy the caller owns, with the entries already encoded. */
function withEntries(
  copy: JSONObject,
  entries: ManagedFieldsEntry[] | undefined,
  template: JSONObject | null,
): JSONObject {
  const metadata = metadataOf(copy) ?? {};
  delete metadata.managedFields;
  if (entries === undefined) {
    if (metadataOf(copy) !== undefined) copy.metadata = metadata;
    return copy;
  }
  const order = Object.keys((template && metadataOf(template)) ?? {});
  const at = order.indexOf("managedFields");
  const before = at < 0 ? undefined : order.slice(at + 1).find((key) => Object.hasOwn(metadata, key));
  const placed: JSONObject = {};
  for (const key of Object.keys(metadata)) {
    if (key === before) placed.managedFields = entries as unknown as JSONValue;
    setOwn(placed, key, metadata[key] as JSONValue);
  }
  if (before === undefined) placed.managedFields = entries as unknown as JSONValue;
  copy.metadata = placed;
  return copy;
}

function emptyObjectLike(object: JSONObject, apiVersion: string): JSONObject {
  return {
    apiVersion: typeof object.apiVersion === "string" ? object.apiVersion : apiVersion,
    kind: object.kind ?? null,
  };
}

function decodeOrEmpty(entries: JSONValue | undefined): Managed {
  try {
    return decodeManagedFields(entries);
  } catch {
    return emptyManaged();
  }
}

/**
 * Records a non-apply write (create, update, any non-apply patch) in metadata.managedFields, as
 * Kubernetes' FieldManager.UpdateNoErrors does: the write's manager (operation Update) takes
 * every field that changed from the others; entries left empty disappear; Update entries beyond
 * the cap merge. `live` is null on create. The request's managedFields are honoured when given
 * (`[]` or `[{}]` clears them; a subresource write always keeps live's). Returns a copy of
 * `updated` with the new managedFields; on an internal failure the live managedFields are kept.
 */
export function updateManagedFields(
  live: JSONObject | null,
  updated: JSONObject,
  manager: string,
  options: FieldManagerOptions,
): JSONObject {
  let managed: Managed;
  const requested = managedFieldsOf(updated);
  if ((options.subresource ?? "") !== "") managed = decodeOrEmpty(managedFieldsOf(live));
  else if (isResetManagedFields(requested)) managed = emptyManaged();
  else {
    managed = decodeOrEmpty(requested);
    if (managed.fields.size === 0) managed = decodeOrEmpty(managedFieldsOf(live));
  }
  const template = metadataOf(updated)?.managedFields !== undefined ? updated : live;
  if (live === null && managed.fields.size === 0) {
    const created = recordCreate(updated, manager, options, template);
    if (created !== undefined) return created;
  }
  const tracker = new Tracker(options);
  const liveObject = live === null ? emptyObjectLike(updated, options.apiVersion) : withoutManagedFields(live);
  const newObject = withoutManagedFields(updated);
  // An existing object whose managedFields are empty stays untracked until its next apply.
  const isCreate = live === null || typeof metadataOf(live)?.uid !== "string" || metadataOf(live)?.uid === "";
  if (managed.fields.size === 0 && !isCreate) return withManagedFields(newObject, managed, template);
  try {
    return withManagedFields(newObject, tracker.update(liveObject, newObject, managed, manager), template);
  } catch (error) {
    if (!(error instanceof ServerSideApplyError)) throw error;
    const kept = toPlain(newObject) as JSONObject;
    const previous = managedFieldsOf(live);
    if (previous !== undefined) (metadataOf(kept) as JSONObject).managedFields = cloneIn(previous);
    return toPlain(kept) as JSONObject;
  }
}

/**
 * updateManagedFields of a create that brings no managedFields: nobody owns anything yet, so
 * the manager's entry is the object's own fields (createdFieldsV1) and no comparison is needed.
 * Undefined for the rare objects createdFieldsV1 leaves to the general path.
 */
function recordCreate(
  updated: JSONObject,
  manager: string,
  options: FieldManagerOptions,
  template: JSONObject | null,
): JSONObject | undefined {
  const copy = toPlain(updated) as JSONObject;
  const metadata = metadataOf(copy);
  if (metadata !== undefined) delete metadata.managedFields;
  let fieldsV1: JSONObject | undefined;
  try {
    fieldsV1 = createdFieldsV1(copy, rootTypeOf(options.schema), resetFieldsTree(options.resetFields));
  } catch (error) {
    // As the general path: an object it cannot track is stored without managedFields.
    if (error instanceof ServerSideApplyError) return copy;
    throw error;
  }
  if (fieldsV1 === undefined) return undefined;
  if (Object.keys(fieldsV1).length === 0) return withEntries(copy, undefined, template);
  const subresource = options.subresource ?? "";
  const clock = options.now ?? (() => new Date());
  const info = { manager: manager || "unknown", operation: "Update", apiVersion: options.apiVersion, subresource };
  const entry = managedFieldsEntry(
    info,
    { apiVersion: options.apiVersion, applied: false },
    formatTime(clock()),
    fieldsV1,
  );
  return withEntries(copy, [entry], template);
}

/**
 * Server-side apply (Kubernetes' FieldManager.Apply): merges `applied`, `manager`'s configuration,
 * into `live` (null to create), prunes what the manager stopped applying and nobody else owns,
 * and records ownership. Throws ServerSideApplyError: ApplyConflict (409, one FieldManagerConflict
 * cause per field) unless `force`; VersionMismatch, ManagedFieldsInApply (400); InvalidObject (422).
 */
export function applyServerSide(
  live: JSONObject | null,
  applied: JSONObject,
  manager: string,
  force: boolean,
  options: FieldManagerOptions,
): ApplyResult {
  const tracker = new Tracker(options);
  const appliedVersion = typeof applied.apiVersion === "string" ? applied.apiVersion : "";
  const appliedKind = typeof applied.kind === "string" ? applied.kind : "";
  if (appliedVersion !== options.apiVersion || (options.kind !== undefined && appliedKind !== options.kind)) {
    const gv = appliedVersion.includes("/") ? appliedVersion : `/${appliedVersion}`;
    throw new ServerSideApplyError("VersionMismatch", `invalid object type: ${gv}, Kind=${appliedKind}`);
  }
  const requested = managedFieldsOf(applied);
  if (requested !== undefined && requested !== null) {
    throw new ServerSideApplyError("ManagedFieldsInApply", "metadata.managedFields must be nil");
  }
  let managed: Managed;
  try {
    managed = decodeManagedFields(managedFieldsOf(live));
  } catch (error) {
    if (error instanceof ServerSideApplyError) {
      throw new ServerSideApplyError("InvalidManagedFields", `failed to decode managed fields: ${error.message}`);
    }
    throw error;
  }
  const liveObject = live === null ? emptyObjectLike(applied, options.apiVersion) : withoutManagedFields(live);
  let result: { object: JSONObject; managed: Managed };
  try {
    result = tracker.apply(liveObject, cloneIn(applied) as JSONObject, managed, manager, force);
  } catch (error) {
    if (error instanceof ConflictsError) throw applyConflictError(error.conflicts);
    throw error;
  }
  const object = withManagedFields(result.object, result.managed, live);
  // Unchanged, the live object itself is returned, byte for byte, so the write can be skipped.
  if (live !== null && jsonEqual(object, live)) return { object: toPlain(live) as JSONObject, changed: false };
  return { object, changed: true };
}

/** Kubernetes' NewConflictError: 409 with the conflicts grouped by manager in the message. */
export function applyConflictError(conflicts: readonly Conflict[]): SSAError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const only = conflicts[0] as Conflict;
    message = `Apply failed with 1 conflict: conflict with ${printManager(only.manager)}: ${pathString(only.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathString(c.path)]);
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(manager)}:`);
      for (const path of byManager.get(manager) ?? []) lines.push(`- ${path}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ServerSideApplyError("ApplyConflict", message, causes);
}

/** A manager as Kubernetes names it in conflicts: `"kubectl"`, `"ctl" using v1`, `"x" with subresource "status"`. */
function printManager(identifier: string): string {
  const info = parseIdentifier(identifier);
  if (info === undefined) return goQuote(identifier);
  let text = goQuote(info.manager);
  if (info.subresource !== "") text = `${text} with subresource ${goQuote(info.subresource)}`;
  if (info.operation === "Update") text = `${text} using ${info.apiVersion}`;
  return text;
}
