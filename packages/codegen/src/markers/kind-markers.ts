import type { ErrorCollector, SourceLocation } from "../errors/codegen-error.js";
import { parseMarkerArguments } from "../jsdoc/arguments.js";
import type { JsDocTag } from "../jsdoc/jsdoc.js";
import type { PrinterColumnModel, ScaleModel } from "../model/api-model.js";
import { isDNS1035Label } from "../model/names.js";
import { findMarker } from "./catalog.js";

export interface Located<T> {
  value: T;
  at: SourceLocation;
}

/** The kind-level markers of one version's kind interface, with where each was written. */
export interface KindMarkers {
  scope?: Located<"Namespaced" | "Cluster">;
  plural?: Located<string>;
  singular?: Located<string>;
  shortNames: Located<string>[];
  categories: Located<string>[];
  printerColumns: Located<PrinterColumnModel>[];
  status?: SourceLocation;
  scale?: Located<ScaleModel>;
  storageVersion?: SourceLocation;
  unserved: boolean;
  deprecated?: { warning?: string };
  selectableFields: Located<string>[];
  unconditionalUpdate?: SourceLocation;
}

const COLUMN_TYPES = new Set(["integer", "number", "string", "boolean", "date"]);
const COLUMN_KEYS = new Set(["name", "type", "jsonPath", "description", "format", "priority"]);
const SCALE_KEYS = new Set(["specReplicasPath", "statusReplicasPath", "labelSelectorPath"]);

/** Reads the tags whose catalog target is "kind"; other tags are left to the schema markers. */
export function parseKindMarkers(
  tags: readonly JsDocTag[],
  locate: (tag: JsDocTag) => SourceLocation,
  errors: ErrorCollector,
): KindMarkers {
  const markers: KindMarkers = {
    shortNames: [],
    categories: [],
    printerColumns: [],
    selectableFields: [],
    unserved: false,
  };
  const seen = new Set<string>();
  for (const tag of tags) {
    const info = findMarker(tag.name);
    if (info?.target !== "kind") continue;
    const at = locate(tag);
    const fail = (message: string, hint?: string) => errors.report("InvalidMarker", message, at, hint);
    if (!info.repeatable && seen.has(tag.name)) {
      errors.report("DuplicateMarker", `@${tag.name} is given more than once`, at);
      continue;
    }
    seen.add(tag.name);
    const flag = (): boolean => {
      if (tag.text === "") return true;
      fail(`@${tag.name} takes no argument (found "${tag.text}")`);
      return false;
    };
    const label = (): string | undefined => {
      if (isDNS1035Label(tag.text)) return tag.text;
      fail(`@${tag.name} "${tag.text}" must be a lower-case DNS label (a-z, 0-9, -; starting with a letter)`);
      return undefined;
    };
    switch (tag.name) {
      case "kind":
        if (tag.text !== "") fail("@kind takes no argument: the kind is the interface's name");
        break;
      case "scope":
        if (tag.text === "Namespaced" || tag.text === "Cluster") markers.scope = { value: tag.text, at };
        else fail(`@scope must be Namespaced or Cluster (found "${tag.text}")`);
        break;
      case "plural":
      case "singular": {
        const value = label();
        if (value !== undefined) markers[tag.name] = { value, at };
        break;
      }
      case "shortName": {
        const value = label();
        if (value !== undefined) markers.shortNames.push({ value, at });
        break;
      }
      case "category": {
        const value = label();
        if (value !== undefined) markers.categories.push({ value, at });
        break;
      }
      case "printColumn": {
        const column = parsePrinterColumn(tag.text);
        if (typeof column === "string") fail(`@printColumn: ${column}`);
        else markers.printerColumns.push({ value: column, at });
        break;
      }
      case "subresource":
        parseSubresource(tag.text, at, markers, fail, errors);
        break;
      case "storageVersion":
        if (flag()) markers.storageVersion = at;
        break;
      case "unserved":
        if (flag()) markers.unserved = true;
        break;
      case "deprecated":
        markers.deprecated = tag.text === "" ? {} : { warning: tag.text };
        break;
      case "selectableField":
        if (tag.text === "") fail("@selectableField needs a path such as .spec.color");
        else markers.selectableFields.push({ value: tag.text, at });
        break;
      case "unconditionalUpdate":
        if (flag()) markers.unconditionalUpdate = at;
        break;
    }
  }
  return markers;
}

function parsePrinterColumn(text: string): PrinterColumnModel | string {
  const parsed = parseMarkerArguments(text);
  if (!parsed.ok) return parsed.error;
  const { positional, named } = parsed.value;
  if (positional.length > 0) return `write each part as key=value (found "${positional[0]}")`;
  for (const key of named.keys()) {
    if (!COLUMN_KEYS.has(key)) return `unknown key ${key} (${[...COLUMN_KEYS].join(", ")})`;
  }
  const name = named.get("name");
  const type = named.get("type");
  const jsonPath = named.get("jsonPath");
  if (name === undefined || name === "") return "name=.. is required";
  if (type === undefined || !COLUMN_TYPES.has(type)) return `type= must be one of ${[...COLUMN_TYPES].join(", ")}`;
  if (jsonPath === undefined || !jsonPath.startsWith(".")) return 'jsonPath=.. is required and starts with "."';
  const column: PrinterColumnModel = { name, type: type as PrinterColumnModel["type"], jsonPath };
  const description = named.get("description");
  if (description !== undefined) column.description = description;
  const format = named.get("format");
  if (format !== undefined) column.format = format;
  const priority = named.get("priority");
  if (priority !== undefined) {
    if (!/^(0|[1-9][0-9]*)$/.test(priority)) return "priority must be a non-negative integer";
    column.priority = Number(priority);
  }
  return column;
}

function parseSubresource(
  text: string,
  at: SourceLocation,
  markers: KindMarkers,
  fail: (message: string, hint?: string) => void,
  errors: ErrorCollector,
): void {
  const parsed = parseMarkerArguments(text);
  if (!parsed.ok) {
    fail(`@subresource: ${parsed.error}`);
    return;
  }
  const { positional, named } = parsed.value;
  const [which, ...rest] = positional;
  if (rest.length > 0) {
    fail(`@subresource: unexpected "${rest[0]}"`);
    return;
  }
  if (which === "status") {
    if (named.size > 0) {
      fail("@subresource status takes no arguments");
      return;
    }
    if (markers.status) {
      errors.report("DuplicateMarker", "@subresource status is given more than once", at);
      return;
    }
    markers.status = at;
    return;
  }
  if (which === "scale") {
    if (markers.scale) {
      errors.report("DuplicateMarker", "@subresource scale is given more than once", at);
      return;
    }
    for (const key of named.keys()) {
      if (!SCALE_KEYS.has(key)) {
        fail(`@subresource scale: unknown key ${key} (${[...SCALE_KEYS].join(", ")})`);
        return;
      }
    }
    const specReplicasPath = named.get("specReplicasPath");
    const statusReplicasPath = named.get("statusReplicasPath");
    if (specReplicasPath === undefined || statusReplicasPath === undefined) {
      fail("@subresource scale needs specReplicasPath=.. and statusReplicasPath=..");
      return;
    }
    const scale: ScaleModel = { specReplicasPath, statusReplicasPath };
    const labelSelectorPath = named.get("labelSelectorPath");
    if (labelSelectorPath !== undefined) scale.labelSelectorPath = labelSelectorPath;
    markers.scale = { value: scale, at };
    return;
  }
  fail(
    `@subresource must be status or scale (found "${which ?? ""}")`,
    "custom subresources are handlers written in code (scaffold add subresource)",
  );
}
