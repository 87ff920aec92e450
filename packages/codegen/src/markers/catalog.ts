/** Where a marker may be written. */
export type MarkerTarget = "group" | "kind" | "request" | "schema";

export interface MarkerInfo {
  name: string;
  target: MarkerTarget;
  /** May appear several times in one comment (each adds one value). */
  repeatable: boolean;
  /** The argument, as the reference page shows it. */
  syntax: string;
}

/** Every marker the parser understands; docs/reference/markers.md documents each (a test checks it). */
export const MARKERS: readonly MarkerInfo[] = [
  { name: "group", target: "group", repeatable: false, syntax: "<api-group>" },

  { name: "kind", target: "kind", repeatable: false, syntax: "" },
  { name: "scope", target: "kind", repeatable: false, syntax: "Namespaced|Cluster" },
  { name: "plural", target: "kind", repeatable: false, syntax: "<resource>" },
  { name: "singular", target: "kind", repeatable: false, syntax: "<name>" },
  { name: "shortName", target: "kind", repeatable: true, syntax: "<name>" },
  { name: "category", target: "kind", repeatable: true, syntax: "<name>" },
  {
    name: "printColumn",
    target: "kind",
    repeatable: true,
    syntax:
      "name=<header> type=<integer|number|string|boolean|date> jsonPath=<path> [description=..] [format=..] [priority=<n>]",
  },
  {
    name: "subresource",
    target: "kind",
    repeatable: true,
    syntax: "status | scale specReplicasPath=<path> statusReplicasPath=<path> [labelSelectorPath=<path>]",
  },
  { name: "storageVersion", target: "kind", repeatable: false, syntax: "" },
  { name: "unserved", target: "kind", repeatable: false, syntax: "" },
  { name: "deprecated", target: "kind", repeatable: false, syntax: "[warning]" },
  { name: "selectableField", target: "kind", repeatable: true, syntax: "<path>" },
  { name: "unconditionalUpdate", target: "kind", repeatable: false, syntax: "" },

  { name: "actionRequest", target: "request", repeatable: false, syntax: "kind=<Kind> action=<subresource>" },
  {
    name: "subresourceOptions",
    target: "request",
    repeatable: false,
    syntax: "kind=<Kind> subresource=<subresource>",
  },
  {
    name: "subresourceResponse",
    target: "request",
    repeatable: false,
    syntax: "kind=<Kind> subresource=<subresource>",
  },

  { name: "minimum", target: "schema", repeatable: false, syntax: "<number>" },
  { name: "maximum", target: "schema", repeatable: false, syntax: "<number>" },
  { name: "exclusiveMinimum", target: "schema", repeatable: false, syntax: "<number>" },
  { name: "exclusiveMaximum", target: "schema", repeatable: false, syntax: "<number>" },
  { name: "multipleOf", target: "schema", repeatable: false, syntax: "<number>" },
  { name: "minLength", target: "schema", repeatable: false, syntax: "<n>" },
  { name: "maxLength", target: "schema", repeatable: false, syntax: "<n>" },
  { name: "pattern", target: "schema", repeatable: false, syntax: "<regular expression>" },
  { name: "format", target: "schema", repeatable: false, syntax: "<format>" },
  { name: "minItems", target: "schema", repeatable: false, syntax: "<n>" },
  { name: "maxItems", target: "schema", repeatable: false, syntax: "<n>" },
  { name: "minProperties", target: "schema", repeatable: false, syntax: "<n>" },
  { name: "maxProperties", target: "schema", repeatable: false, syntax: "<n>" },
  { name: "default", target: "schema", repeatable: false, syntax: "<JSON value>" },
  { name: "preserveUnknownFields", target: "schema", repeatable: false, syntax: "" },
  { name: "embeddedResource", target: "schema", repeatable: false, syntax: "" },
  { name: "listType", target: "schema", repeatable: false, syntax: "atomic|set|map" },
  { name: "listMapKey", target: "schema", repeatable: true, syntax: "<field>" },
  { name: "mapType", target: "schema", repeatable: false, syntax: "atomic|granular" },
  { name: "patchStrategy", target: "schema", repeatable: false, syntax: "merge|replace|retainKeys|merge,retainKeys" },
  { name: "patchMergeKey", target: "schema", repeatable: false, syntax: "<field>" },
  {
    name: "validation",
    target: "schema",
    repeatable: true,
    syntax: "rule=<CEL> [message=..] [messageExpression=<CEL>] [reason=..] [fieldPath=<path>] [optionalOldSelf=true]",
  },
];

const BY_NAME = new Map(MARKERS.map((marker) => [marker.name, marker]));

export function findMarker(name: string): MarkerInfo | undefined {
  return BY_NAME.get(name);
}

/** Ordinary documentation tags: never markers, never errors. */
const DOC_TAGS = new Set([
  "see",
  "example",
  "remarks",
  "since",
  "todo",
  "internal",
  "privateRemarks",
  "public",
  "alpha",
  "beta",
  "experimental",
  "link",
  "author",
  "license",
]);

export function isDocumentationTag(name: string): boolean {
  return DOC_TAGS.has(name);
}

/** Kubebuilder spellings with no marker here, and what to write instead. */
const INSTEAD: Record<string, string> = {
  nullable: "write `| null` in the field's type, e.g. `note?: string | null`",
  enum: 'write a string-literal union as the type, e.g. `"Red" | "Green"`',
  optional: "write the field as `name?: T`",
  required: "write the field as `name: T` (without `?`)",
  type: "the TypeScript type decides the schema type; use the int32/int64 aliases from @apiserver-kit/runtime for integers",
  int32: "use the `int32` type alias from @apiserver-kit/runtime as the field's type",
  int64: "use the `int64` type alias from @apiserver-kit/runtime as the field's type",
  integer: "use the `int32` or `int64` type alias from @apiserver-kit/runtime as the field's type",
  intOrString: "use the `IntOrString` type from @apiserver-kit/runtime as the field's type",
  schemaless: "type the field `unknown` and add @preserveUnknownFields",
  structType: "use @mapType on the object",
  resource: "use @scope, @plural, @singular, @shortName and @category",
  shortNames: "write @shortName once per name",
  categories: "write @category once per category",
  listMapKeys: "write @listMapKey once per key",
  storageversion: "write @storageVersion",
  printcolumn: "write @printColumn",
  selectablefield: "write @selectableField",
  xValidation: "write @validation",
  uniqueItems: "Kubernetes structural schemas forbid uniqueItems (its check is quadratic); use @listType set",
};

/** A hint for an unknown tag: the kubebuilder equivalent, or a known marker one or two edits away. */
export function unknownMarkerHint(name: string): string | undefined {
  const instead = INSTEAD[name];
  if (instead !== undefined) return instead;
  let best: { name: string; distance: number } | undefined;
  for (const marker of MARKERS) {
    const distance = editDistance(name.toLowerCase(), marker.name.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: marker.name, distance };
  }
  return best === undefined ? undefined : `did you mean @${best.name}?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
