/**
 * Server-side printing: metav1.Table with Name, the kind's printer columns and Age
 * (what `kubectl get` shows), and PartialObjectMetadata for metadata-only clients.
 */
import type { KubeObject, ObjectMeta } from "../api/meta.js";
import type { PrinterColumn } from "../model/resource.js";
import { evaluateJSONPath } from "../schema/jsonpath.js";

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

/** The meta.k8s.io versions a Table or PartialObjectMetadata is served in (both current upstream). */
export type MetaAPIVersion = "meta.k8s.io/v1" | "meta.k8s.io/v1beta1";

export interface Table {
  kind: "Table";
  apiVersion: MetaAPIVersion;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

export type IncludeObject = "None" | "Metadata" | "Object";

const nameColumn: TableColumnDefinition = {
  name: "Name",
  type: "string",
  format: "name",
  description:
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.",
  priority: 0,
};

const ageColumn: TableColumnDefinition = {
  name: "Age",
  type: "date",
  format: "",
  description:
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.",
  priority: 0,
};

/** Builds the column definitions and a row function for one version's printer columns. */
export class TableConvertor {
  readonly columns: TableColumnDefinition[];
  private readonly printerColumns: PrinterColumn[];
  private readonly hasAge: boolean;

  constructor(printerColumns: readonly PrinterColumn[] = []) {
    this.printerColumns = [...printerColumns];
    this.hasAge = this.printerColumns.some((c) => c.jsonPath === ".metadata.creationTimestamp");
    this.columns = [
      nameColumn,
      ...this.printerColumns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? "",
        description: c.description ?? "",
        priority: c.priority ?? 0,
      })),
      ...(this.hasAge ? [] : [ageColumn]),
    ];
  }

  row(object: KubeObject, include: IncludeObject, now: Date, apiVersion: MetaAPIVersion = "meta.k8s.io/v1"): TableRow {
    const cells: unknown[] = [object.metadata?.name ?? ""];
    for (const column of this.printerColumns) cells.push(cell(column, object, now));
    if (!this.hasAge) cells.push(humanAge(object.metadata?.creationTimestamp, now));
    const row: TableRow = { cells };
    if (include === "Metadata") row.object = partialObjectMetadata(object, apiVersion);
    else if (include === "Object") row.object = object;
    return row;
  }

  table(
    objects: readonly KubeObject[],
    include: IncludeObject,
    now: Date,
    listMeta: Table["metadata"],
    withColumns = true,
    apiVersion: MetaAPIVersion = "meta.k8s.io/v1",
  ): Table {
    return {
      kind: "Table",
      apiVersion,
      metadata: listMeta,
      columnDefinitions: withColumns ? this.columns : null,
      rows: objects.map((o) => this.row(o, include, now, apiVersion)),
    };
  }
}

function cell(column: PrinterColumn, object: KubeObject, now: Date): unknown {
  let results: unknown[];
  try {
    results = evaluateJSONPath(column.jsonPath, object);
  } catch {
    return null;
  }
  if (results.length === 0) return null;
  // Kubernetes uses the first result only (printer columns are simple paths).
  const value = results[0];
  switch (column.type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? value : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date":
      return typeof value === "string" ? humanAge(value, now) : null;
    default:
      if (value === null || value === undefined) return null;
      // Lists and maps print as JSON, scalars as text (as the jsonpath printer does).
      return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

/** A timestamp as the time since it, the way kubectl shows ages ("5m10s", "3d"); Kubernetes' HumanDuration. */
export function humanAge(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return "<unknown>";
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return "<invalid>";
  return humanDuration((now.getTime() - then) / 1000);
}

export function humanDuration(totalSeconds: number): string {
  const seconds = Math.trunc(totalSeconds);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(seconds / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.trunc(hours / 24) % 365;
    return d === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${d}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** metav1.PartialObjectMetadata (or v1beta1's): the object's metadata with type information. */
export function partialObjectMetadata(
  object: KubeObject,
  apiVersion: MetaAPIVersion = "meta.k8s.io/v1",
): {
  kind: "PartialObjectMetadata";
  apiVersion: MetaAPIVersion;
  metadata: ObjectMeta;
} {
  return { kind: "PartialObjectMetadata", apiVersion, metadata: object.metadata ?? {} };
}
