/**
 * Label selectors with Kubernetes' full syntax (apimachinery pkg/labels/selector.go):
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`,
 * joined by commas. Parse errors carry Kubernetes' wording.
 */
import { isQualifiedName, isValidLabelValue } from "../validation/object-meta.js";

export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export class LabelSelectorError extends Error {
  override readonly name = "LabelSelectorError";
}

export interface LabelSelector {
  requirements: LabelRequirement[];
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True when the selector selects everything. */
  empty: boolean;
}

type Token =
  | { kind: "identifier"; value: string }
  | { kind: "op"; value: "=" | "==" | "!=" | "!" | ">" | "<" | "in" | "notin" | "(" | ")" | "," }
  | { kind: "end" };

const special = new Set(["=", "!", "(", ")", ",", ">", "<"]);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (special.has(c)) {
      const two = input.slice(i, i + 2);
      if (two === "==" || two === "!=") {
        tokens.push({ kind: "op", value: two });
        i += 2;
      } else {
        tokens.push({ kind: "op", value: c as "=" | "!" | "(" | ")" | "," | ">" | "<" });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < input.length && !special.has(input[j] as string) && !/\s/.test(input[j] as string)) j++;
    const word = input.slice(i, j);
    if (word === "in" || word === "notin") tokens.push({ kind: "op", value: word });
    else tokens.push({ kind: "identifier", value: word });
    i = j;
  }
  tokens.push({ kind: "end" });
  return tokens;
}

function describe(token: Token): string {
  if (token.kind === "end") return "";
  return token.value;
}

/** Parses a label selector string; throws LabelSelectorError. */
export function parseLabelSelector(input: string): LabelSelector {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token => tokens[pos] as Token;
  const next = (): Token => tokens[pos++] as Token;
  const requirements: LabelRequirement[] = [];
  const fail = (message: string): never => {
    throw new LabelSelectorError(`unable to parse requirement: ${message}`);
  };

  if (peek().kind === "end") return makeSelector([]);
  for (;;) {
    let token = next();
    let requirement: LabelRequirement;
    if (token.kind === "op" && token.value === "!") {
      token = next();
      if (token.kind !== "identifier") fail(`found '${describe(token)}', expected: identifier after '!'`);
      requirement = { key: (token as { value: string }).value, operator: "!", values: [] };
    } else if (token.kind === "identifier") {
      const key = token.value;
      const op = peek();
      if (op.kind === "end" || (op.kind === "op" && op.value === ",")) {
        requirement = { key, operator: "exists", values: [] };
      } else if (op.kind !== "op") {
        fail(`found '${describe(op)}', expected: in, notin, =, ==, !=, gt, lt`);
        return makeSelector([]);
      } else {
        next();
        switch (op.value) {
          case "=":
          case "==":
          case "!=":
          case ">":
          case "<": {
            const v = peek();
            let value = "";
            if (v.kind === "identifier") {
              value = v.value;
              next();
            } else if (!(v.kind === "end" || (v.kind === "op" && v.value === ","))) {
              fail(`found '${describe(v)}', expected: identifier`);
            }
            const operator: LabelOperator =
              op.value === "!=" ? "!=" : op.value === ">" ? "gt" : op.value === "<" ? "lt" : "=";
            if ((operator === "gt" || operator === "lt") && !/^-?\d+$/.test(value)) {
              fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
            }
            requirement = { key, operator, values: [value] };
            break;
          }
          case "in":
          case "notin": {
            const open = next();
            if (!(open.kind === "op" && open.value === "(")) fail(`found '${describe(open)}', expected: '('`);
            const values: string[] = [];
            for (;;) {
              const v = next();
              if (v.kind === "identifier") {
                values.push(v.value);
                const sep = next();
                if (sep.kind === "op" && sep.value === ")") break;
                if (!(sep.kind === "op" && sep.value === ",")) fail(`found '${describe(sep)}', expected: ',', ')'`);
              } else if (v.kind === "op" && v.value === ")") {
                break;
              } else if (v.kind === "op" && v.value === ",") {
                values.push("");
              } else {
                fail(`found '${describe(v)}', expected: ',', ')' or identifier`);
              }
            }
            if (values.length === 0) fail("for 'in', 'notin' operators, values set can't be empty");
            requirement = { key, operator: op.value, values };
            break;
          }
          default:
            fail(`found '${op.value}', expected: in, notin, =, ==, !=, gt, lt`);
            return makeSelector([]);
        }
      }
    } else {
      fail(`found '${describe(token)}', expected: !, identifier, or 'end of string'`);
      return makeSelector([]);
    }
    for (const msg of isQualifiedName(requirement.key))
      fail(`key: Invalid value: ${JSON.stringify(requirement.key)}: ${msg}`);
    if (requirement.operator !== "gt" && requirement.operator !== "lt") {
      for (const value of requirement.values) {
        for (const msg of isValidLabelValue(value))
          fail(`values[0][${requirement.key}]: Invalid value: ${JSON.stringify(value)}: ${msg}`);
      }
    }
    requirements.push(requirement);
    const after = next();
    if (after.kind === "end") break;
    if (!(after.kind === "op" && after.value === ","))
      fail(`found '${describe(after)}', expected: ',' or 'end of string'`);
  }
  return makeSelector(requirements);
}

function matchRequirement(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case "=":
    case "in":
      return has && r.values.includes(value as string);
    case "!=":
    case "notin":
      return !has || !r.values.includes(value as string);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const n = Number(value);
      const limit = Number(r.values[0]);
      return r.operator === "gt" ? n > limit : n < limit;
    }
  }
}

export function makeSelector(requirements: LabelRequirement[]): LabelSelector {
  return {
    requirements,
    empty: requirements.length === 0,
    matches(labels) {
      const l = labels ?? {};
      for (const r of requirements) if (!matchRequirement(r, l)) return false;
      return true;
    },
  };
}

/** metav1.LabelSelector (matchLabels + matchExpressions) as a selector. */
export function fromLabelSelectorObject(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }>;
}): LabelSelector {
  const requirements: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: "=",
    values: [value],
  }));
  for (const e of selector.matchExpressions ?? []) {
    const operator: LabelOperator =
      e.operator === "In" ? "in" : e.operator === "NotIn" ? "notin" : e.operator === "Exists" ? "exists" : "!";
    requirements.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return makeSelector(requirements);
}

/** Renders a selector back to its string form (as the Scale subresource's status.selector). */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.requirements
    .map((r) => {
      switch (r.operator) {
        case "=":
          return `${r.key}=${r.values[0]}`;
        case "!=":
          return `${r.key}!=${r.values[0]}`;
        case "in":
        case "notin":
          return `${r.key} ${r.operator} (${[...r.values].sort().join(",")})`;
        case "exists":
          return r.key;
        case "!":
          return `!${r.key}`;
        case "gt":
          return `${r.key}>${r.values[0]}`;
        case "lt":
          return `${r.key}<${r.values[0]}`;
        default:
          return "";
      }
    })
    .join(",");
}
