/**
 * Decoding request bodies (JSON and YAML) with the limits the server enforces, and
 * encoding responses (JSON and YAML).
 */

import { parseDocument, stringify as stringifyYAML } from "yaml";
import { StatusError } from "../api/errors.js";
import { duplicateFields } from "./json-duplicates.js";

/**
 * Maximum nesting of objects and arrays in a request body. Kubernetes allows 10,000,
 * but Node's JSON.stringify overflows its stack past ~4,000 levels, so an object
 * accepted deeper would break every later read of it.
 */
export const MAX_JSON_DEPTH = 1000;

/** Throws 400 when JSON text nests deeper than `max`; a linear scan before parsing. */
export function checkJSONDepth(text: string, max = MAX_JSON_DEPTH): void {
  // Each level opens with a bracket: text of at most `max` characters cannot go deeper.
  if (text.length <= max) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) throw StatusError.badRequest(`the request body nests deeper than the limit of ${max} levels`);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
}

function checkValueDepth(value: unknown, max: number, depth = 0): void {
  if (value === null || typeof value !== "object") return;
  if (depth >= max) throw StatusError.badRequest(`the request body nests deeper than the limit of ${max} levels`);
  for (const child of Object.values(value)) checkValueDepth(child, max, depth + 1);
}

export type BodyFormat = "json" | "yaml";

/** The media type of a Content-Type header without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * A PATCH's type as the patch handler reads its Content-Type: everything before the first ';'
 * (when that is not the first character), compared as is: unlike bodies of creates and updates
 * (mime.ParseMediaType), no case folding and no trimming.
 */
export function patchType(contentType: string | undefined): string {
  const value = contentType ?? "";
  const cut = value.indexOf(";");
  return cut > 0 ? value.slice(0, cut) : value;
}

export function parseJSONBody(text: string): unknown {
  checkJSONDepth(text);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw StatusError.badRequest(`error decoding request body: ${(error as Error).message}`);
  }
}

export function parseYAMLBody(text: string): unknown {
  return readYAML(text).value;
}

/**
 * A YAML text's value, and each key it repeats within one mapping in go-yaml's words
 * (`line 8: key "replicas" already set in map`) — one parse for both. The value keeps a repeated
 * key's last value, as go-yaml's lenient decoding does; any other problem refuses the text.
 */
export function readYAML(text: string): { value: unknown; repeatedKeys: string[] } {
  let value: unknown;
  const repeatedKeys: string[] = [];
  try {
    const doc = parseDocument(text, { uniqueKeys: true, merge: false });
    for (const error of doc.errors) {
      if (error.code !== "DUPLICATE_KEY") throw error;
      repeatedKeys.push(repeatedKeyLine(error.linePos?.[0]?.line ?? 0, keyAt(text, error.pos[0])));
    }
    // maxAliasCount bounds alias expansion ("billion laughs").
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml parser reports its own stack overflow on deep nesting as RESOURCE_EXHAUSTION.
    const exhausted = error instanceof RangeError || (error as { code?: unknown }).code === "RESOURCE_EXHAUSTION";
    if (exhausted) throw StatusError.badRequest("the request body nests too deeply");
    throw StatusError.badRequest(`error converting YAML to JSON: ${(error as Error).message}`);
  }
  checkValueDepth(value, MAX_JSON_DEPTH);
  return { value, repeatedKeys };
}

/** go-yaml's words for a repeated key at a line. */
const repeatedKeyLine = (line: number, key: string) => `line ${line}: key ${JSON.stringify(key)} already set in map`;

/** The (unquoted) mapping key that starts at `offset` of YAML text. */
function keyAt(text: string, offset: number): string {
  const token = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:\s,{}[\]]+)/.exec(text.slice(offset))?.[0] ?? "";
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (token.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
  return token;
}

/** Whether an object body of this Content-Type is read as JSON (no Content-Type is JSON too). */
export function isJSONBody(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === "application/json" || type === "";
}

/** Decodes an object body; content types other than JSON and YAML → 415. */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = mediaType(contentType);
  const text = body.toString("utf8");
  let value: unknown;
  let problems: StrictDecodingProblems | undefined;
  if (isJSONBody(contentType)) {
    value = parseJSONBody(text);
    problems = jsonDuplicates(text);
  } else if (type === "application/yaml" || type === "application/x-yaml" || type === "text/yaml") {
    const yaml = readYAML(text);
    value = yaml.value;
    problems = yamlDuplicates(yaml.repeatedKeys);
  } else throw StatusError.unsupportedMediaType(type, ["application/json", "application/yaml"]);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw StatusError.badRequest("the request body must be a JSON object");
  }
  if (problems) bodyProblems.set(value, problems);
  return value as Record<string, unknown>;
}

/**
 * What kube-apiserver's strict decoding says of a body that repeats a key within one object:
 * `errors` joined into a Strict refusal, `warnings` sent one by one under Warn.
 */
export interface StrictDecodingProblems {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** JSON: `duplicate field "spec.size"`, by field path, the same text for both. */
function jsonDuplicates(text: string): StrictDecodingProblems | undefined {
  const messages = duplicateFieldMessages(text);
  return messages.length === 0 ? undefined : { errors: messages, warnings: messages };
}

/** sigs.k8s.io/json's words for the fields a JSON text repeats: `duplicate field "spec.size"`. */
export function duplicateFieldMessages(text: string): string[] {
  return duplicateFields(text).map((path) => `duplicate field ${JSON.stringify(path)}`);
}

/** YAML: go-yaml's `line 6: key "name" already set in map`, in one error and one warning per key. */
function yamlDuplicates(lines: readonly string[]): StrictDecodingProblems | undefined {
  if (lines.length === 0) return undefined;
  return { errors: [`yaml: unmarshal errors:\n  ${lines.join("\n  ")}`], warnings: lines };
}

/** Strict-decoding problems of the body `object` was decoded from (repeated keys); undefined for most. */
const bodyProblems = new WeakMap<object, StrictDecodingProblems>();

export function strictDecodingProblems(object: object): StrictDecodingProblems | undefined {
  return bodyProblems.get(object);
}

/**
 * `object` (a patch's result) carries problems its patch's strict decoding found, each one
 * message for both a Strict refusal and a Warn warning (`duplicate field "spec.size"`).
 */
export function attachStrictDecodingProblems<T extends object>(object: T, messages: readonly string[]): T {
  if (messages.length > 0) bodyProblems.set(object, { errors: messages, warnings: messages });
  return object;
}

/** `copy` (of a decoded body) is reported as its original would be. */
export function keepStrictDecodingProblems<T extends object>(original: object, copy: T): T {
  const problems = bodyProblems.get(original);
  if (problems) bodyProblems.set(copy, problems);
  return copy;
}

export function encode(value: unknown, format: BodyFormat): string {
  return format === "yaml" ? stringifyYAML(value, { aliasDuplicateObjects: false }) : JSON.stringify(value);
}

/**
 * A JSON array's text from already-serialized items, as one Buffer: `head`, the items
 * separated by commas, `tail`. Writing the items straight into a buffer of the exact size
 * keeps a large list's peak memory near the response size (a joined string, its flattened
 * copy and the socket's encoded copy each cost that size again).
 */
export function joinJSON(head: string, items: readonly string[], tail: string): Buffer {
  let length = Buffer.byteLength(head) + Buffer.byteLength(tail) + Math.max(0, items.length - 1);
  for (const item of items) length += Buffer.byteLength(item);
  const body = Buffer.allocUnsafe(length);
  let offset = body.write(head, 0);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) body[offset++] = 0x2c;
    offset += body.write(items[i] as string, offset);
  }
  body.write(tail, offset);
  return body;
}
