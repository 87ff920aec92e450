/**
 * JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7396) on plain JSON values. Results
 * are built from fresh objects; keys like `__proto__` are own properties and never
 * reach a prototype.
 */
import { StatusError } from "../api/errors.js";

type JSON = null | boolean | number | string | JSON[] | { [key: string]: JSON };

/** Kubernetes' cap on operations per JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;
/** Bound on bytes that copy operations may produce (a patch of copies can double a document each step). */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

export interface JSONPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

function isObject(value: unknown): value is Record<string, JSON> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets an own property even for names like `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

export function deepClone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepClone) as T;
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, key, deepClone(value[key]));
    return out as T;
  }
  return value;
}

export class PatchError extends Error {
  override readonly name = "PatchError";
  /** "decode": the patch itself is malformed (400); "apply": it does not apply (422). */
  constructor(
    readonly phase: "decode" | "apply",
    message: string,
  ) {
    super(message);
  }

  toStatus(): StatusError {
    return this.phase === "decode"
      ? StatusError.badRequest(this.message)
      : new StatusError(422, "Invalid", this.message, undefined);
  }
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/"))
    throw new PatchError("apply", `JSON pointer must start with /: ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(token: string, length: number, forAdd: boolean, op: string, path: string): number {
  if (token === "-" && forAdd) return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchError(
      "apply",
      `${op} operation does not apply: invalid array index ${JSON.stringify(token)} in ${path}`,
    );
  const index = Number(token);
  if (index > length || (!forAdd && index === length)) {
    throw new PatchError("apply", `${op} operation does not apply: index out of range in ${path}`);
  }
  return index;
}

function resolveParent(doc: JSON, tokens: string[], op: string, path: string): JSON {
  let node: JSON = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      node = node[arrayIndex(token, node.length, false, op, path)] as JSON;
    } else if (isObject(node) && Object.hasOwn(node, token)) {
      node = node[token] as JSON;
    } else {
      throw new PatchError("apply", `${op} operation does not apply: doc is missing path: ${path}`);
    }
  }
  return node;
}

function getAt(doc: JSON, path: string, op: string): JSON {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const parent = resolveParent(doc, tokens, op, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, op, path)] as JSON;
  if (isObject(parent) && Object.hasOwn(parent, last)) return parent[last] as JSON;
  throw new PatchError("apply", `${op} operation does not apply: doc is missing path: ${path}`);
}

function addAt(doc: JSON, path: string, value: JSON, op: string): JSON {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, op, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, op, path), 0, value);
  else if (isObject(parent)) setOwn(parent, last, value);
  else throw new PatchError("apply", `${op} operation does not apply: doc is missing path: ${path}`);
  return doc;
}

function removeAt(doc: JSON, path: string, op: string): JSON {
  const tokens = parsePointer(path);
  if (tokens.length === 0)
    throw new PatchError("apply", `${op} operation does not apply: cannot remove the whole document`);
  const parent = resolveParent(doc, tokens, op, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, false, op, path);
    return parent.splice(index, 1)[0] as JSON;
  }
  if (isObject(parent) && Object.hasOwn(parent, last)) {
    const value = parent[last] as JSON;
    delete parent[last];
    return value;
  }
  throw new PatchError("apply", `${op} operation does not apply: doc is missing path: ${path}`);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Parses and checks a JSON patch document (400 on a malformed one). */
export function decodeJSONPatch(value: unknown): JSONPatchOperation[] {
  if (!Array.isArray(value))
    throw new PatchError("decode", "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  if (value.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(
      "decode",
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${value.length}`,
    );
  }
  return value.map((raw, i) => {
    if (!isObject(raw)) throw new PatchError("decode", `operation ${i} is not an object`);
    const op = raw.op;
    if (typeof op !== "string" || !["add", "remove", "replace", "move", "copy", "test"].includes(op)) {
      throw new PatchError("decode", `Unexpected kind: ${String(op)}`);
    }
    if (typeof raw.path !== "string") throw new PatchError("decode", `operation ${i} (${op}) has no path`);
    if ((op === "move" || op === "copy") && typeof raw.from !== "string") {
      throw new PatchError("decode", `operation ${i} (${op}) has no from`);
    }
    if ((op === "add" || op === "replace" || op === "test") && !Object.hasOwn(raw, "value")) {
      throw new PatchError("decode", `operation ${i} (${op}) has no value`);
    }
    return raw as unknown as JSONPatchOperation;
  });
}

/** Applies a decoded JSON patch to a copy of `document`. */
export function applyJSONPatch(document: unknown, operations: readonly JSONPatchOperation[]): unknown {
  let doc = deepClone(document) as JSON;
  let copied = 0;
  for (const operation of operations) {
    const { op, path } = operation;
    switch (op) {
      case "add":
        doc = addAt(doc, path, deepClone(operation.value) as JSON, op);
        break;
      case "remove":
        removeAt(doc, path, op);
        break;
      case "replace":
        getAt(doc, path, op);
        if (parsePointer(path).length === 0) doc = deepClone(operation.value) as JSON;
        else {
          removeAt(doc, path, op);
          doc = addAt(doc, path, deepClone(operation.value) as JSON, op);
        }
        break;
      case "move": {
        const from = operation.from as string;
        if (path.startsWith(`${from}/`))
          throw new PatchError(
            "apply",
            `move operation does not apply: cannot move ${from} into its own child ${path}`,
          );
        const value = removeAt(doc, from, op);
        doc = addAt(doc, path, value, op);
        break;
      }
      case "copy": {
        const value = deepClone(getAt(doc, operation.from as string, op));
        copied += JSON.stringify(value).length;
        if (copied > MAX_JSON_PATCH_COPY_BYTES) {
          throw new PatchError(
            "apply",
            `Unable to apply patch: copies would exceed the limit of ${MAX_JSON_PATCH_COPY_BYTES} bytes`,
          );
        }
        doc = addAt(doc, path, value, op);
        break;
      }
      case "test":
        if (!jsonEqual(getAt(doc, path, op), operation.value)) {
          throw new PatchError("apply", `testing value ${path} failed: test failed`);
        }
        break;
    }
  }
  return doc;
}

/**
 * Which operation of an applied JSON patch wrote the value its result holds at `path` (pointer
 * tokens): the operation's index and where in its `value` the result's value sits. Undefined when
 * the value is the document's own. Traced back from the last operation through moves and copies;
 * array indexes are taken as written (an insert before one does not shift it), so a caller checks
 * that what it finds there is the value the result holds.
 */
export function jsonPatchSource(
  operations: readonly JSONPatchOperation[],
  path: readonly string[],
): { operation: number; within: string[] } | undefined {
  let at = [...path];
  const under = (pointer: string): string[] | undefined => {
    const tokens = parsePointer(pointer);
    if (tokens.length > at.length || tokens.some((token, i) => token !== at[i])) return undefined;
    return at.slice(tokens.length);
  };
  for (let i = operations.length - 1; i >= 0; i--) {
    const { op, path: target, from } = operations[i] as JSONPatchOperation;
    if (op === "test") continue;
    const within = under(target);
    if (within === undefined) continue;
    if (op === "add" || op === "replace") return { operation: i, within };
    if (op === "remove") return undefined;
    at = [...parsePointer(from as string), ...within]; // move or copy: the value was at `from`
  }
  return undefined;
}

/** JSON Merge Patch (RFC 7396) applied to a copy of `target`. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  const result: Record<string, unknown> = isObject(target) ? deepClone(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    else setOwn(result, key, applyMergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}
