/**
 * A Scale body read into autoscaling/v1's typed Scale, as kube-apiserver reads it: `replicas`
 * are int32 and `selector` a string, so a value of another type or out of range is a decoding
 * error, in the words of the decoder that met it. A PUT and JSON or merge patches go through
 * encoding/json (sigs.k8s.io/json: `json: cannot unmarshal number 3000000000 into Go struct
 * field ScaleSpec.spec.replicas of type int32`); a strategic merge patch's result goes through
 * runtime.DefaultUnstructuredConverter, which converts any integer the way Go converts int64
 * to int32 (wrapping) and refuses other types in its own words. An absent or null field is
 * Go's zero value.
 *
 * Go reads a number as written, which JSON.parse forgets: encoding/json stores only a literal of
 * digits in an int32 (`1e3` and `3.0` are `cannot unmarshal number 1e3 ...`), and sigs.k8s.io/json's
 * PreserveInts makes such a literal a float64 in a strategic merge patch, which the converter
 * refuses. The caller says how the document Go decodes writes a number (`spelled`), when it knows.
 */

/** Which Go decoder reads the Scale (see above). */
export type ScaleDecoder = "json" | "unstructured";

/** How the document Go decodes writes the number at a field path (`["spec", "replicas"]`), if known. */
export type NumberSpelling = (path: readonly string[]) => string | undefined;

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
export function decodeScale(
  scale: Record<string, unknown>,
  decoder: ScaleDecoder,
  spelled: NumberSpelling = () => undefined,
): DecodedScale {
  const literal = (path: readonly string[], value: number) => numberText(spelled(path), value);
  const error =
    decoder === "json"
      ? jsonError(scale, SCALE_FIELDS, [], literal)
      : unstructuredError(scale, SCALE_FIELDS, [], literal);
  if (error !== undefined) return { error };
  const spec = scale.spec;
  if (!isObject(spec) || typeof spec.replicas !== "number") return { replicas: 0 };
  if (decoder === "json") return { replicas: spec.replicas };
  // An int64 past 2^53 is read from its digits, not from the double JSON.parse made of them.
  return { replicas: toInt32(BigInt(literal(["spec", "replicas"], spec.replicas))) };
}

/** The text of a number, as written when `written` is its spelling, else as JavaScript writes it. */
function numberText(written: string | undefined, value: number): string {
  // A spelling of another value (a caller's guess gone wrong) is not this number's.
  if (written !== undefined && Number(written) === value) return written;
  return String(value);
}

/** Whether a number's text is a literal of digits (strconv.ParseInt's), not a fraction or exponent. */
function isIntegerText(text: string): boolean {
  return /^-?[0-9]+$/.test(text);
}

type Literal = (path: readonly string[], value: number) => string;

// --- encoding/json: the first UnmarshalTypeError in the document's order -----------------

function jsonError(
  object: Record<string, unknown>,
  fields: readonly GoField[],
  path: readonly string[],
  literal: Literal,
): string | undefined {
  for (const key of Object.keys(object)) {
    const field = fields.find((f) => f.key === key);
    const value = object[key];
    if (!field || value === null) continue;
    const fieldPath = [...path, key];
    const problem = jsonValueProblem(value, field.type, () => literal(fieldPath, value as number));
    if (problem !== undefined) {
      return `json: cannot unmarshal ${problem} into Go struct field ${field.struct}.${fieldPath.join(".")} of type ${field.type}`;
    }
    if (field.fields && isObject(value)) {
      const inner = jsonError(value, field.fields, fieldPath, literal);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** encoding/json's description of a JSON value that `type` cannot hold (UnmarshalTypeError.Value). */
function jsonValueProblem(value: unknown, type: GoType, text: () => string): string | undefined {
  const struct = type.startsWith("v1.");
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "object":
      return struct ? undefined : "object";
    case "string":
      return type === "string" ? undefined : "string";
    case "boolean":
      return "bool";
    case "number": {
      if (type !== "int32") return "number";
      // strconv.ParseInt of the literal, then int32's range (OverflowInt).
      const written = text();
      return isIntegerText(written) && fitsInt(written, 32) ? undefined : `number ${written}`;
    }
    default:
      return undefined;
  }
}

/** Whether a literal of digits fits a signed integer of `bits`. */
function fitsInt(digits: string, bits: number): boolean {
  const n = BigInt(digits);
  return n >= -(1n << BigInt(bits - 1)) && n < 1n << BigInt(bits - 1);
}

// --- runtime.DefaultUnstructuredConverter: fields in the structs' order, first error ----------

function unstructuredError(
  object: Record<string, unknown>,
  fields: readonly GoField[],
  path: readonly string[],
  literal: Literal,
): string | undefined {
  for (const field of fields) {
    const value = object[field.key];
    if (value === undefined || value === null) continue;
    const fieldPath = [...path, field.key];
    const problem = unstructuredValueProblem(value, field.type, () => literal(fieldPath, value as number));
    if (problem !== undefined) return problem;
    if (field.fields && isObject(value)) {
      const inner = unstructuredError(value, field.fields, fieldPath, literal);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/**
 * Go's kind of a decoded JSON value in an unstructured map: PreserveInts makes a number an int64
 * when its text is digits that fit one, else a float64.
 */
function goKind(value: unknown, text: () => string): string {
  if (Array.isArray(value)) return "slice";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number": {
      const written = text();
      return isIntegerText(written) && fitsInt(written, 64) ? "int64" : "float64";
    }
    default:
      return "map";
  }
}

/** The converter's error for `value` into a field of `type` (fromUnstructured), if any. */
function unstructuredValueProblem(value: unknown, type: GoType, text: () => string): string | undefined {
  const kind = goKind(value, text);
  if (type.startsWith("v1.")) return kind === "map" ? undefined : `cannot restore struct from: ${kind}`;
  if (type === "int32") {
    if (kind === "int64") return undefined;
    return kind === "float64" ? "cannot convert float64 to int32" : "unrecognized type: int32";
  }
  // A string field: Go converts an integer to a string (a rune), but the converter refuses it.
  if (kind === "string") return undefined;
  return kind === "int64" ? "cannot convert int64 to string" : "unrecognized type: string";
}

/** Go's int32(n) of an int64: the low 32 bits, as two's complement. */
function toInt32(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}
