import { RE2JS, RE2JSException } from "re2js";
import { celError } from "./errors.js";

// Regular expressions use RE2 semantics, as cel-go does, through a linear-time engine: a pattern
// can't backtrack exponentially and stall the server the way JavaScript's RegExp can.

const cache = new Map<string, RE2JS>();
const CACHE_SIZE = 512;

/** The compiled pattern, or throws with Go's "error parsing regexp: ..." message. */
export function compileRegex(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw celError(e instanceof RE2JSException ? e.message : String(e));
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

/** The message of a pattern RE2 rejects, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** string.matches(re): the pattern matches anywhere in the string. */
export function matches(s: string, pattern: string): boolean {
  return compileRegex(pattern).matcher(s).find();
}

/** string.find(re): the first match, or "". */
export function find(s: string, pattern: string): string {
  const m = compileRegex(pattern).matcher(s);
  return m.find() ? (m.group() ?? "") : "";
}

/** string.findAll(re, limit): all matches, at most limit when limit >= 0. */
export function findAll(s: string, pattern: string, limit = -1n): string[] {
  if (limit === 0n) return [];
  const m = compileRegex(pattern).matcher(s);
  const out: string[] = [];
  while (m.find()) {
    out.push(m.group() ?? "");
    if (limit > 0n && out.length >= Number(limit)) break;
  }
  return out;
}
