import { isJSONObject, type JSONObject, type JSONValue } from "../../json/json.js";
import { ServerSideApplyError } from "../errors.js";
import { fieldSetToFieldsV1, fieldsV1ToFieldSet } from "../fieldpath/fields-v1.js";
import { goJSONString } from "../fieldpath/go-json.js";
import type { ManagedFieldSets, VersionedSet } from "../merge/updater.js";

/** One element of metadata.managedFields (metav1.ManagedFieldsEntry). */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  /** RFC 3339, whole seconds, UTC. */
  time?: string;
  fieldsType?: string;
  fieldsV1?: JSONObject;
  subresource?: string;
}

/** Decoded managedFields: field sets and times by manager identifier. */
export interface Managed {
  readonly fields: ManagedFieldSets;
  readonly times: Map<string, string | undefined>;
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

/**
 * The identity of an entry (Kubernetes' BuildManagerIdentifier): the entry without fields and
 * time as JSON, and without apiVersion for Apply, so an applier is one entry whatever version
 * it applies in, while updaters get one entry per version.
 */
export function managerIdentifier(entry: {
  manager?: string | undefined;
  operation?: string | undefined;
  apiVersion?: string | undefined;
  subresource?: string | undefined;
}): string {
  const parts: string[] = [];
  if (entry.manager) parts.push(`"manager":${goJSONString(entry.manager)}`);
  if (entry.operation) parts.push(`"operation":${goJSONString(entry.operation)}`);
  if (entry.apiVersion && entry.operation !== "Apply") parts.push(`"apiVersion":${goJSONString(entry.apiVersion)}`);
  if (entry.subresource) parts.push(`"subresource":${goJSONString(entry.subresource)}`);
  return `{${parts.join(",")}}`;
}

export interface ManagerInfo {
  readonly manager: string;
  readonly operation: string;
  readonly apiVersion: string;
  readonly subresource: string;
}

export function parseIdentifier(identifier: string): ManagerInfo | undefined {
  try {
    const parsed = JSON.parse(identifier) as unknown;
    if (!isJSONObject(parsed)) return undefined;
    const text = (key: string) => (typeof parsed[key] === "string" ? (parsed[key] as string) : "");
    return {
      manager: text("manager"),
      operation: text("operation"),
      apiVersion: text("apiVersion"),
      subresource: text("subresource"),
    };
  } catch {
    return undefined;
  }
}

/** Reads metadata.managedFields (Kubernetes' DecodeManagedFields); throws InvalidManagedFields. */
export function decodeManagedFields(entries: JSONValue | undefined): Managed {
  const managed = emptyManaged();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw invalid("metadata.managedFields must be a list");
  entries.forEach((raw, i) => {
    if (!isJSONObject(raw)) throw invalid(`managed fields entry ${i} must be an object`);
    const entry = raw as ManagedFieldsEntry;
    if (entry.operation !== "Apply" && entry.operation !== "Update")
      throw invalid("operation must be `Apply` or `Update`");
    if (typeof entry.apiVersion !== "string" || entry.apiVersion.length < 1)
      throw invalid("apiVersion must not be empty");
    if (entry.fieldsType === undefined || entry.fieldsType === "")
      throw invalid(`missing fieldsType in managed fields entry ${i}`);
    if (entry.fieldsType !== "FieldsV1")
      throw invalid(`invalid fieldsType ${JSON.stringify(entry.fieldsType)} in managed fields entry ${i}`);
    const identifier = managerIdentifier(entry);
    const set = fieldsV1ToFieldSet(entry.fieldsV1 ?? {});
    managed.fields.set(identifier, { set, apiVersion: entry.apiVersion, applied: entry.operation === "Apply" });
    managed.times.set(identifier, typeof entry.time === "string" ? entry.time : undefined);
  });
  return managed;
}

function invalid(message: string): ServerSideApplyError {
  return new ServerSideApplyError("InvalidManagedFields", message);
}

/** Writes managedFields in Kubernetes' order: operation, time, manager, apiVersion, subresource. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [identifier, versioned] of managed.fields)
    entries.push(encodeEntry(identifier, versioned, managed.times.get(identifier)));
  return entries.sort(compareEntries);
}

function encodeEntry(identifier: string, versioned: VersionedSet, time: string | undefined): ManagedFieldsEntry {
  const info = parseIdentifier(identifier) ?? { manager: "", operation: "", apiVersion: "", subresource: "" };
  return managedFieldsEntry(info, versioned, time, fieldSetToFieldsV1(versioned.set));
}

/** One entry in Kubernetes' key order: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource. */
export function managedFieldsEntry(
  info: ManagerInfo,
  versioned: { readonly apiVersion: string; readonly applied: boolean },
  time: string | undefined,
  fieldsV1: JSONObject,
): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = {};
  if (info.manager) entry.manager = info.manager;
  entry.operation = versioned.applied ? "Apply" : info.operation || "Update";
  entry.apiVersion = versioned.apiVersion;
  if (time !== undefined) entry.time = time;
  entry.fieldsType = "FieldsV1";
  entry.fieldsV1 = fieldsV1;
  if (info.subresource) entry.subresource = info.subresource;
  return entry;
}

function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  const text = (a: string | undefined, b: string | undefined) => {
    const x = a ?? "";
    const y = b ?? "";
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const seconds = (t: string | undefined) => (t === undefined ? 0 : Math.floor(Date.parse(t) / 1000) || 0);
  return (
    text(p.operation, q.operation) ||
    Math.sign(seconds(p.time) - seconds(q.time)) ||
    text(p.manager, q.manager) ||
    text(p.apiVersion, q.apiVersion) ||
    text(p.subresource, q.subresource)
  );
}

/**
 * Whether a request's managedFields ask to clear them: an empty list, or a list of one empty
 * entry (`[{}]`), as Kubernetes' isResetManagedFields reads them.
 */
export function isResetManagedFields(entries: JSONValue | undefined): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1) return false;
  const only = entries[0];
  return isJSONObject(only) && Object.values(only).every((v) => v === null || v === "");
}

let lastSecond = Number.NaN;
let lastText = "";

/** metav1.Time as Kubernetes writes it: RFC 3339, whole seconds, UTC (remembered for the current second). */
export function formatTime(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = `${date.toISOString().slice(0, 19)}Z`;
    lastSecond = second;
  }
  return lastText;
}
