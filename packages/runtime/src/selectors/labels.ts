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

const isOp = (token: Token, value: string): boolean => token.kind === "op" && token.value === value;

/** Where values are expected, `in` and `notin` are plain identifiers (as `x in (in)`). */
function asValue(token: Token): Token {
  return token.kind === "op" && (token.value === "in" || token.value === "notin")
    ? { kind: "identifier", value: token.value }
    : token;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(value, 10, 64) succeeds. */
function isInt64(value: string): boolean {
  if (!/^[+-]?\d+$/.test(value)) return false;
  const n = BigInt(value);
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** Kubernetes' field.ErrorList aggregate: one message alone, several in brackets. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] as string) : `[${unique.join(", ")}]`;
}

/**
 * Parses a label selector string; throws LabelSelectorError. The grammar, the errors and
 * their wording follow apimachinery's Parser: errors inside one requirement carry
 * "unable to parse requirement: ", errors between requirements don't.
 */
export function parseLabelSelector(input: string): LabelSelector {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token => tokens[pos] as Token;
  const next = (): Token => tokens[pos++] as Token;
  const fail = (message: string): never => {
    throw new LabelSelectorError(`unable to parse requirement: ${message}`);
  };

  const parseValues = (): string[] => {
    const open = asValue(next());
    if (!isOp(open, "(")) fail(`found '${describe(open)}' expected: '('`);
    const first = asValue(peek());
    if (isOp(first, ")")) {
      next();
      return [""];
    }
    if (!(first.kind === "identifier" || isOp(first, ","))) {
      fail(`found '${describe(first)}', expected: ',', ')' or identifier`);
    }
    const values = new Set<string>();
    for (;;) {
      const token = asValue(next());
      if (token.kind === "identifier") {
        values.add(token.value);
        const after = asValue(peek());
        if (isOp(after, ",")) continue;
        if (isOp(after, ")")) break;
        fail(`found '${describe(after)}', expected: ',' or ')'`);
      } else if (isOp(token, ",")) {
        // "(,a)", "(a,)" and "(a,,b)" each hold the empty value.
        if (values.size === 0) values.add("");
        const after = asValue(peek());
        if (isOp(after, ")")) {
          values.add("");
          break;
        }
        if (isOp(after, ",")) {
          next();
          values.add("");
        }
      } else {
        fail(`found '${describe(token)}', expected: ',', or identifier`);
      }
    }
    next(); // the ")" seen above
    return [...values].sort();
  };

  const parseExactValue = (): string => {
    const ahead = asValue(peek());
    if (ahead.kind === "end" || isOp(ahead, ",")) return "";
    const token = asValue(next());
    if (token.kind !== "identifier") fail(`found '${describe(token)}', expected: identifier`);
    return (token as { value: string }).value;
  };

  const parseRequirement = (): LabelRequirement => {
    let token = asValue(next());
    const negated = isOp(token, "!");
    if (negated) token = asValue(next());
    if (token.kind !== "identifier") fail(`found '${describe(token)}', expected: identifier`);
    const key = (token as { value: string }).value;
    const keyErrors = isQualifiedName(key);
    if (keyErrors.length > 0) fail(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrors.join("; ")}`);
    const ahead = asValue(peek());
    if (negated) return { key, operator: "!", values: [] };
    if (ahead.kind === "end" || isOp(ahead, ",")) return { key, operator: "exists", values: [] };

    const op = next();
    let operator: LabelOperator;
    let values: string[];
    if (isOp(op, "in") || isOp(op, "notin")) {
      operator = op.kind === "op" && op.value === "in" ? "in" : "notin";
      values = parseValues();
    } else if (isOp(op, "=") || isOp(op, "==") || isOp(op, "!=") || isOp(op, ">") || isOp(op, "<")) {
      const symbol = (op as { value: string }).value;
      operator = symbol === "!=" ? "!=" : symbol === ">" ? "gt" : symbol === "<" ? "lt" : "=";
      values = [parseExactValue()];
    } else {
      return fail(`found '${describe(op)}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    // NewRequirement's checks, all reported together.
    const errors: string[] = [];
    if (operator === "gt" || operator === "lt") {
      values.forEach((v, i) => {
        if (!isInt64(v))
          errors.push(
            `values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
      });
    }
    values.forEach((v, i) => {
      const valueErrors = isValidLabelValue(v);
      if (valueErrors.length > 0)
        errors.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${valueErrors.join("; ")}`);
    });
    if (errors.length > 0) fail(aggregate(errors));
    return { key, operator, values };
  };

  const requirements: LabelRequirement[] = [];
  for (;;) {
    const first = asValue(peek());
    if (first.kind === "end") break;
    if (!(first.kind === "identifier" || isOp(first, "!"))) {
      throw new LabelSelectorError(`found '${describe(first)}', expected: !, identifier, or 'end of string'`);
    }
    requirements.push(parseRequirement());
    const after = asValue(next());
    if (after.kind === "end") break;
    if (!isOp(after, ",")) {
      throw new LabelSelectorError(`found '${describe(after)}', expected: ',' or 'end of string'`);
    }
    const following = asValue(peek());
    if (!(following.kind === "identifier" || isOp(following, "!"))) {
      throw new LabelSelectorError(`found '${describe(following)}', expected: identifier after ','`);
    }
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
      if (!has || !isInt64(value as string)) return false;
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
