/**
 * The generic REST store (k8s registry/generic/registry/store.go): create, get, list,
 * update, delete and watch for one kind on top of a Storage backend, with the kind's
 * strategy deciding what differs. Works on objects of the storage (hub) version; the
 * endpoints convert to and from the version a client speaks.
 */
import { randomUUID } from "node:crypto";
import { formatTime, sortGoStrings } from "@apiserver-kit/merge";
import type { ReadConsistency, Storage, StoredObject, WatchHandle, WatchSink } from "@apiserver-kit/storage";
import { type FieldError, fieldErrors, RawBadValue, StatusError } from "../api/errors.js";
import type { DeleteOptionsBody, KubeObject, ObjectMeta, UserInfo } from "../api/meta.js";
import type { ApiResource } from "../model/api-model.js";
import type { StrategyContext } from "../model/resource.js";
import { evaluateJSONPath } from "../schema/jsonpath.js";
import type { FieldSelector } from "../selectors/fields.js";
import { matchesFields } from "../selectors/fields.js";
import type { LabelSelector } from "../selectors/labels.js";
import {
  FOREGROUND_FINALIZER,
  finalizerWarnings,
  goStrings,
  ORPHAN_FINALIZER,
  validateObjectMeta,
} from "../validation/object-meta.js";
import { decodeContinue, encodeContinue, LATEST } from "./continue-token.js";
import { decodeStored, storedToHub } from "./conversion.js";
import { cloneObject, deepEqualJSON, omitEmptyMetadata, scopeToSubresource } from "./objects.js";
import { storageErrorToStatus } from "./storage-errors.js";

/** What a store operation knows about the request it serves. */
export interface RequestContext {
  user: UserInfo;
  /** The namespace from the URL ("" for cluster-scoped or all namespaces). */
  namespace: string;
  /** The subresource being written ("" for the main resource). */
  subresource: string;
  dryRun: boolean;
  /** Warnings to return in `Warning` headers. */
  warnings: string[];
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ListQuery {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
  consistency?: ReadConsistency;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

/** Runs after the strategy on the object about to be stored (validating admission); throws to refuse. */
export type ValidationHook = (object: KubeObject, old: KubeObject | null) => Promise<void>;

/** Computes the new object from the current one (PUT: the body; PATCH: the patched current). */
export type UpdatedObjectInfo = (current: KubeObject | null) => KubeObject | Promise<KubeObject>;

export interface UpdateResult {
  object: KubeObject;
  created: boolean;
  /** The update removed the last finalizer of an object being deleted, which is now gone. */
  deleted?: boolean;
}

export interface DeleteResult {
  /** The object's last state (deleted), or its state with deletionTimestamp (finalizers pending). */
  object: KubeObject;
  deleted: boolean;
}

const generateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/** etcd3's 410 for a continue token whose revision was compacted (storage/etcd3 inconsistentContinue). */
const INCONSISTENT_CONTINUE =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/** names.SimpleNameGenerator: at most 58 characters of the prefix and 5 random ones, so the name fits 63. */
function generateName(prefix: string): string {
  let s = prefix.slice(0, 58);
  for (let i = 0; i < 5; i++) s += generateNameAlphabet[Math.floor(Math.random() * generateNameAlphabet.length)];
  return s;
}

/** Whether a create takes its name from `generateName` (no name given). */
function generatesName(meta: ObjectMeta | undefined): meta is ObjectMeta & { generateName: string } {
  return !meta?.name && typeof meta?.generateName === "string" && meta.generateName !== "";
}

/** Everything but metadata and status: what a generation bump looks at. */
function specPart(object: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

export { FOREGROUND_FINALIZER, ORPHAN_FINALIZER };

export interface GenericStoreOptions {
  /** A garbage collector removes `orphan` / `foregroundDeletion` (default true); false: deletes add neither. */
  garbageCollection?: boolean;
}

/**
 * The finalizers an object keeps when deleted with `options`, as kube-apiserver's
 * deletionFinalizersForGarbageCollection decides them for a kind with no default policy (a
 * custom resource's): both garbage-collector finalizers are taken out, then `orphan` goes back
 * for orphanDependents=true, propagationPolicy=Orphan or, with neither given, when the object
 * had it; `foregroundDeletion` for Foreground or, with neither given, when the object had it
 * (and not orphan before it). Background, or orphanDependents=false, leaves neither. The same
 * set as before keeps the object's order.
 */
export function deletionFinalizers(existing: readonly string[], options: DeleteOptionsBody): string[] {
  const policy = options.orphanDependents !== undefined ? undefined : options.propagationPolicy;
  // With no policy, the object's own first garbage-collector finalizer decides.
  const own = existing.find((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_FINALIZER);
  const orphan =
    options.orphanDependents !== undefined
      ? options.orphanDependents
      : policy !== undefined
        ? policy === "Orphan"
        : own === ORPHAN_FINALIZER;
  const foreground =
    options.orphanDependents !== undefined
      ? false
      : policy !== undefined
        ? policy === "Foreground"
        : own === FOREGROUND_FINALIZER;
  const kept = existing.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) kept.push(ORPHAN_FINALIZER);
  if (foreground) kept.push(FOREGROUND_FINALIZER);
  // The same set: unchanged, in the object's order.
  const same = kept.length === existing.length && kept.every((f) => existing.includes(f));
  return same ? [...existing] : kept;
}

export class GenericStore {
  constructor(
    readonly resource: ApiResource,
    readonly storage: Storage,
    private readonly clock: Clock = systemClock,
    private readonly options: GenericStoreOptions = {},
  ) {}

  private key(ctx: RequestContext, name: string): string {
    return this.resource.key(ctx.namespace, name);
  }

  private strategyContext(ctx: RequestContext): StrategyContext {
    return { user: ctx.user, namespace: ctx.namespace, subresource: ctx.subresource, dryRun: ctx.dryRun };
  }

  private fail(error: unknown, name: string): never {
    throw storageErrorToStatus(error, this.resource.groupResource, name);
  }

  private invalid(name: string, errors: FieldError[]): StatusError {
    return StatusError.invalid({ group: this.resource.group, kind: this.resource.kind }, name, errors);
  }

  async get(ctx: RequestContext, name: string, consistency?: ReadConsistency): Promise<KubeObject> {
    let object: StoredObject | null;
    try {
      object = await this.storage.get(this.key(ctx, name), consistency ? { consistency } : {});
    } catch (error) {
      this.fail(error, name);
    }
    return this.found(object, name);
  }

  /**
   * `get` answered synchronously when the storage can (a fresh watch cache, see
   * Storage.getNow); undefined means "call get". The same object, the same errors.
   */
  getNow(ctx: RequestContext, name: string, consistency?: ReadConsistency): KubeObject | undefined {
    const { storage } = this;
    if (!storage.getNow) return undefined;
    let object: StoredObject | null | undefined;
    try {
      object = storage.getNow(this.key(ctx, name), consistency ? { consistency } : {});
    } catch (error) {
      this.fail(error, name);
    }
    return object === undefined ? undefined : this.found(object, name);
  }

  private found(object: StoredObject | null, name: string): KubeObject {
    if (!object) throw StatusError.notFound(this.resource.groupResource, name);
    return storedToHub(this.resource, object as KubeObject);
  }

  /** The predicate for label and field selectors; throws 400 for fields this kind can't select on. */
  predicate(labelSelector?: LabelSelector, fieldSelector?: FieldSelector): ((o: StoredObject) => boolean) | undefined {
    const labels = labelSelector && !labelSelector.empty ? labelSelector : undefined;
    const fields = fieldSelector && !fieldSelector.empty ? fieldSelector : undefined;
    if (fields) {
      const selectable = new Set(this.selectableFields());
      for (const r of fields.requirements) {
        if (!selectable.has(r.field)) {
          throw StatusError.badRequest(`field label not supported: ${r.field}`);
        }
      }
    }
    if (!labels && !fields) return undefined;
    return (object) => {
      const kube = object as KubeObject;
      if (labels && !labels.matches(kube.metadata?.labels)) return false;
      if (fields && !matchesFields(fields, (field) => this.fieldValue(kube, field))) return false;
      return true;
    };
  }

  /** metadata.name, metadata.namespace for a namespaced kind only (as for a CRD), the declared ones. */
  selectableFields(): string[] {
    const declared = this.resource.hub.definition.selectableFields ?? [];
    const metadata = this.resource.namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"];
    return [...metadata, ...declared.map((f) => f.jsonPath.replace(/^\./, ""))];
  }

  private fieldValue(object: KubeObject, field: string): string {
    if (field === "metadata.name") return object.metadata?.name ?? "";
    if (field === "metadata.namespace") return object.metadata?.namespace ?? "";
    const [value] = evaluateJSONPath(`.${field}`, object);
    if (value === undefined || value === null) return "";
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  async list(ctx: RequestContext, query: ListQuery): Promise<ListPage> {
    const prefix = this.resource.keyPrefix(ctx.namespace);
    const predicate = this.predicate(query.labelSelector, query.fieldSelector);
    const continueFrom = query.continueToken ? decodeContinue(query.continueToken, prefix) : undefined;
    try {
      const resource = this.resource;
      const result = await this.storage.list(prefix, {
        ...(query.consistency ? { consistency: query.consistency } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
        ...(continueFrom ? { continueFrom } : {}),
        ...(predicate
          ? { predicate: (o: StoredObject) => predicate(storedToHub(resource, o as KubeObject) as StoredObject) }
          : {}),
      });
      const page: ListPage = {
        items: result.items.map((item) => storedToHub(this.resource, item as KubeObject)),
        resourceVersion: String(result.revision),
      };
      if (result.continueFrom) page.continueToken = encodeContinue(result.continueFrom, prefix);
      if (result.remainingItemCount !== undefined) page.remainingItemCount = result.remainingItemCount;
      return page;
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      if (continueFrom && code === "Expired") {
        // As etcd3's handleCompactedErrorForPaging: the same start at rv -1 lists the rest as it is now.
        const inconsistent = encodeContinue({ key: continueFrom.key, revision: LATEST }, prefix);
        throw StatusError.expired(INCONSISTENT_CONTINUE, inconsistent);
      }
      // etcd3's interpretListError for a list at a compacted revision: the storage's "too old
      // resource version" is the watch cache's wording, for watches.
      if (code === "Expired" && message?.startsWith("too old resource version")) {
        throw StatusError.expired("The resourceVersion for the provided list is too old.");
      }
      this.fail(error, "");
    }
  }

  /** Fills server-managed metadata and checks a new object; returns it ready to store. */
  private beforeCreate(ctx: RequestContext, object: KubeObject): KubeObject {
    const meta: ObjectMeta = { ...object.metadata };
    object.metadata = meta;
    if (this.resource.namespaced) meta.namespace = ctx.namespace;
    else delete meta.namespace;
    // Clients can't set what the server owns.
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.selfLink;
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime(this.clock.now());
    meta.generation = 1;
    // As early as the generic store does it: validation sees (and reports) the generated name.
    if (generatesName(meta)) meta.name = generateName(meta.generateName);
    const strategy = this.resource.definition.strategy;
    if (this.resource.hub.hasStatus) delete object.status;
    strategy?.prepareForCreate?.(object, this.strategyContext(ctx));
    strategy?.default?.(object);
    // What admission or the strategy emptied is not stored, as encoding the typed ObjectMeta drops it.
    omitEmptyMetadata(object);
    const errors = validateObjectMeta(object.metadata, {
      namespaced: this.resource.namespaced,
      ...(strategy?.validateName ? { validateName: strategy.validateName } : {}),
    });
    errors.push(...(strategy?.validate?.(object, this.strategyContext(ctx)) ?? []));
    if (errors.length > 0) throw this.invalid(object.metadata?.name || meta.generateName || "", errors);
    ctx.warnings.push(...finalizerWarnings(object.metadata?.finalizers));
    return object;
  }

  /** Creates an object (a private hub-version copy the store may change). */
  async create(ctx: RequestContext, input: KubeObject, validate?: ValidationHook): Promise<KubeObject> {
    const generate = generatesName(input.metadata);
    const object = this.beforeCreate(ctx, input);
    const meta = object.metadata as ObjectMeta;
    await validate?.(object, null);
    for (let attempt = 0; ; attempt++) {
      if (generate && attempt > 0) meta.name = generateName(meta.generateName as string);
      const name = meta.name as string;
      const key = this.key(ctx, name);
      try {
        if (ctx.dryRun) {
          if (await this.storage.get(key)) throw StatusError.alreadyExists(this.resource.groupResource, name);
          return object;
        }
        return (await this.storage.create(key, object as StoredObject)) as KubeObject;
      } catch (error) {
        const exists =
          error instanceof StatusError
            ? error.reason === "AlreadyExists"
            : (error as { code?: string }).code === "KeyExists";
        if (generate && exists && attempt < 8) continue;
        this.fail(error, name);
      }
    }
  }

  /**
   * Updates (or, when allowed, creates) an object. `objectInfo` computes the desired hub
   * object from the current one; the store applies resourceVersion and uid checks,
   * managed metadata, the strategy, generation and finalizer rules.
   */
  async update(
    ctx: RequestContext,
    name: string,
    objectInfo: UpdatedObjectInfo,
    options: { forceAllowCreate?: boolean; validate?: ValidationHook } = {},
  ): Promise<UpdateResult> {
    const strategy = this.resource.definition.strategy;
    const key = this.key(ctx, name);
    let created = false;
    const tryUpdate = async (current: StoredObject | null): Promise<StoredObject> => {
      created = false;
      const existing = current ? decodeStored(this.resource, current as KubeObject) : null;
      const desired = await objectInfo(existing);
      const meta: ObjectMeta = { ...desired.metadata };
      desired.metadata = meta;
      if (meta.name !== undefined && meta.name !== name) {
        throw StatusError.badRequest(
          `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
        );
      }
      meta.name = name;
      if (!existing) {
        if (!(strategy?.allowCreateOnUpdate || options.forceAllowCreate))
          throw StatusError.notFound(this.resource.groupResource, name);
        created = true;
        const fresh = this.beforeCreate(ctx, desired);
        await options.validate?.(fresh, null);
        return fresh as StoredObject;
      }
      const oldMeta = existing.metadata as ObjectMeta;
      if (!meta.resourceVersion) {
        if (!strategy?.allowUnconditionalUpdate) {
          // Kubernetes' generic store names the resource here, not the kind (registry/store.go Update).
          const { group, resource } = this.resource.groupResource;
          throw StatusError.invalid({ group, kind: resource }, name, [
            fieldErrors.invalid("metadata.resourceVersion", omitZero, "must be specified for an update"),
          ]);
        }
      } else if (!/^\d{1,20}$/.test(String(meta.resourceVersion))) {
        throw this.invalid(name, [
          fieldErrors.invalid("metadata.resourceVersion", meta.resourceVersion, "must be a decimal unsigned integer"),
        ]);
      } else if (meta.resourceVersion !== oldMeta.resourceVersion) {
        throw StatusError.modified(this.resource.groupResource, name);
      }
      if (meta.uid && meta.uid !== oldMeta.uid) {
        throw StatusError.conflict(
          this.resource.groupResource,
          name,
          `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${oldMeta.uid}`,
        );
      }
      // Fields only the server sets keep their stored values.
      meta.uid = oldMeta.uid as string;
      meta.creationTimestamp = oldMeta.creationTimestamp as string;
      meta.generation = oldMeta.generation ?? 1;
      if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
      else delete meta.deletionTimestamp;
      if (oldMeta.deletionGracePeriodSeconds !== undefined)
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      else delete meta.deletionGracePeriodSeconds;
      if (this.resource.namespaced) meta.namespace = ctx.namespace;
      else delete meta.namespace;
      delete meta.selfLink;

      const next = scopeToSubresource(ctx.subresource, this.resource.hub.hasStatus, desired, existing);
      // A status write keeps the stored metadata but records itself in managedFields.
      if (ctx.subresource === "status") {
        const nextMeta = next.metadata as ObjectMeta;
        if (meta.managedFields === undefined) delete nextMeta.managedFields;
        else nextMeta.managedFields = meta.managedFields;
      }
      strategy?.prepareForUpdate?.(next, existing, this.strategyContext(ctx));
      strategy?.default?.(next);
      omitEmptyMetadata(next);
      if (!deepEqualJSON(specPart(next), specPart(existing))) {
        (next.metadata as ObjectMeta).generation = (oldMeta.generation ?? 1) + 1;
      }
      const errors = validateObjectMeta(next.metadata, {
        namespaced: this.resource.namespaced,
        ...(strategy?.validateName ? { validateName: strategy.validateName } : {}),
      });
      if (oldMeta.deletionTimestamp) errors.push(...noNewFinalizers(oldMeta, next.metadata as ObjectMeta));
      errors.push(
        ...(strategy?.validateUpdate?.(next, existing, this.strategyContext(ctx)) ??
          strategy?.validate?.(next, this.strategyContext(ctx)) ??
          []),
      );
      if (errors.length > 0) throw this.invalid(name, errors);
      // The finalizers an update adds (a status write changes none: apiextensions' status strategy has no warnings).
      if (ctx.subresource === "") {
        ctx.warnings.push(...finalizerWarnings(next.metadata?.finalizers, oldMeta.finalizers));
      }
      await options.validate?.(next, existing);
      const nextMeta = next.metadata as ObjectMeta;
      // The last finalizer left an object being deleted: it goes now, without an update.
      if (nextMeta.deletionTimestamp && (nextMeta.finalizers?.length ?? 0) === 0) {
        throw new EmptiedFinalizers(oldMeta.resourceVersion as string, next);
      }
      delete nextMeta.resourceVersion;
      return next as StoredObject;
    };

    for (;;) {
      try {
        if (ctx.dryRun) {
          const current = await this.storage.get(key);
          const next = await tryUpdate(current);
          // Nothing is stored: the object keeps the revision it was read at (kubectl diff compares it).
          const revision = (current?.metadata as ObjectMeta | undefined)?.resourceVersion;
          if (revision) (next.metadata as ObjectMeta).resourceVersion = revision;
          return { object: next as KubeObject, created };
        }
        const stored = (await this.storage.guaranteedUpdate(key, tryUpdate, {
          allowCreate: !!(strategy?.allowCreateOnUpdate || options.forceAllowCreate),
        })) as KubeObject;
        return { object: stored, created };
      } catch (error) {
        if (error instanceof EmptiedFinalizers) {
          if (ctx.dryRun) return { object: error.object, created: false, deleted: true };
          try {
            const deleted = await this.storage.delete(key, {
              preconditions: { resourceVersion: error.resourceVersion },
            });
            return { object: deleted as KubeObject, created: false, deleted: true };
          } catch (deleteError) {
            // Changed since we read it: compute the update again.
            if ((deleteError as { code?: string }).code === "Conflict") continue;
            this.fail(deleteError, name);
          }
        }
        this.fail(error, name);
      }
    }
  }

  async delete(
    ctx: RequestContext,
    name: string,
    options: DeleteOptionsBody = {},
    validate?: (existing: KubeObject) => Promise<void>,
  ): Promise<DeleteResult> {
    const key = this.key(ctx, name);
    const preconditions = options.preconditions ?? {};
    const now = formatTime(this.clock.now());
    const collected = this.options.garbageCollection !== false;
    try {
      for (;;) {
        const stored = (await this.storage.get(key)) as KubeObject | null;
        if (!stored) throw StatusError.notFound(this.resource.groupResource, name);
        const existing = decodeStored(this.resource, stored);
        const meta = existing.metadata as ObjectMeta;
        if (preconditions.uid && preconditions.uid !== meta.uid) {
          throw StatusError.conflict(
            this.resource.groupResource,
            name,
            `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${meta.uid}`,
          );
        }
        if (preconditions.resourceVersion && preconditions.resourceVersion !== meta.resourceVersion) {
          throw StatusError.conflict(
            this.resource.groupResource,
            name,
            `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
          );
        }
        await validate?.(existing);
        const finalizers = collected
          ? deletionFinalizers(meta.finalizers ?? [], options)
          : [...(meta.finalizers ?? [])];
        if (finalizers.length === 0) {
          if (ctx.dryRun) return { object: existing, deleted: true };
          try {
            const deleted = await this.storage.delete(key, {
              preconditions: { resourceVersion: meta.resourceVersion as string },
            });
            return { object: deleted as KubeObject, deleted: true };
          } catch (error) {
            // Written since it was read: read it again and decide again (the caller's own
            // preconditions then answer the conflict), as kube-apiserver's conditional delete does.
            if ((error as { code?: string }).code === "Conflict") continue;
            throw error;
          }
        }
        // Finalizers pending: mark for deletion and keep the object until they are gone.
        const marked = cloneObject(existing);
        const markedMeta = marked.metadata as ObjectMeta;
        markedMeta.finalizers = finalizers;
        if (!markedMeta.deletionTimestamp) {
          markedMeta.deletionTimestamp = now;
          markedMeta.deletionGracePeriodSeconds = 0;
          markedMeta.generation = (markedMeta.generation ?? 1) + 1;
        }
        if (ctx.dryRun) return { object: marked, deleted: false };
        try {
          const updated = await this.storage.guaranteedUpdate(
            key,
            (current) => {
              if (current?.metadata?.resourceVersion !== meta.resourceVersion) throw new RetryDelete();
              const { resourceVersion: _rv, ...rest } = markedMeta;
              return { ...marked, metadata: rest } as StoredObject;
            },
            { preconditions: { resourceVersion: meta.resourceVersion as string } },
          );
          return { object: updated as KubeObject, deleted: false };
        } catch (error) {
          if (error instanceof RetryDelete || (error as { code?: string }).code === "Conflict") continue;
          throw error;
        }
      }
    } catch (error) {
      this.fail(error, name);
    }
  }

  /** Watches from a revision; events carry hub-version objects. */
  watch(
    ctx: RequestContext,
    fromRevision: number,
    predicate: ((o: StoredObject) => boolean) | undefined,
    sink: WatchSink,
  ): WatchHandle {
    const resource = this.resource;
    const toHub = (o: StoredObject) => storedToHub(resource, o as KubeObject) as StoredObject;
    return this.storage.watch(
      this.resource.keyPrefix(ctx.namespace),
      { fromRevision, ...(predicate ? { predicate: (o) => predicate(toHub(o)) } : {}), progressNotify: true },
      {
        event: (event) => {
          if (event.type === "BOOKMARK") return sink.event(event);
          return sink.event({
            ...event,
            object: toHub(event.object),
            ...(event.prevObject ? { prevObject: toHub(event.prevObject) } : {}),
          });
        },
        error: (error) => sink.error(error),
      },
    );
  }
}

/** An object being deleted may lose finalizers but gain none (apimachinery's ValidateNoNewFinalizers). */
function noNewFinalizers(oldMeta: ObjectMeta, meta: ObjectMeta): FieldError[] {
  const old = new Set(oldMeta.finalizers ?? []);
  const added = sortGoStrings([...new Set((meta.finalizers ?? []).filter((f) => !old.has(f)))]);
  if (added.length === 0) return [];
  return [
    fieldErrors.forbidden(
      "metadata.finalizers",
      `no new finalizers can be added if the object is being deleted, found new finalizers ${goStrings(added)}`,
    ),
  ];
}

class RetryDelete extends Error {}

/** Raised inside an update that empties the finalizers of an object being deleted. */
class EmptiedFinalizers extends Error {
  constructor(
    readonly resourceVersion: string,
    readonly object: KubeObject,
  ) {
    super("finalizers emptied");
  }
}

/** Kubernetes prints the missing resourceVersion as 0x0. */
const omitZero = new RawBadValue("0x0");
