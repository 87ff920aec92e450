import type { CelSchema } from "./schema.js";

/**
 * A field path rendered as Kubernetes' field.Path: `spec.items[0].name`, map keys as `[key]`,
 * and `<nil>` for the root (where Kubernetes reports errors of rules on the object itself).
 */
export class FieldPath {
  private constructor(
    private readonly parent: FieldPath | undefined,
    private readonly segment: string,
  ) {}

  static readonly root = new FieldPath(undefined, "");

  child(name: string): FieldPath {
    return new FieldPath(this, this.parent === undefined ? name : `.${name}`);
  }

  index(i: number): FieldPath {
    return new FieldPath(this, `[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(this, `[${k}]`);
  }

  toString(): string {
    if (this.parent === undefined) return "<nil>";
    const parts: string[] = [];
    for (let p: FieldPath | undefined = this; p?.parent !== undefined; p = p.parent) parts.push(p.segment);
    return parts.reverse().join("");
  }
}

/** Why a rule's fieldPath does not point at a field of the schema. */
export class InvalidFieldPathError extends Error {
  override readonly name = "InvalidFieldPathError";
}

/**
 * Validates a rule's `fieldPath` (`.spec.name`, `.spec['x.y']`, `.labels['app']`) against the schema
 * and returns it normalized as a relative field path (apiextensions ValidFieldPath).
 */
export function validFieldPath(jsonPath: string, schema: CelSchema): string {
  const tokens = tokenize(jsonPath);
  let current: CelSchema | undefined = schema;
  const parts: string[] = [];
  const append = (name: string) => {
    if (current?.properties !== undefined) {
      const next: CelSchema | undefined = current.properties[name];
      if (next === undefined) throw new InvalidFieldPathError("does not refer to a valid field");
      parts.push(parts.length === 0 ? name : `.${name}`);
      current = next;
    } else if (typeof current?.additionalProperties === "object") {
      parts.push(`[${name}]`);
      current = current.additionalProperties;
    } else {
      throw new InvalidFieldPathError("does not refer to a valid field");
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok === ".") {
      const name = tokens[++i];
      if (name === undefined) throw new InvalidFieldPathError("unexpected end of JSON path");
      append(name);
    } else if (tok === "[") {
      const quoted = tokens[++i];
      if (quoted === undefined) throw new InvalidFieldPathError("unexpected end of JSON path");
      if (quoted.length < 2 || !quoted.startsWith("'") || !quoted.endsWith("'")) {
        throw new InvalidFieldPathError(`expected single quoted string but got ${quoted}`);
      }
      append(unescapeSingleQuoted(quoted.slice(1, -1)));
      const close = tokens[++i];
      if (close === undefined) throw new InvalidFieldPathError("unexpected end of JSON path");
      if (close !== "]") throw new InvalidFieldPathError(`expected ] but got ${close}`);
    } else {
      throw new InvalidFieldPathError(`expected [ or . but got: ${tok}`);
    }
  }
  return parts.join("");
}

function tokenize(path: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i] as string;
    if (c === "'") {
      let j = i + 1;
      while (j < path.length && !(path[j] === "'" && path[j - 1] !== "\\")) j++;
      tokens.push(path.slice(i, j + 1));
      i = j + 1;
    } else if (c === "." || c === "[" || c === "]") {
      tokens.push(c);
      i++;
    } else {
      let j = i;
      while (j < path.length && !".[]".includes(path[j] as string)) j++;
      tokens.push(path.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

const escapes: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "'": "'",
  "\\": "\\",
};

function unescapeSingleQuoted(s: string): string {
  return s.replace(/\\./g, (m) => {
    const r = escapes[m[1] as string];
    if (r === undefined) throw new InvalidFieldPathError(`invalid string literal: invalid escape char ${m}`);
    return r;
  });
}
