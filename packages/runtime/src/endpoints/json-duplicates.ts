/**
 * What a JSON text says that JSON.parse does not keep: the fields it names twice in one
 * object, and how it writes its numbers.
 */

/**
 * The fields a JSON text names twice in one object, as sigs.k8s.io/json's strict decoding
 * reports them (`duplicate field "spec.replicas"`): JSON.parse keeps the last value silently.
 * Paths are Kubernetes field paths (`spec.items[0].name`), in the order the repeats appear.
 * `text` must be valid JSON (it was parsed already).
 */
export function duplicateFields(text: string): string[] {
  // Most bodies have none: a first pass only looks for a repeat; the second, rare, names them.
  const probe = new Scan(text, false);
  probe.value();
  if (!probe.any) return [];
  const scan = new Scan(text, true);
  scan.value();
  return scan.found.map((finding) => finding.path);
}

/**
 * The number JSON.parse(text) holds at `path` (object keys, and array indexes as numbers or
 * digits), as the text writes it (`1e3`, `3.0`): what Go's decoders see and JSON.parse forgets.
 * A repeated key is read as JSON.parse reads it, its last value. Undefined when no number is
 * there. `text` must be valid JSON (it was parsed already).
 */
export function numberLiteralAt(text: string, path: readonly (string | number)[]): string | undefined {
  return new Scan(text, false).numberAt(path);
}

/** The fields of a JSON patch operation as kube-apiserver decodes one. */
const JSON_PATCH_OPERATION_FIELDS: ReadonlySet<string> = new Set(["op", "path", "from", "value"]);

/**
 * What kube-apiserver's strict decoding says of a JSON patch's operations, in the order met:
 * `json patch unknown field "[0].foo"` for a field no operation has, and `json patch duplicate
 * field "[1].path"` for one an operation names twice (inside its value too). `operations` is
 * the parsed text; most patches have neither, and only a look at their keys is paid.
 */
export function jsonPatchFieldProblems(text: string, operations: readonly unknown[]): string[] {
  const unknownField = operations.some(
    (op) =>
      typeof op === "object" &&
      op !== null &&
      !Array.isArray(op) &&
      Object.keys(op).some((key) => !JSON_PATCH_OPERATION_FIELDS.has(key)),
  );
  if (!unknownField) {
    const probe = new Scan(text, false);
    probe.value();
    if (!probe.any) return [];
  }
  const scan = new Scan(text, true, JSON_PATCH_OPERATION_FIELDS);
  scan.value();
  return scan.found.map((finding) => `json patch ${finding.kind} field ${JSON.stringify(finding.path)}`);
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COMMA = 44;
const MINUS = 45;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

interface Finding {
  readonly kind: "duplicate" | "unknown";
  readonly path: string;
}

class Scan {
  readonly found: Finding[] = [];
  any = false;
  private i = 0;
  /** The path to the value being read (field names and list indexes), when `named`. */
  private readonly path: Array<string | number> = [];

  /**
   * `operationFields`, when given (named scans only), are the only fields the objects of a
   * top-level list may have: others are reported unknown (once each), not repeated.
   */
  constructor(
    private readonly text: string,
    private readonly named: boolean,
    private readonly operationFields?: ReadonlySet<string>,
  ) {}

  value(): void {
    this.space();
    const c = this.text.charCodeAt(this.i);
    if (c === OPEN_OBJECT) this.object();
    else if (c === OPEN_ARRAY) this.array();
    else if (c === QUOTE) this.i = this.stringEnd();
    else this.literal();
  }

  /** The text of the number at `path` below the value that starts here (see numberLiteralAt). */
  numberAt(path: readonly (string | number)[]): string | undefined {
    const text = this.text;
    for (const step of path) {
      this.space();
      const c = text.charCodeAt(this.i);
      let found: number | undefined;
      if (c === OPEN_OBJECT && typeof step === "string") {
        this.i++;
        this.space();
        if (text.charCodeAt(this.i) === CLOSE_OBJECT) return undefined;
        for (;;) {
          this.space();
          const key = this.string();
          this.space();
          this.i++; // ':'
          this.space();
          if (key === step) found = this.i;
          this.value();
          this.space();
          if (text.charCodeAt(this.i++) !== COMMA) break; // '}'
        }
      } else if (c === OPEN_ARRAY) {
        const index = typeof step === "number" ? step : /^(0|[1-9][0-9]*)$/.test(step) ? Number(step) : -1;
        this.i++;
        this.space();
        if (text.charCodeAt(this.i) === CLOSE_ARRAY) return undefined;
        for (let at = 0; at <= index; at++) {
          this.space();
          if (at === index) found = this.i;
          else {
            this.value();
            this.space();
            if (text.charCodeAt(this.i++) !== COMMA) break; // ']'
          }
        }
      }
      if (found === undefined) return undefined;
      this.i = found;
    }
    this.space();
    const start = this.i;
    const c = text.charCodeAt(start);
    if (c !== MINUS && (c < DIGIT_0 || c > DIGIT_9)) return undefined;
    this.literal();
    return text.slice(start, this.i);
  }

  private object(): void {
    this.i++;
    this.space();
    if (this.text.charCodeAt(this.i) === CLOSE_OBJECT) {
      this.i++;
      return;
    }
    // The keys met so far: a short list compares faster than a set for the usual few.
    const keys: string[] = [];
    let seen: Set<string> | undefined;
    const operation =
      this.operationFields !== undefined && this.path.length === 1 && typeof this.path[0] === "number"
        ? this.operationFields
        : undefined;
    for (;;) {
      this.space();
      const key = this.string();
      const repeated = seen ? seen.has(key) : keys.includes(key);
      if (operation !== undefined && !operation.has(key)) {
        if (!repeated) this.found.push({ kind: "unknown", path: this.pathTo(key) });
      } else if (repeated) {
        this.any = true;
        if (this.named) this.found.push({ kind: "duplicate", path: this.pathTo(key) });
      }
      if (!repeated) {
        if (seen) seen.add(key);
        else if (keys.push(key) > 16) seen = new Set(keys);
      }
      this.space();
      this.i++; // ':'
      if (this.named) this.path.push(key);
      this.value();
      if (this.named) this.path.pop();
      this.space();
      if (this.text.charCodeAt(this.i++) !== COMMA) return; // '}'
    }
  }

  private array(): void {
    this.i++;
    this.space();
    if (this.text.charCodeAt(this.i) === CLOSE_ARRAY) {
      this.i++;
      return;
    }
    for (let index = 0; ; index++) {
      if (this.named) this.path.push(index);
      this.value();
      if (this.named) this.path.pop();
      this.space();
      if (this.text.charCodeAt(this.i++) !== COMMA) return; // ']'
    }
  }

  /** Reads a string at a quote; its value (escapes decoded only when there are any). */
  private string(): string {
    const start = this.i;
    const end = this.stringEnd();
    this.i = end;
    const raw = this.text.slice(start + 1, end - 1);
    return raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  /** Where the string at a quote ends (just past its closing quote). */
  private stringEnd(): number {
    const text = this.text;
    let from = this.i + 1;
    for (;;) {
      const quote = text.indexOf('"', from);
      if (quote < 0) return text.length;
      // Escaped when an odd number of backslashes stands before it.
      let before = quote - 1;
      while (text.charCodeAt(before) === BACKSLASH) before--;
      if ((quote - 1 - before) % 2 === 0) return quote + 1;
      from = quote + 1;
    }
  }

  /** Skips a number, true, false or null. */
  private literal(): void {
    const text = this.text;
    let j = this.i;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || c === SPACE || c === LF || c === CR || c === TAB)
        break;
      if (Number.isNaN(c)) break;
      j++;
    }
    this.i = j;
  }

  private space(): void {
    const text = this.text;
    let j = this.i;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
      j++;
    }
    this.i = j;
  }

  private pathTo(key: string): string {
    let out = "";
    for (const part of this.path) out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
    return out === "" ? key : `${out}.${key}`;
  }
}
