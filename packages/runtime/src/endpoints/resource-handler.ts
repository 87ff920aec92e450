/**
 * REST handlers for one resource: get, list, watch, create, update, patch, delete,
 * deletecollection, and the status and scale subresources (k8s endpoints/handlers).
 * Objects arrive and leave in the version of the URL; the store sees the hub version.
 */

import type { ServerResponse } from "node:http";
import { applyStrategicMergePatch, type FieldManagerOptions, isStrategicMergePatchError } from "@apiserver-kit/merge";
import type { StoredObject } from "@apiserver-kit/storage";
import {
  type AdmissionAttributes,
  AdmissionChain,
  type AdmissionContext,
  type AdmissionOperation,
} from "../admission/admission.js";
import { type FieldError, fieldErrorMessage, fieldErrors, StatusError, successStatus } from "../api/errors.js";
import type { KubeObject, ListMeta, ObjectMeta, UserInfo } from "../api/meta.js";
import type { ResourceVersion } from "../model/api-model.js";
import type { CustomSubresource, ResourceVerb, SubresourceContext } from "../model/resource.js";
import type { JSONSchemaProps } from "../model/schema.js";
import { applyJSONPatch, applyMergePatch, decodeJSONPatch, jsonPatchSource, PatchError } from "../patch/json-patch.js";
import { fromHub, toHub } from "../registry/conversion.js";
import type { Clock, GenericStore, RequestContext, ValidationHook } from "../registry/generic-store.js";
import { systemClock } from "../registry/generic-store.js";
import { cloneObject, scopeToSubresource } from "../registry/objects.js";
import type { RequestInfo } from "../request/request-info.js";
import { evaluateJSONPath, setJSONPath } from "../schema/jsonpath.js";
import { applyDefaults, needsDefaults } from "../schema/structural.js";
import { formatLabelSelector, fromLabelSelectorObject, parseLabelSelector } from "../selectors/labels.js";
import { type HttpRequest, type HttpResponse, readBody, setWarnings, writeBody } from "../server/http.js";
import {
  attachStrictDecodingProblems,
  decodeObjectBody,
  encode,
  isJSONBody,
  joinJSON,
  keepStrictDecodingProblems,
  parseJSONBody,
  patchType,
} from "./codec.js";
import { numberLiteralAt } from "./json-duplicates.js";
import {
  checkApplyManager,
  checkRepeatedApplyKeys,
  decodeApplyPatch,
  fieldManagerOptions,
  forceWithoutApply,
  prepareApplyConfig,
  serverSideApply,
  trackWrite,
  writeManager,
} from "./managed-fields.js";
import {
  type Negotiated,
  negotiate,
  partialObjectMetadataListOfObject,
  partialObjectMetadataOfList,
  SERVED_STREAM_MEDIA_TYPES,
} from "./negotiation.js";
import {
  checkActionRequest,
  checkStrictDecoding,
  checkTypeMeta,
  invalid,
  normalizeObject,
  scaleErrors,
  validateAgainstSchema,
} from "./object-pipeline.js";
import {
  type FieldValidation,
  type ListOptions,
  parseDeleteOptions,
  parseListOptions,
  parseResourceVersion,
  parseWriteOptions,
  type WriteOptions,
} from "./options.js";
import { dedupOwnerReferences } from "./owner-references.js";
import {
  goUnmarshalTypeError,
  type PatchKind,
  patchBodyProblems,
  patchedObjectDecodeError,
  patchRefusal,
} from "./patch-strict.js";
import { decodeScale, type NumberSpelling } from "./scale-decoding.js";
import { parseDeclaredParameters } from "./subresource-parameters.js";
import { type IncludeObject, partialObjectMetadata, TableConvertor } from "./table.js";
import { defaultWatchStreamConfig, RawJSON, WatchStream, type WatchStreamConfig } from "./watch-stream.js";

/** A patch body as read: how it applies, what strict decoding says of it, and how Strict refuses. */
interface ReadPatch {
  kind: PatchKind;
  apply: (current: KubeObject) => KubeObject;
  problems: readonly string[];
  refuse: (message: string, written: KubeObject) => StatusError;
  /** How the result's JSON, as Go has it, writes a number the patch put there (the patch's own text). */
  spelled: NumberSpelling;
}

export interface ResourceRequest {
  req: HttpRequest;
  res: HttpResponse;
  info: RequestInfo;
  query: URLSearchParams;
  user: UserInfo;
  version: ResourceVersion;
}

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** Patch content types this server implements (OpenAPI advertises exactly these). */
export const SUPPORTED_PATCH_TYPES: readonly string[] = [
  PATCH_TYPES.json,
  PATCH_TYPES.merge,
  PATCH_TYPES.strategic,
  PATCH_TYPES.apply,
];

export interface ResourceHandlerOptions {
  watch?: Partial<WatchStreamConfig>;
  /** Default watch timeout range in seconds when a client gives none (Kubernetes: 30–60 min). */
  minRequestTimeoutSeconds?: number;
}

const includeObjectValues = new Set(["None", "Metadata", "Object"]);

const noListers: AdmissionContext = {
  lister: (group, resource) => {
    throw new Error(`no lister for ${resource}.${group}: admission plugins need the server's listers`);
  },
};

export class ResourceHandler {
  private readonly tables = new Map<string, TableConvertor>();
  private readonly fieldManagers = new Map<string, FieldManagerOptions>();
  private readonly encoded = new WeakMap<object, Map<string, string>>();
  private readonly watchConfig: WatchStreamConfig;
  private readonly minRequestTimeoutSeconds: number;

  constructor(
    readonly store: GenericStore,
    options: ResourceHandlerOptions = {},
    private readonly clock: Clock = systemClock,
    private readonly admission: AdmissionChain = new AdmissionChain([], noListers),
  ) {
    this.watchConfig = { ...defaultWatchStreamConfig, ...options.watch };
    this.minRequestTimeoutSeconds = options.minRequestTimeoutSeconds ?? 1800;
  }

  private get resource() {
    return this.store.resource;
  }

  /**
   * Serves one request. A GET that memory answers at once (see GenericStore.getNow) is
   * written before this returns, without a promise; everything else continues in the promise.
   * Errors may be thrown synchronously or reject the promise: the caller handles both.
   */
  handle(r: ResourceRequest): void | Promise<void> {
    const { info } = r;
    // Cluster-scoped kinds have no namespaced paths; namespaced kinds only list and watch across namespaces.
    if (this.resource.namespaced ? !info.namespace && info.verb !== "list" && info.verb !== "watch" : info.namespace) {
      throw this.notFoundPath();
    }
    const sub = info.subresource;
    if (sub === "status") {
      if (!this.resource.hub.hasStatus || !r.version.hasStatus) throw this.notFoundPath();
      return this.handleMain(r, "status");
    }
    if (sub === "scale") {
      if (!r.version.definition.subresources?.scale) throw this.notFoundPath();
      return this.handleScale(r);
    }
    if (sub !== "") {
      const custom = this.resource.definition.customSubresources?.find((c) => c.name === sub);
      if (!custom || !info.name) throw this.notFoundPath();
      return this.handleCustom(r, custom);
    }
    if (!this.resource.verbs.includes(info.verb as ResourceVerb)) throw this.methodNotAllowed(r);
    return this.handleMain(r, "");
  }

  /** Actions, reads and streams a kind declares beside status and scale. */
  private async handleCustom(r: ResourceRequest, sub: CustomSubresource): Promise<void> {
    const expected = sub.type === "action" ? "create" : "get";
    if (r.info.verb !== expected) throw this.methodNotAllowed(r);
    const controller = new AbortController();
    r.res.on("close", () => controller.abort());
    let body: unknown;
    const warnings: string[] = [];
    if (sub.type === "action") {
      const options = parseWriteOptions(r.query, "CreateOptions");
      // An action does what it does: it cannot pretend to.
      if (options.dryRun)
        throw StatusError.badRequest(`dryRun is not supported by the ${JSON.stringify(sub.name)} subresource`);
      const raw = await readBody(r.req);
      body = raw.length === 0 ? undefined : decodeObjectBody(raw, r.req.headers["content-type"]);
      const request = this.resource.actionRequests.get(sub.name);
      if (request) {
        const decoded = (body ?? {}) as Record<string, unknown>;
        body = checkActionRequest(request, decoded, options.fieldValidation, warnings, r.info.name);
      }
    }
    const object = await this.store.get(this.context(r, sub.name), r.info.name);
    const context: SubresourceContext = {
      user: r.user,
      namespace: r.info.namespace,
      name: r.info.name,
      object,
      signal: controller.signal,
      update: async (mutate, options = {}) => {
        const ctx = this.context(r, options.subresource ?? "");
        const result = await this.store.update(ctx, r.info.name, (current) => {
          if (!current) throw StatusError.notFound(this.resource.groupResource, r.info.name);
          const next = cloneObject(current);
          mutate(next);
          return next;
        });
        return result.object;
      },
    };
    if (sub.type === "action") {
      const result = this.customAnswer(r, stampKind(await sub.handle(context, body), sub.responseKind));
      setWarnings(r.res, warnings);
      writeBody(r.res, 201, "application/json", JSON.stringify(result ?? successStatus({ name: r.info.name })));
      return;
    }
    const options = sub.parseOptions
      ? sub.parseOptions(r.query)
      : sub.parameters
        ? parseDeclaredParameters(sub.parameters, r.query)
        : Object.fromEntries(r.query);
    if (sub.type === "read") {
      const result = this.customAnswer(r, stampKind(await sub.handle(context, options), sub.responseKind));
      writeBody(r.res, 200, "application/json", JSON.stringify(result));
      return;
    }
    const { res } = r;
    // The 200 goes out with the first chunk, or once the handler has run to its first wait for
    // I/O: a handler that refuses its request first (a StatusError thrown at its start, e.g. on
    // an option out of range) gets its Status answered instead of a 200 and an empty stream.
    let opened = false;
    const open = () => {
      if (opened || res.headersSent || res.destroyed) return;
      opened = true;
      res.statusCode = 200;
      res.setHeader("Content-Type", sub.contentType ?? "text/plain; charset=utf-8");
      res.setHeader("Cache-Control", "no-cache, private");
      if ("flushHeaders" in res) res.flushHeaders();
      else res.writeHead(200);
    };
    const opening = setImmediate(open);
    const write = (chunk: string): Promise<void> =>
      new Promise((resolve) => {
        open();
        if (controller.signal.aborted || res.writableEnded || res.destroyed) return resolve();
        if ((res as ServerResponse).write(chunk)) return resolve();
        // Wait for the socket to drain, or for the client to leave.
        const done = () => {
          res.off("drain", done);
          controller.signal.removeEventListener("abort", done);
          resolve();
        };
        res.once("drain", done);
        controller.signal.addEventListener("abort", done, { once: true });
      });
    try {
      await sub.handle(context, options, write);
      open();
    } finally {
      clearImmediate(opening);
      if (opened && !res.writableEnded && !res.destroyed) res.end();
    }
  }

  private notFoundPath(): StatusError {
    return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
  }

  private context(r: ResourceRequest, subresource: string, dryRun = false): RequestContext {
    return { user: r.user, namespace: r.info.namespace, subresource, dryRun, warnings: [] };
  }

  private handleMain(r: ResourceRequest, subresource: string): void | Promise<void> {
    const verb = r.info.verb;
    if (subresource === "status" && !["get", "update", "patch"].includes(verb)) throw this.methodNotAllowed(r);
    switch (verb) {
      case "get":
        return this.get(r);
      case "list":
        return this.list(r);
      case "watch":
        return this.watch(r);
      case "create":
        if (r.info.name) throw this.methodNotAllowed(r);
        return this.create(r);
      case "update":
      case "patch":
        // PUT or PATCH of the collection's URL: the handlers' errEmptyName.
        if (!r.info.name) throw StatusError.badRequest("name must be provided");
        return verb === "update" ? this.update(r, subresource) : this.patch(r, subresource);
      case "delete":
        return this.delete(r);
      case "deletecollection":
        return this.deleteCollection(r);
      default:
        throw this.methodNotAllowed(r);
    }
  }

  private methodNotAllowed(r: ResourceRequest): StatusError {
    return new StatusError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`, {
      group: this.resource.group,
      kind: this.resource.plural,
      ...(r.info.name ? { name: r.info.name } : {}),
    });
  }

  private table(version: ResourceVersion): TableConvertor {
    let t = this.tables.get(version.name);
    if (!t) {
      t = new TableConvertor(version.definition.additionalPrinterColumns);
      this.tables.set(version.name, t);
    }
    return t;
  }

  /**
   * What an action or read handler returned, as the client gets it: an object of this kind (handlers
   * get and update hub objects) in the version the request named, with read-time defaults, as any
   * other read answers it; anything else as it is.
   */
  private customAnswer(r: ResourceRequest, result: unknown): unknown {
    if (typeof result !== "object" || result === null || Array.isArray(result)) return result;
    const object = result as KubeObject;
    if (object.kind !== this.resource.kind || object.apiVersion !== this.resource.hub.apiVersion) return result;
    return this.toVersion(r.version, object);
  }

  /** A hub object as the client's version, with read-time defaults (as CRDs apply them). */
  private toVersion(version: ResourceVersion, hubObject: KubeObject): KubeObject {
    const converted = fromHub(this.resource, version, hubObject);
    // Objects written since the schema's defaults last changed already have them: no copy.
    if (!hasDefaults(version) || !needsDefaults(converted, version.schema)) return converted;
    const copy = converted === hubObject ? cloneObject(converted) : converted;
    applyDefaults(copy, version.schema);
    return copy;
  }

  /**
   * The JSON text of a hub object in `version`, memoized per stored object: objects from
   * storage are immutable and shared, so a GET, a list item and a watch event of the same
   * revision are serialized once.
   */
  private jsonOf(version: ResourceVersion, hubObject: KubeObject): string {
    let perVersion = this.encoded.get(hubObject);
    const hit = perVersion?.get(version.name);
    if (hit !== undefined) return hit;
    const json = JSON.stringify(this.toVersion(version, hubObject));
    if (!perVersion) {
      perVersion = new Map();
      this.encoded.set(hubObject, perVersion);
    }
    perVersion.set(version.name, json);
    return json;
  }

  /** TableOptions.includeObject, validated as apiserver's optionsForTransform does ("" is Metadata). */
  private includeObject(r: ResourceRequest): IncludeObject {
    const value = r.query.get("includeObject") || "Metadata";
    if (!includeObjectValues.has(value)) {
      const error = fieldErrors.invalid("includeObject", value, "must be 'Metadata', 'Object', 'None', or empty");
      throw StatusError.badRequest(`Unable to convert to Table as requested: ${fieldErrorMessage(error)}`);
    }
    return value as IncludeObject;
  }

  private writeObject(
    r: ResourceRequest,
    code: number,
    object: KubeObject,
    negotiated: Negotiated,
    warnings: string[] = [],
  ): void {
    let body: unknown;
    switch (negotiated.target) {
      case "Table":
        body = this.table(r.version).table(
          [object],
          this.includeObject(r),
          this.clock.now(),
          { ...(object.metadata?.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}) },
          true,
          negotiated.metaAPIVersion,
        );
        break;
      case "PartialObjectMetadata":
        body = partialObjectMetadata(object, negotiated.metaAPIVersion);
        break;
      case "PartialObjectMetadataList":
        throw partialObjectMetadataListOfObject();
      default:
        body = object;
    }
    setWarnings(r.res, warnings);
    writeBody(r.res, code, negotiated.contentType, encode(body, negotiated.format));
  }

  private get(r: ResourceRequest): void | Promise<void> {
    const negotiated = negotiate(r.req.headers.accept);
    const ctx = this.context(r, r.info.subresource);
    const rv = r.query.get("resourceVersion") ?? "";
    const consistency =
      rv === ""
        ? undefined
        : rv === "0"
          ? ({ kind: "any" } as const)
          : ({ kind: "notOlderThan", revision: parseResourceVersion(rv) } as const);
    const now = this.store.getNow(ctx, r.info.name, consistency);
    if (now) return this.writeGot(r, negotiated, now);
    return this.store.get(ctx, r.info.name, consistency).then((object) => this.writeGot(r, negotiated, object));
  }

  private writeGot(r: ResourceRequest, negotiated: Negotiated, object: KubeObject): void {
    if (negotiated.target === "object" && negotiated.format === "json") {
      writeBody(r.res, 200, negotiated.contentType, this.jsonOf(r.version, object));
      return;
    }
    this.writeObject(r, 200, this.toVersion(r.version, object), negotiated);
  }

  private async list(r: ResourceRequest): Promise<void> {
    const negotiated = negotiate(r.req.headers.accept);
    const options = parseListOptions(r.query, false);
    const ctx = this.context(r, "");
    const page = await this.store.list(ctx, {
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
      ...(options.limit ? { limit: options.limit } : {}),
      ...(options.continueToken ? { continueToken: options.continueToken } : {}),
      ...(options.consistency ? { consistency: options.consistency } : {}),
    });
    const meta = {
      resourceVersion: page.resourceVersion,
      ...(page.continueToken ? { continue: page.continueToken } : {}),
      ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
    };
    if (negotiated.target === "object" && negotiated.format === "json") {
      // Items are joined from their memoized JSON; only the envelope is serialized here.
      const items = page.items.map((item) => this.jsonOf(r.version, item));
      const head = `{"apiVersion":${JSON.stringify(r.version.apiVersion)},"items":[`;
      const tail = `],"kind":${JSON.stringify(this.resource.listKind)},"metadata":${JSON.stringify(meta)}}`;
      writeBody(r.res, 200, negotiated.contentType, joinJSON(head, items, tail));
      return;
    }
    this.writeList(
      r,
      page.items.map((item) => this.toVersion(r.version, item)),
      meta,
      negotiated,
    );
  }

  /**
   * A list of objects in the client's version, as the negotiated target has it (the list, its
   * Table, or its PartialObjectMetadataList): apiserver's transformResponseObject for a list
   * answer, shared by list and deletecollection.
   */
  private writeList(r: ResourceRequest, items: KubeObject[], meta: ListMeta, negotiated: Negotiated): void {
    let body: unknown;
    if (negotiated.target === "Table") {
      const include = this.includeObject(r);
      body = this.table(r.version).table(items, include, this.clock.now(), meta, true, negotiated.metaAPIVersion);
    } else if (negotiated.target === "PartialObjectMetadataList") {
      body = {
        kind: "PartialObjectMetadataList",
        apiVersion: negotiated.metaAPIVersion,
        metadata: meta,
        items: items.map((i) => partialObjectMetadata(i, negotiated.metaAPIVersion)),
      };
    } else if (negotiated.target === "PartialObjectMetadata") {
      throw partialObjectMetadataOfList();
    } else {
      body = { apiVersion: r.version.apiVersion, items, kind: this.resource.listKind, metadata: meta };
    }
    writeBody(r.res, 200, negotiated.contentType, encode(body, negotiated.format));
  }

  private async watch(r: ResourceRequest): Promise<void> {
    const negotiated = negotiate(r.req.headers.accept);
    const options = parseListOptions(r.query, true);
    const include = negotiated.target === "Table" ? this.includeObject(r) : "Metadata";
    // YAML has no stream framer: apiserver's NegotiateOutputMediaTypeStream refuses it.
    if (negotiated.format === "yaml") throw StatusError.notAcceptable(SERVED_STREAM_MEDIA_TYPES);
    const ctx = this.context(r, "");
    const predicate = this.store.predicate(options.labelSelector, options.fieldSelector);
    const version = r.version;
    const table = negotiated.target === "Table" ? this.table(version) : undefined;
    const apiVersion = negotiated.metaAPIVersion;
    let firstTable = true;
    const plain = negotiated.target === "object" && negotiated.format === "json";
    const encodeEvent = (_type: string, object: Record<string, unknown>): unknown => {
      if (plain) return new RawJSON(this.jsonOf(version, object as KubeObject));
      const converted = this.toVersion(version, object as KubeObject);
      if (table) {
        // The Table of one object carries its resourceVersion (the table convertor's ObjectMeta case).
        const rv = converted.metadata?.resourceVersion;
        const meta = rv ? { resourceVersion: rv } : {};
        const t = table.table([converted], include, this.clock.now(), meta, firstTable, apiVersion);
        firstTable = false;
        return t;
      }
      if (negotiated.target === "PartialObjectMetadata") return partialObjectMetadata(converted, apiVersion);
      // PartialObjectMetadataList fails per event upstream, which then sends the object as it is.
      return converted;
    };
    const bookmark = (resourceVersion: string, annotations?: Record<string, string>): unknown => {
      const metadata: ObjectMeta = { resourceVersion, ...(annotations ? { annotations } : {}) };
      if (negotiated.target === "PartialObjectMetadata") return { kind: "PartialObjectMetadata", apiVersion, metadata };
      if (table)
        return {
          kind: "Table",
          apiVersion,
          metadata: { resourceVersion },
          columnDefinitions: null,
          rows: [],
        };
      return { kind: this.resource.kind, apiVersion: version.apiVersion, metadata };
    };

    // Where the watch starts, and which objects it first reports.
    const rv = options.resourceVersion;
    let initial: { items: KubeObject[]; revision: number } | undefined;
    let fromRevision: number;
    if (options.sendInitialEvents === true || (options.sendInitialEvents === undefined && (rv === "" || rv === "0"))) {
      const consistency =
        rv === ""
          ? ({ kind: "consistent" } as const)
          : rv === "0"
            ? ({ kind: "any" } as const)
            : ({ kind: "notOlderThan", revision: parseResourceVersion(rv) } as const);
      const page = await this.store.list(ctx, {
        ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
        ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
        consistency,
      });
      initial = { items: page.items, revision: Number(page.resourceVersion) };
      fromRevision = initial.revision;
    } else if (rv === "" || rv === "0") {
      fromRevision = await this.store.storage.currentRevision();
    } else {
      fromRevision = parseResourceVersion(rv);
    }

    const timeoutMs =
      options.timeoutSeconds !== undefined && options.timeoutSeconds > 0
        ? options.timeoutSeconds * 1000
        : (this.minRequestTimeoutSeconds + Math.random() * this.minRequestTimeoutSeconds) * 1000;
    const stream = new WatchStream({
      res: r.res,
      encode: encodeEvent,
      bookmark,
      allowBookmarks: options.allowWatchBookmarks,
      startRevision: fromRevision,
      timeoutMs,
      config: this.watchConfig,
    });
    if (initial) {
      stream.sendInitial(initial.items as Record<string, unknown>[], initial.revision);
      if (options.sendInitialEvents === true) stream.sendInitialEventsEnd(initial.revision);
    }
    stream.attach(this.store.watch(ctx, fromRevision, predicate, stream.sink));
  }

  private async readObject(r: ResourceRequest): Promise<Record<string, unknown>> {
    const body = await readBody(r.req);
    const object = decodeObjectBody(body, r.req.headers["content-type"]);
    checkTypeMeta(object, r.version);
    return object;
  }

  private checkNamespace(r: ResourceRequest, object: KubeObject): void {
    const ns = object.metadata?.namespace;
    if (this.resource.namespaced && ns && ns !== r.info.namespace) {
      throw StatusError.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
  }

  /**
   * The schema's and the scale subresource's errors of `object` as it will be stored: a create
   * without the status a status subresource makes it drop (the CRD strategy's PrepareForCreate,
   * before Validate), an update with the stored part its subresource does not write. `ratchet`
   * passes the old object (and where warnings go) to the schema's ratcheting.
   */
  private storedErrors(
    version: ResourceVersion,
    object: KubeObject,
    old: KubeObject | undefined,
    subresource: string,
    ratchet?: { warnings: string[] },
  ): FieldError[] {
    const stored = scopeToSubresource(old ? subresource : "", this.resource.hub.hasStatus, object, old ?? {});
    const schema = ratchet
      ? validateAgainstSchema(version, stored, old, ratchet.warnings)
      : validateAgainstSchema(version, stored);
    return [...schema, ...scaleErrors(version, stored, subresource)];
  }

  private async create(r: ResourceRequest): Promise<void> {
    const options = parseWriteOptions(r.query, "CreateOptions");
    const negotiated = negotiate(r.req.headers.accept);
    if (this.resource.namespaced && !r.info.namespace) throw this.methodNotAllowed(r);
    const object = (await this.readObject(r)) as KubeObject;
    this.checkNamespace(r, object);
    const ctx = this.context(r, "", options.dryRun);
    normalizeObject(object, r.version, options.fieldValidation, ctx.warnings);
    dedupOwnerReferences(object, ctx.warnings, false);
    const errors = this.storedErrors(r.version, object, undefined, "");
    const name = object.metadata?.name ?? object.metadata?.generateName ?? "";
    if (errors.length > 0) throw invalid(r.version, name, errors);
    const tracked = trackWrite(null, object, this.manager(r, options), this.fieldManager(r.version, ""));
    const hub = await this.admit(r, ctx, "CREATE", toHub(this.resource, r.version, tracked), undefined);
    const created = await this.store.create(ctx, hub, this.validating(r, ctx));
    this.writeObject(r, 201, this.toVersion(r.version, created), negotiated, ctx.warnings);
  }

  /**
   * Prepares an object the client wrote (PUT body or patch result) for the store, recording
   * the write in managedFields unless server-side apply already did (`tracked`).
   */
  private prepareUpdate(
    r: ResourceRequest,
    written: KubeObject,
    current: KubeObject | null,
    options: WriteOptions,
    ctx: RequestContext,
    how: { tracked?: boolean; refuse?: ReadPatch["refuse"]; dedupBeforeAdmission?: boolean } = {},
  ): KubeObject {
    const tracked = how.tracked ?? false;
    this.checkNamespace(r, written);
    normalizeObject(written, r.version, options.fieldValidation, ctx.warnings, how.refuse);
    // An update's body is deduplicated before managedFields and admission; a patch's only after.
    if (how.dedupBeforeAdmission) dedupOwnerReferences(written, ctx.warnings, false);
    const old = current ? this.toVersion(r.version, current) : undefined;
    const object = tracked
      ? written
      : trackWrite(old ?? null, written, this.manager(r, options), this.fieldManager(r.version, ctx.subresource));
    // Validate what will be stored: a status write keeps the stored spec, a main write the stored status.
    const errors = this.storedErrors(r.version, object, old, ctx.subresource, { warnings: ctx.warnings });
    if (errors.length > 0) throw invalid(r.version, r.info.name, errors);
    return toHub(this.resource, r.version, object);
  }

  private async update(r: ResourceRequest, subresource: string): Promise<void> {
    const options = parseWriteOptions(r.query, "UpdateOptions");
    const negotiated = negotiate(r.req.headers.accept);
    const body = (await this.readObject(r)) as KubeObject;
    const ctx = this.context(r, subresource, options.dryRun);
    // Each retry works on a fresh copy of the body.
    const result = await this.store.update(
      ctx,
      r.info.name,
      (current) => {
        ctx.warnings.length = 0;
        const written = keepStrictDecodingProblems(body, cloneObject(body));
        const hub = this.prepareUpdate(r, written, current, options, ctx, { dedupBeforeAdmission: true });
        return this.admit(r, ctx, current ? "UPDATE" : "CREATE", hub, current ?? undefined);
      },
      { validate: this.validating(r, ctx) },
    );
    this.writeObject(r, result.created ? 201 : 200, this.toVersion(r.version, result.object), negotiated, ctx.warnings);
  }

  /**
   * Reads a patch body: the function that applies it to the current object (in the request's
   * version), what strict decoding says of the body itself, and how a Strict refusal reads.
   */
  private async readPatch(r: ResourceRequest, fieldValidation: FieldValidation): Promise<ReadPatch> {
    const type = patchType(r.req.headers["content-type"]);
    if (!SUPPORTED_PATCH_TYPES.includes(type)) {
      throw StatusError.unsupportedMediaType(type, SUPPORTED_PATCH_TYPES);
    }
    const text = (await readBody(r.req)).toString("utf8");
    const patch = parseJSONBody(text);
    const kind: PatchKind = type === PATCH_TYPES.json ? "json" : type === PATCH_TYPES.strategic ? "strategic" : "merge";
    const read = (
      apply: ReadPatch["apply"],
      spelled: NumberSpelling = (path) => numberLiteralAt(text, path),
    ): ReadPatch => ({
      kind,
      apply,
      problems: patchBodyProblems(kind, text, patch, fieldValidation),
      refuse: patchRefusal(kind, patch),
      spelled,
    });
    try {
      if (kind === "json") {
        const operations = decodeJSONPatch(patch);
        // json-patch keeps an operation's value as written: a number is spelled where its value is.
        return read(
          (current) => applyJSONPatch(current, operations) as KubeObject,
          (path) => {
            const source = jsonPatchSource(operations, path);
            return source && numberLiteralAt(text, [source.operation, "value", ...source.within]);
          },
        );
      }
      if (kind === "strategic" && (patch === null || typeof patch !== "object" || Array.isArray(patch))) {
        // strategicPatchObject decodes the body into a map: null decodes (a patch that changes nothing).
        if (patch !== null) throw StatusError.badRequest(goUnmarshalTypeError(patch, "map[string]interface {}"));
        return read((current) => current);
      }
      if (kind === "merge" && !Array.isArray(patch) && (patch === null || typeof patch !== "object")) {
        // evanphx/json-patch's MergePatch: neither an object nor an array is ErrBadJSONPatch.
        throw StatusError.badRequest("Invalid JSON Patch");
      }
      if (kind === "strategic") {
        const schema = r.version.patchSchema;
        return read((current) => {
          try {
            return applyStrategicMergePatch(current, patch, schema) as KubeObject;
          } catch (error) {
            if (isStrategicMergePatchError(error)) {
              throw error.kind === "BadRequest"
                ? StatusError.badRequest(error.message)
                : new StatusError(422, "Invalid", error.message);
            }
            throw error;
          }
        });
      }
      return read((current) => applyMergePatch(current, patch) as KubeObject);
    } catch (error) {
      if (error instanceof PatchError) throw error.toStatus();
      throw error;
    }
  }

  private async patch(r: ResourceRequest, subresource: string): Promise<void> {
    const options = parseWriteOptions(r.query, "PatchOptions");
    if (patchType(r.req.headers["content-type"]) === PATCH_TYPES.apply) return this.apply(r, subresource, options);
    if (options.force) throw forceWithoutApply();
    const negotiated = negotiate(r.req.headers.accept);
    const { kind, apply: applyPatch, problems, refuse } = await this.readPatch(r, options.fieldValidation);
    const ctx = this.context(r, subresource, options.dryRun);
    const result = await this.store.update(
      ctx,
      r.info.name,
      (current) => {
        if (!current) throw StatusError.notFound(this.resource.groupResource, r.info.name);
        ctx.warnings.length = 0;
        const versioned = this.toVersion(r.version, current);
        let patched: KubeObject;
        try {
          patched = applyPatch(versioned);
        } catch (error) {
          if (error instanceof PatchError) throw error.toStatus();
          throw error;
        }
        // The patched JSON must decode as an object with a kind (a merge patch that is an array is that
        // array); a strategic merge patch's result is a map converted without decoding.
        const missingKind = kind !== "strategic" && (patched?.kind === undefined || patched.kind === "");
        if (patched === null || typeof patched !== "object" || Array.isArray(patched) || missingKind) {
          throw refuse(patchedObjectDecodeError(patched), patched);
        }
        checkTypeMeta(patched, r.version);
        attachStrictDecodingProblems(patched, problems);
        const prepared = this.prepareUpdate(r, patched, current, options, ctx, { refuse });
        return this.admit(r, ctx, "UPDATE", prepared, current);
      },
      { validate: this.validating(r, ctx) },
    );
    this.writeObject(r, 200, this.toVersion(r.version, result.object), negotiated, ctx.warnings);
  }

  /**
   * Server-side apply (`application/apply-patch+yaml`): merges the manager's configuration
   * into the object, creating it when absent (201) on the main resource, with conflicts as 409.
   */
  private async apply(r: ResourceRequest, subresource: string, options: WriteOptions): Promise<void> {
    const manager = checkApplyManager(options.fieldManager);
    const negotiated = negotiate(r.req.headers.accept);
    const { config: body, repeatedKeys } = decodeApplyPatch((await readBody(r.req)).toString("utf8"));
    const ctx = this.context(r, subresource, options.dryRun);
    const fieldManager = this.fieldManager(r.version, subresource);
    const result = await this.store.update(
      ctx,
      r.info.name,
      (current) => {
        if (!current && subresource !== "") throw StatusError.notFound(this.resource.groupResource, r.info.name);
        ctx.warnings.length = 0;
        const config = prepareApplyConfig(structuredClone(body), r.version, options.fieldValidation, ctx.warnings);
        const live = current ? this.toVersion(r.version, current) : null;
        const applied = serverSideApply(live, config, manager, options.force, fieldManager);
        // After the apply itself, as kube-apiserver checks them: keys the configuration repeats.
        checkRepeatedApplyKeys(repeatedKeys, options.fieldValidation, ctx.warnings);
        checkTypeMeta(applied, r.version);
        const prepared = this.prepareUpdate(r, applied, current, options, ctx, { tracked: true });
        return this.admit(r, ctx, current ? "UPDATE" : "CREATE", prepared, current ?? undefined);
      },
      { validate: this.validating(r, ctx), forceAllowCreate: subresource === "" },
    );
    this.writeObject(r, result.created ? 201 : 200, this.toVersion(r.version, result.object), negotiated, ctx.warnings);
  }

  /** The manager a non-apply write is recorded under. */
  private manager(r: ResourceRequest, options: WriteOptions): string {
    return writeManager(options.fieldManager, r.req.headers["user-agent"]);
  }

  /** The managedFields options of an endpoint, made once (they depend on nothing per request). */
  private fieldManager(version: ResourceVersion, subresource: string): FieldManagerOptions {
    const key = `${version.name}/${subresource}`;
    let options = this.fieldManagers.get(key);
    if (options === undefined) {
      options = fieldManagerOptions(this.resource, version, subresource, this.clock);
      this.fieldManagers.set(key, options);
    }
    return options;
  }

  private async readDeleteBody(r: ResourceRequest): Promise<Record<string, unknown> | undefined> {
    const body = await readBody(r.req);
    if (body.length === 0) return undefined;
    const value = parseJSONBody(body.toString("utf8"));
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw StatusError.badRequest("DeleteOptions must be an object");
    return value as Record<string, unknown>;
  }

  private async delete(r: ResourceRequest): Promise<void> {
    const options = parseDeleteOptions(r.query, await this.readDeleteBody(r));
    const negotiated = negotiate(r.req.headers.accept);
    const ctx = this.context(r, "", options.dryRunAll);
    const result = await this.store.delete(ctx, r.info.name, options, this.deleting(r, ctx));
    if (result.deleted) {
      const status = successStatus({
        name: r.info.name,
        group: this.resource.group,
        kind: this.resource.plural,
        uid: result.object.metadata?.uid as string,
      });
      writeBody(r.res, 200, "application/json", JSON.stringify(status));
      return;
    }
    const code = options.orphanDependents === false ? 202 : 200;
    this.writeObject(r, code, this.toVersion(r.version, result.object), negotiated);
  }

  private async deleteCollection(r: ResourceRequest): Promise<void> {
    const listOptions: ListOptions = parseListOptions(r.query, false);
    const options = parseDeleteOptions(r.query, await this.readDeleteBody(r));
    const negotiated = negotiate(r.req.headers.accept);
    const ctx = this.context(r, "", options.dryRunAll);
    const page = await this.store.list(ctx, {
      ...(listOptions.labelSelector ? { labelSelector: listOptions.labelSelector } : {}),
      ...(listOptions.fieldSelector ? { fieldSelector: listOptions.fieldSelector } : {}),
    });
    const deleted: KubeObject[] = [];
    for (const item of page.items) {
      const itemCtx: RequestContext = { ...ctx, namespace: item.metadata?.namespace ?? ctx.namespace };
      try {
        const itemName = item.metadata?.name as string;
        const result = await this.store.delete(
          itemCtx,
          itemName,
          { ...options, preconditions: {} },
          this.deleting(r, itemCtx, itemName),
        );
        deleted.push(this.toVersion(r.version, result.object));
      } catch (error) {
        if (error instanceof StatusError && error.reason === "NotFound") continue;
        throw error;
      }
    }
    // Transformed after the deletion, as DeleteCollection's transformResponseObject does: a Table
    // or metadata of what was deleted, and a refused target (PartialObjectMetadata of a list, a
    // bad includeObject) is refused with everything already deleted.
    this.writeList(r, deleted, { resourceVersion: page.resourceVersion }, negotiated);
  }

  // --- admission ---------------------------------------------------------------------

  private attributes(
    r: ResourceRequest,
    ctx: RequestContext,
    operation: AdmissionOperation,
    name: string,
  ): AdmissionAttributes {
    return {
      operation,
      group: this.resource.group,
      version: r.version.name,
      kind: this.resource.kind,
      resource: this.resource.plural,
      subresource: ctx.subresource,
      namespace: ctx.namespace,
      name,
      user: ctx.user,
      dryRun: ctx.dryRun,
    };
  }

  /**
   * Mutating admission on a hub object, then the owner references it repeats are dropped (every
   * write does that after admission); a changed object is validated again against the hub schema.
   */
  private async admit(
    r: ResourceRequest,
    ctx: RequestContext,
    operation: AdmissionOperation,
    object: KubeObject,
    old: KubeObject | undefined,
  ): Promise<KubeObject> {
    if (this.admission.empty) {
      dedupOwnerReferences(object, ctx.warnings, true);
      return object;
    }
    const before = JSON.stringify(object);
    const attributes: AdmissionAttributes = {
      ...this.attributes(r, ctx, operation, object.metadata?.name ?? r.info.name),
      object,
      ...(old ? { oldObject: old } : {}),
    };
    await this.admission.admit(attributes);
    const admitted = attributes.object as KubeObject;
    dedupOwnerReferences(admitted, ctx.warnings, true);
    if (JSON.stringify(admitted) !== before) {
      // Validated as it will be stored, as kube-apiserver validates after the strategy's prepare step.
      const hub = this.resource.hub;
      const errors = this.storedErrors(hub, admitted, old, ctx.subresource);
      if (errors.length > 0) throw invalid(hub, admitted.metadata?.name ?? r.info.name, errors);
    }
    return admitted;
  }

  /** Validating admission, run by the store after the strategy. */
  private validating(r: ResourceRequest, ctx: RequestContext): ValidationHook | undefined {
    if (this.admission.empty) return undefined;
    return (object, old) =>
      this.admission.validate({
        ...this.attributes(r, ctx, old ? "UPDATE" : "CREATE", object.metadata?.name ?? r.info.name),
        object,
        ...(old ? { oldObject: old } : {}),
      });
  }

  /** Admission for a delete: mutating plugins may only look, then validating plugins. */
  private deleting(
    r: ResourceRequest,
    ctx: RequestContext,
    name = r.info.name,
  ): ((existing: KubeObject) => Promise<void>) | undefined {
    if (this.admission.empty) return undefined;
    return async (existing) => {
      const attributes: AdmissionAttributes = { ...this.attributes(r, ctx, "DELETE", name), oldObject: existing };
      await this.admission.admit(attributes);
      await this.admission.validate(attributes);
    };
  }

  // --- scale -------------------------------------------------------------------------

  private scaleOf(object: KubeObject): Record<string, unknown> {
    const scale = this.resource.hub.definition.subresources?.scale;
    if (!scale) throw StatusError.internal(new Error("scale subresource is not defined on the storage version"));
    const [specReplicas] = evaluateJSONPath(scale.specReplicasPath, object);
    const [statusReplicas] = evaluateJSONPath(scale.statusReplicasPath, object);
    let selector = "";
    if (scale.labelSelectorPath) {
      const [value] = evaluateJSONPath(scale.labelSelectorPath, object);
      if (typeof value === "string") selector = value;
      else if (value && typeof value === "object")
        selector = formatLabelSelector(fromLabelSelectorObject(value as never));
    }
    const meta = object.metadata ?? {};
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: meta.name,
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
        creationTimestamp: meta.creationTimestamp,
      },
      // autoscaling/v1's ScaleSpec.replicas is omitempty: zero replicas are an empty spec.
      spec: typeof specReplicas === "number" && specReplicas !== 0 ? { replicas: specReplicas } : {},
      status: { replicas: typeof statusReplicas === "number" ? statusReplicas : 0, ...(selector ? { selector } : {}) },
    };
  }

  private async handleScale(r: ResourceRequest): Promise<void> {
    const verb = r.info.verb;
    const ctx = this.context(r, "scale");
    if (verb === "get") {
      const object = await this.store.get(ctx, r.info.name);
      writeBody(r.res, 200, "application/json", JSON.stringify(this.scaleOf(object)));
      return;
    }
    if (verb !== "update" && verb !== "patch") throw this.methodNotAllowed(r);
    const options = parseWriteOptions(r.query, verb === "update" ? "UpdateOptions" : "PatchOptions");
    ctx.dryRun = options.dryRun;
    // A Scale is decoded as kube-apiserver decodes it into the typed autoscaling/v1 Scale: a
    // field of the wrong type or out of int32's range is the decoder's error (a PUT's body: 400;
    // a patch's result: 422 on the field `patch`), before unknown fields are looked at.
    let computeScale: (current: Record<string, unknown>) => { scale: Record<string, unknown>; replicas: number };
    if (verb === "update") {
      const raw = await readBody(r.req);
      const body = decodeObjectBody(raw, r.req.headers["content-type"]);
      // A JSON body is decoded as written; YAML reaches Go's decoder as JSON made from its values.
      const text = isJSONBody(r.req.headers["content-type"]) ? raw.toString("utf8") : undefined;
      const decoded = decodeScale(body, "json", (path) =>
        text === undefined ? undefined : numberLiteralAt(text, path),
      );
      if (decoded.error !== undefined) {
        throw StatusError.badRequest(`Scale in version "v1" cannot be handled as a Scale: ${decoded.error}`);
      }
      computeScale = () => {
        const scale = keepStrictDecodingProblems(body, cloneObject(body));
        checkStrictDecoding(scale, SCALE_SCHEMA, options.fieldValidation, ctx.warnings);
        return { scale, replicas: decoded.replicas };
      };
    } else if (patchType(r.req.headers["content-type"]) === PATCH_TYPES.apply) {
      const accepted = SUPPORTED_PATCH_TYPES.filter((t) => t !== PATCH_TYPES.apply);
      throw StatusError.unsupportedMediaType(PATCH_TYPES.apply, accepted);
    } else {
      const { kind, apply: applyPatch, problems, refuse, spelled } = await this.readPatch(r, options.fieldValidation);
      computeScale = (current) => {
        const patched: unknown = applyPatch(current as KubeObject);
        if (patched === null || typeof patched !== "object" || Array.isArray(patched)) {
          const what = Array.isArray(patched) ? "array" : patched === null ? "null" : typeof patched;
          throw refuse(`json: cannot unmarshal ${what} into Go value of type v1.Scale`, patched as KubeObject);
        }
        // A strategic merge patch's result is converted from a map, the others decoded from JSON.
        const decoder = kind === "strategic" ? "unstructured" : "json";
        const decoded = decodeScale(patched as Record<string, unknown>, decoder, spelled);
        if (decoded.error !== undefined) throw refuse(decoded.error, patched as KubeObject);
        const scale = attachStrictDecodingProblems(patched as KubeObject, problems);
        checkStrictDecoding(scale, SCALE_SCHEMA, options.fieldValidation, ctx.warnings, refuse);
        return { scale, replicas: decoded.replicas };
      };
    }
    const scalePaths = this.resource.hub.definition.subresources?.scale;
    const result = await this.store.update(ctx, r.info.name, (current) => {
      if (!current) throw StatusError.notFound(this.resource.groupResource, r.info.name);
      ctx.warnings.length = 0;
      const { scale, replicas } = computeScale(this.scaleOf(current));
      if (replicas < 0) {
        throw StatusError.invalid({ group: "autoscaling", kind: "Scale" }, r.info.name, [
          {
            type: "FieldValueInvalid",
            field: "spec.replicas",
            badValue: replicas,
            detail: "must be greater than or equal to 0",
          },
        ]);
      }
      const rv = (scale.metadata as ObjectMeta | undefined)?.resourceVersion;
      if (rv && rv !== current.metadata?.resourceVersion)
        throw StatusError.modified(this.resource.groupResource, r.info.name);
      const next = cloneObject(current);
      setJSONPath(
        (scalePaths as { specReplicasPath: string }).specReplicasPath,
        next as Record<string, unknown>,
        replicas,
      );
      return trackWrite(current, next, this.manager(r, options), this.fieldManager(this.resource.hub, "scale"));
    });
    setWarnings(r.res, ctx.warnings);
    writeBody(r.res, 200, "application/json", JSON.stringify(this.scaleOf(result.object)));
  }
}

/** The fields of autoscaling/v1 Scale a client may write (apiVersion, kind and metadata are always known). */
const SCALE_SCHEMA: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: { type: "object", properties: { replicas: { type: "integer" } } },
    status: { type: "object", properties: { replicas: { type: "integer" }, selector: { type: "string" } } },
  },
};

function hasDefaults(version: ResourceVersion): boolean {
  const cached = defaultsCache.get(version);
  if (cached !== undefined) return cached;
  const found = JSON.stringify(version.definition.schema).includes('"default"');
  defaultsCache.set(version, found);
  return found;
}
const defaultsCache = new WeakMap<ResourceVersion, boolean>();

/** Exposed for the label selector used by scale's status.selector. */
export { parseLabelSelector };
export type { StoredObject };

/**
 * A custom subresource's answer of a declared `responseKind`: an object that leaves out its
 * `apiVersion` or `kind` gets the declared ones, first, as Kubernetes objects are written.
 */
function stampKind(result: unknown, kind: { group: string; version: string; kind: string } | undefined): unknown {
  if (!kind || result === null || typeof result !== "object" || Array.isArray(result)) return result;
  const answer = result as Record<string, unknown>;
  if (answer.apiVersion !== undefined && answer.kind !== undefined) return result;
  return {
    apiVersion: answer.apiVersion ?? (kind.group ? `${kind.group}/${kind.version}` : kind.version),
    kind: answer.kind ?? kind.kind,
    ...answer,
  };
}
