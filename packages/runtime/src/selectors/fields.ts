/**
 * Field selectors (apimachinery pkg/fields): `a=b`, `a==b`, `a!=b` joined by commas,
 * with `\` escaping `,`, `=` and `\` in values. Which fields may be used is the
 * resource's business: metadata.name, metadata.namespace and declared selectable fields.
 */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

export class FieldSelectorError extends Error {
  override readonly name = "FieldSelectorError";
}

export interface FieldSelector {
  requirements: FieldRequirement[];
  empty: boolean;
  /** The value `field` must equal, when the selector pins it (e.g. metadata.name=foo). */
  exactMatch(field: string): string | undefined;
}

function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let current = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (c === "\\" && i + 1 < input.length) {
      current += c + (input[i + 1] as string);
      i++;
    } else if (c === ",") {
      terms.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  terms.push(current);
  return terms;
}

/** apimachinery's fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; `,` and `=` must be escaped. */
function unescapeValue(value: string): string {
  let out = "";
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") {
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === "\\") {
      inSlash = true;
    } else if (c === "," || c === "=") {
      // Go prints the rune with %v: its code point.
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new FieldSelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

const OPERATORS = ["!=", "==", "="] as const;

/**
 * apimachinery's splitTerm: the first position from the left where an operator starts splits
 * the term ("!=" and "==" tried before "="); the field may be empty and is not trimmed.
 */
function splitTerm(term: string): { field: string; operator: FieldRequirement["operator"]; rest: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of OPERATORS) {
      if (term.startsWith(op, i)) {
        return { field: term.slice(0, i), operator: op === "!=" ? "!=" : "=", rest: term.slice(i + op.length) };
      }
    }
  }
  return undefined;
}

export function parseFieldSelector(input: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  // Sorted as apimachinery sorts the terms, so that the first refused one is the same.
  const terms = input === "" ? [] : splitTerms(input).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const term of terms) {
    if (term === "") continue;
    const split = splitTerm(term);
    if (!split) throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
    requirements.push({ field: split.field, operator: split.operator, value: unescapeValue(split.rest) });
  }
  return {
    requirements,
    empty: requirements.length === 0,
    exactMatch(field) {
      return requirements.find((r) => r.field === field && r.operator === "=")?.value;
    },
  };
}

/** Evaluates a field selector against the values of the fields it names. */
export function matchesFields(selector: FieldSelector, fieldValue: (field: string) => string): boolean {
  for (const r of selector.requirements) {
    const actual = fieldValue(r.field);
    if (r.operator === "=" ? actual !== r.value : actual === r.value) return false;
  }
  return true;
}
