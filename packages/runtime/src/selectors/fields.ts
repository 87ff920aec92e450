/**
 * Field selectors (apimachinery pkg/fields): `a=b`, `a==b`, `a!=b` joined by commas,
 * with `\` escaping `,`, `=`, `!` and `\` in values. Which fields may be used is the
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

function unescapeValue(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === "\\") {
      const n = value[i + 1];
      if (n === undefined || !"\\,=!".includes(n))
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: ${value}`);
      out += n;
      i++;
    } else if (c === "," || c === "=") {
      throw new FieldSelectorError(`invalid field selector: unescaped ${c} in value: ${value}`);
    } else {
      out += c;
    }
  }
  return out;
}

function findOperator(
  term: string,
): { operator: FieldRequirement["operator"]; index: number; opLength: number } | undefined {
  const notEqual = term.indexOf("!=");
  if (notEqual > 0) return { operator: "!=", index: notEqual, opLength: 2 };
  const doubleEqual = term.indexOf("==");
  if (doubleEqual > 0) return { operator: "=", index: doubleEqual, opLength: 2 };
  const equal = term.indexOf("=");
  if (equal > 0) return { operator: "=", index: equal, opLength: 1 };
  return undefined;
}

export function parseFieldSelector(input: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (input.trim() !== "") {
    for (const term of splitTerms(input)) {
      if (term === "") continue;
      const op = findOperator(term);
      if (!op) throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
      const { operator, index, opLength } = op;
      requirements.push({
        field: term.slice(0, index).trim(),
        operator,
        value: unescapeValue(term.slice(index + opLength)),
      });
    }
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
