export interface LiteralStyle {
  /** "typescript": unquoted keys where possible and trailing commas; "json": strict JSON. */
  syntax: "typescript" | "json";
  /** The formatter's line width (biome.json: 120). */
  lineWidth: number;
  indent: string;
}

export const TYPESCRIPT_STYLE: LiteralStyle = { syntax: "typescript", lineWidth: 120, indent: "  " };
export const JSON_STYLE: LiteralStyle = { syntax: "json", lineWidth: 120, indent: "  " };

/**
 * Prints plain data (what JSON can hold) as source text laid out the way the project's
 * formatter (biome, prettier-compatible) lays it out, so that formatting a generated file
 * changes nothing: non-empty objects one key per line; arrays on one line when they fit, else
 * one item per line (numbers fill lines); strings in the quote needing fewer escapes.
 *
 * @param column the width already used on the line where the value starts.
 * @param trailer what follows the value on its line (e.g. "," or ";"), counted in the width.
 */
export function printLiteral(value: unknown, style: LiteralStyle, depth = 0, column = 0, trailer = ""): string {
  const flat = printFlat(value, style);
  if (flat !== undefined && (column + flat.length + trailer.length <= style.lineWidth || !Array.isArray(value))) {
    return flat;
  }
  const pad = style.indent.repeat(depth);
  const inner = style.indent.repeat(depth + 1);
  const comma = style.syntax === "typescript" ? "," : "";
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === "number")) {
      return `[\n${fillNumbers(value as number[], inner, style)}${comma}\n${pad}]`;
    }
    const lines = value.map((item, index) => {
      const last = index === value.length - 1;
      const itemTrailer = last ? comma : ",";
      return `${inner}${printLiteral(item, style, depth + 1, inner.length, itemTrailer)}${itemTrailer}`;
    });
    return `[\n${lines.join("\n")}\n${pad}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  const lines = entries.map(([key, item], index) => {
    const last = index === entries.length - 1;
    const itemTrailer = last ? comma : ",";
    const printedKey = printKey(key, style);
    const head = `${inner}${printedKey}: `;
    if (
      typeof item === "string" &&
      breaksAfterColon(printedKey, head.length, printString(item, style), itemTrailer, style)
    ) {
      return `${inner}${printedKey}:\n${inner}${style.indent}${printString(item, style)}${itemTrailer}`;
    }
    return `${head}${printLiteral(item, style, depth + 1, head.length, itemTrailer)}${itemTrailer}`;
  });
  return `{\n${lines.join("\n")}\n${pad}}`;
}

/**
 * A string too long for its line moves below its key, indented, as the formatter's
 * assignment layout does, except after short keys (narrower than the indent plus 3) and in JSON.
 */
function breaksAfterColon(
  printedKey: string,
  column: number,
  text: string,
  trailer: string,
  style: LiteralStyle,
): boolean {
  if (style.syntax === "json" || printedKey.length < style.indent.length + 3) return false;
  return column + text.length + trailer.length > style.lineWidth;
}

/** The one-line form, or undefined when the value never goes on one line (a non-empty object). */
function printFlat(value: unknown, style: LiteralStyle): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return printString(value, style);
    case "number":
      return printNumber(value);
    case "boolean":
      return String(value);
    case "object": {
      if (Array.isArray(value)) {
        const items = value.map((item) => printFlat(item, style));
        if (items.some((item) => item === undefined)) return undefined;
        return `[${items.join(", ")}]`;
      }
      const defined = Object.values(value as Record<string, unknown>).some((item) => item !== undefined);
      return defined ? undefined : "{}";
    }
  }
  throw new TypeError(`cannot print a ${typeof value} as a literal`);
}

function fillNumbers(values: number[], inner: string, style: LiteralStyle): string {
  const lines: string[] = [];
  let line = "";
  for (const [index, value] of values.entries()) {
    const text = printNumber(value) + (index === values.length - 1 ? "" : ",");
    const candidate = line === "" ? text : `${line} ${text}`;
    if (line !== "" && inner.length + candidate.length > style.lineWidth) {
      lines.push(line);
      line = text;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines.map((l) => inner + l).join("\n");
}

function printNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`${value} is not JSON`);
  return String(value).replace("e+", "e");
}

function printKey(key: string, style: LiteralStyle): string {
  if (style.syntax === "typescript" && /^[A-Za-z_$][\w$]*$/.test(key)) return key;
  return JSON.stringify(key);
}

/** JSON-escaped; in TypeScript, single quotes when the text holds more `"` than `'` (as the formatter picks). */
export function printString(value: string, style: LiteralStyle): string {
  const doubled = JSON.stringify(value);
  if (style.syntax === "json") return doubled;
  const doubles = value.split('"').length - 1;
  const singles = value.split("'").length - 1;
  if (doubles <= singles) return doubled;
  const body = doubled.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${body}'`;
}
