import type { FieldModel, TypeModel, WellKnownTypeName } from "../model/api-model.js";

/** The package whose exported meta types are mapped by name, never resolved into node_modules. */
export const RUNTIME_MODULE = "@apiserver-kit/runtime";

const QUANTITY_PATTERN =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
const CONDITION_TYPE_PATTERN =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";
const CONDITION_REASON_PATTERN = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

function field(name: string, required: boolean, type: TypeModel, description?: string): FieldModel {
  const out: FieldModel = { name, required, type };
  if (description !== undefined) out.description = description;
  return out;
}

const str = (extra: Partial<TypeModel> = {}): TypeModel => ({ type: "string", ...extra });
const stringMap = (): TypeModel => ({ type: "map", values: str() });
const stringList = (): TypeModel => ({ type: "array", items: str() });
const dateTime = (wellKnown: WellKnownTypeName): TypeModel => ({
  type: "string",
  format: "date-time",
  wellKnown,
  typeName: wellKnown,
});

function labelSelectorRequirement(): TypeModel {
  return {
    type: "object",
    wellKnown: "LabelSelectorRequirement",
    typeName: "LabelSelectorRequirement",
    description: "A selector that contains values, a key, and an operator that relates the key and values.",
    properties: [
      field("key", true, str(), "The label key that the selector applies to."),
      field("operator", true, str(), "A key's relationship to a set of values: In, NotIn, Exists or DoesNotExist."),
      field(
        "values",
        false,
        { ...stringList(), listType: "atomic" },
        "String values; non-empty for In and NotIn, empty for Exists and DoesNotExist.",
      ),
    ],
  };
}

/**
 * Kubernetes schemas of the meta types, as Kubernetes' own OpenAPI (and controller-gen) renders
 * them. ObjectMeta here is the nested form (as controller-gen's generateEmbeddedObjectMeta
 * emits it); a kind's own `metadata` is replaced by `{type: object}` because the server
 * validates the root ObjectMeta itself.
 */
const BUILDERS: Record<WellKnownTypeName, () => TypeModel> = {
  ObjectMeta: () => ({
    type: "object",
    wellKnown: "ObjectMeta",
    typeName: "ObjectMeta",
    description: "Standard object metadata.",
    properties: [
      field("name", false, str()),
      field("namespace", false, str()),
      field("labels", false, stringMap()),
      field("annotations", false, stringMap()),
      field("finalizers", false, stringList()),
    ],
  }),
  Time: () => dateTime("Time"),
  MicroTime: () => dateTime("MicroTime"),
  Duration: () => ({ type: "string", wellKnown: "Duration", typeName: "Duration" }),
  Quantity: () => ({ type: "int-or-string", pattern: QUANTITY_PATTERN, wellKnown: "Quantity", typeName: "Quantity" }),
  IntOrString: () => ({ type: "int-or-string", wellKnown: "IntOrString", typeName: "IntOrString" }),
  int32: () => ({ type: "integer", format: "int32", wellKnown: "int32", typeName: "int32" }),
  int64: () => ({ type: "integer", format: "int64", wellKnown: "int64", typeName: "int64" }),
  Condition: () => ({
    type: "object",
    wellKnown: "Condition",
    typeName: "Condition",
    description: "One aspect of the current state of this object.",
    properties: [
      field(
        "type",
        true,
        str({ maxLength: 316, pattern: CONDITION_TYPE_PATTERN }),
        "Type of condition in CamelCase or in foo.example.com/CamelCase.",
      ),
      field(
        "status",
        true,
        str({ enum: ["True", "False", "Unknown"] }),
        "Status of the condition: True, False or Unknown.",
      ),
      field(
        "observedGeneration",
        false,
        { type: "integer", format: "int64", minimum: 0 },
        "The .metadata.generation that the condition was set based upon.",
      ),
      field(
        "lastTransitionTime",
        true,
        { type: "string", format: "date-time" },
        "The last time the condition transitioned from one status to another.",
      ),
      field(
        "reason",
        true,
        str({ minLength: 1, maxLength: 1024, pattern: CONDITION_REASON_PATTERN }),
        "A programmatic identifier for the reason of the condition's last transition, in CamelCase.",
      ),
      field("message", true, str({ maxLength: 32768 }), "A human readable message with details about the transition."),
    ],
  }),
  LabelSelector: () => ({
    type: "object",
    wellKnown: "LabelSelector",
    typeName: "LabelSelector",
    description:
      "A label query over a set of resources: the results of matchLabels and matchExpressions are ANDed; an empty selector matches all objects.",
    mapType: "atomic",
    properties: [
      field("matchExpressions", false, { type: "array", items: labelSelectorRequirement(), listType: "atomic" }),
      field("matchLabels", false, stringMap()),
    ],
  }),
  LabelSelectorRequirement: labelSelectorRequirement,
};

const CACHE = new Map<WellKnownTypeName, TypeModel>();

export function isWellKnownTypeName(name: string): name is WellKnownTypeName {
  return Object.hasOwn(BUILDERS, name);
}

export const WELL_KNOWN_TYPE_NAMES: readonly WellKnownTypeName[] = Object.keys(BUILDERS) as WellKnownTypeName[];

/** The shared (never mutated) schema node of a meta type. */
export function wellKnownType(name: WellKnownTypeName): TypeModel {
  let type = CACHE.get(name);
  if (type === undefined) {
    type = BUILDERS[name]();
    CACHE.set(name, type);
  }
  return type;
}
