/**
 * The JSONPath subset Kubernetes uses in printer columns, selectable fields and scale
 * paths: `.a.b`, `['a.b']`, `[0]`, `[*]`, and filters `[?(@.type=="Ready")]`.
 */

type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "wildcard" }
  | { kind: "filter"; path: Step[]; operator: "==" | "!=" | "exists"; value?: unknown };

export class JSONPathError extends Error {
  override readonly name = "JSONPathError";
}

const cache = new Map<string, Step[]>();

/** Parses `.spec.items[0].name` (braces `{...}` around it are accepted). */
export function parseJSONPath(expression: string): Step[] {
  const cached = cache.get(expression);
  if (cached) return cached;
  let text = expression.trim();
  if (text.startsWith("{") && text.endsWith("}")) text = text.slice(1, -1).trim();
  const steps = parseSteps(text, expression);
  cache.set(expression, steps);
  return steps;
}

function parseSteps(text: string, whole: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  if (text.startsWith("$")) i = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      i++;
      let j = i;
      while (j < text.length && text[j] !== "." && text[j] !== "[") j++;
      const name = text.slice(i, j);
      if (name === "*") steps.push({ kind: "wildcard" });
      else if (name) steps.push({ kind: "field", name });
      i = j;
    } else if (c === "[") {
      const end = findClose(text, i);
      if (end < 0) throw new JSONPathError(`unclosed [ in ${whole}`);
      const inner = text.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ kind: "wildcard" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: "field", name: inner.slice(1, -1) });
      else if (inner.startsWith("?(") && inner.endsWith(")")) steps.push(parseFilter(inner.slice(2, -1).trim(), whole));
      else throw new JSONPathError(`unsupported JSONPath element [${inner}] in ${whole}`);
    } else {
      throw new JSONPathError(`unexpected ${JSON.stringify(c)} in JSONPath ${whole}`);
    }
  }
  return steps;
}

function findClose(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) return i;
  }
  return -1;
}

function parseFilter(expression: string, whole: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_-]+|\['[^']*'\])*)\s*(?:(==|!=)\s*(.+))?$/.exec(expression);
  if (!m) throw new JSONPathError(`unsupported filter ${expression} in ${whole}`);
  const path = parseSteps(m[1] ?? "", whole);
  if (!m[2]) return { kind: "filter", path, operator: "exists" };
  const raw = (m[3] as string).trim();
  let value: unknown;
  if (/^'.*'$|^".*"$/.test(raw)) value = raw.slice(1, -1);
  else if (raw === "true" || raw === "false") value = raw === "true";
  else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
  else throw new JSONPathError(`unsupported filter value ${raw} in ${whole}`);
  return { kind: "filter", path, operator: m[2] as "==" | "!=", value };
}

function apply(steps: Step[], roots: unknown[]): unknown[] {
  let current = roots;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const node of current) {
      if (node === null || node === undefined) continue;
      switch (step.kind) {
        case "field":
          if (typeof node === "object" && !Array.isArray(node) && Object.hasOwn(node, step.name)) {
            next.push((node as Record<string, unknown>)[step.name]);
          }
          break;
        case "index":
          if (Array.isArray(node)) {
            const i = step.index < 0 ? node.length + step.index : step.index;
            if (i >= 0 && i < node.length) next.push(node[i]);
          }
          break;
        case "wildcard":
          if (Array.isArray(node)) next.push(...node);
          else if (typeof node === "object") next.push(...Object.values(node));
          break;
        case "filter":
          if (Array.isArray(node)) {
            for (const item of node) {
              const found = apply(step.path, [item]);
              if (
                step.operator === "exists" ? found.length > 0 : (found[0] === step.value) === (step.operator === "==")
              ) {
                if (step.operator !== "!=" || found.length > 0) next.push(item);
              }
            }
          }
          break;
      }
    }
    current = next;
  }
  return current;
}

/** All values the path selects (empty when none). */
export function evaluateJSONPath(expression: string, object: unknown): unknown[] {
  return apply(parseJSONPath(expression), [object]);
}

/** Sets the value at a simple field path (`.spec.replicas`), creating objects on the way. */
export function setJSONPath(expression: string, object: Record<string, unknown>, value: unknown): void {
  const steps = parseJSONPath(expression);
  let node: Record<string, unknown> = object;
  steps.forEach((step, i) => {
    if (step.kind !== "field") throw new JSONPathError(`${expression}: only field paths can be written`);
    if (i === steps.length - 1) {
      node[step.name] = value;
    } else {
      const child = node[step.name];
      if (child === null || typeof child !== "object" || Array.isArray(child)) node[step.name] = {};
      node = node[step.name] as Record<string, unknown>;
    }
  });
}
