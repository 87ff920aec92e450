/**
 * A Scale body read into autoscaling/v1's typed Scale, as kube-apiserver reads it: `replicas`
 * are int32 and `selector` a string, so a value of another type or out of range is a decoding
 * error, in the words of the decoder that met it. A PUT and JSON or merge patches go through
 * encoding/json (sigs.k8s.io/json: `json: cannot unmarshal number 3000000000 into Go struct
 * field ScaleSpec.spec.replicas of type int32`); a strategic merge patch's result goes through
 * runtime.DefaultUnstructuredConverter, which converts any integer the way Go converts int64
 * to int32 (wrapping) and refuses other types in its own words. An absent or null field is
 * Go's zero value.
 */

/** Which Go decoder reads the Scale (see above). */
export type ScaleDecoder = "json" | "unstructured";

/** What the typed Scale holds, or the decoder's error. */
export type DecodedScale = { replicas: number; error?: undefined } | { error: string };

type GoType = "int32" | "string" | "v1.ScaleSpec" | "v1.ScaleStatus";

interface GoField {
  key: string;
  type: GoType;
  /** The struct the field is in (encoding/json names it in its errors). */
  struct: string;
  fields?: readonly GoField[];
}

/** autoscaling/v1 Scale's fields that have a type a client can get wrong, in the structs' order. */
const SCALE_FIELDS: readonly GoField[] = [
  {
    key: "spec",
    type: "v1.ScaleSpec",
    struct: "Scale",
    fields: [{ key: "replicas", type: "int32", struct: "ScaleSpec" }],
  },
  {
    key: "status",
    type: "v1.ScaleStatus",
    struct: "Scale",
    fields: [
      { key: "replicas", type: "int32", struct: "ScaleStatus" },
      { key: "selector", type: "string", struct: "ScaleStatus" },
    ],
  },
];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Reads `scale` as the typed Scale; `spec.replicas` as Go holds it afterwards. */
export function decodeScale(scale: Record<string, unknown>, decoder: ScaleDecoder): DecodedScale {
  const error = decoder === "json" ? jsonError(scale, SCALE_FIELDS, "") : unstructuredError(scale, SCALE_FIELDS);
  if (error !== undefined) return { error };
  const spec = scale.spec;
  const replicas = isObject(spec) && typeof spec.replicas === "number" ? spec.replicas : 0;
  return { replicas: decoder === "json" ? replicas : toInt32(replicas) };
}

// --- encoding/json: the first UnmarshalTypeError in the document's order -----------------

function jsonError(object: Record<string, unknown>, fields: readonly GoField[], path: string): string | undefined {
  for (const key of Object.keys(object)) {
    const field = fields.find((f) => f.key === key);
    const value = object[key];
    if (!field || value === null) continue;
    const fieldPath = path ? `${path}.${key}` : key;
    const problem = jsonValueProblem(value, field.type);
    if (problem !== undefined) {
      return `json: cannot unmarshal ${problem} into Go struct field ${field.struct}.${fieldPath} of type ${field.type}`;
    }
    if (field.fields && isObject(value)) {
      const inner = jsonError(value, field.fields, fieldPath);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** encoding/json's description of a JSON value that `type` cannot hold (UnmarshalTypeError.Value). */
function jsonValueProblem(value: unknown, type: GoType): string | undefined {
  const struct = type.startsWith("v1.");
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "object":
      return struct ? undefined : "object";
    case "string":
      return type === "string" ? undefined : "string";
    case "boolean":
      return "bool";
    case "number":
      if (type === "int32") return isInt32(value) ? undefined : `number ${value}`;
      return "number";
    default:
      return undefined;
  }
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;
}

// --- runtime.DefaultUnstructuredConverter: fields in the structs' order, first error ----------

function unstructuredError(object: Record<string, unknown>, fields: readonly GoField[]): string | undefined {
  for (const field of fields) {
    const value = object[field.key];
    if (value === undefined || value === null) continue;
    const problem = unstructuredValueProblem(value, field.type);
    if (problem !== undefined) return problem;
    if (field.fields && isObject(value)) {
      const inner = unstructuredError(value, field.fields);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** Go's kind of a decoded JSON value in an unstructured map (integers are int64). */
function goKind(value: unknown): string {
  if (Array.isArray(value)) return "slice";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int64" : "float64";
    default:
      return "map";
  }
}

/** The converter's error for `value` into a field of `type` (fromUnstructured), if any. */
function unstructuredValueProblem(value: unknown, type: GoType): string | undefined {
  const kind = goKind(value);
  if (type.startsWith("v1.")) return kind === "map" ? undefined : `cannot restore struct from: ${kind}`;
  if (type === "int32") {
    if (kind === "int64") return undefined;
    return kind === "float64" ? "cannot convert float64 to int32" : "unrecognized type: int32";
  }
  // A string field: Go converts an integer to a string (a rune), but the converter refuses it.
  if (kind === "string") return undefined;
  return kind === "int64" ? "cannot convert int64 to string" : "unrecognized type: string";
}

/** Go's int32(int64(n)): the low 32 bits, as two's complement. */
function toInt32(value: number): number {
  if (Math.abs(value) >= 2 ** 63) return 0;
  return Number(BigInt.asIntN(32, BigInt(value)));
}
