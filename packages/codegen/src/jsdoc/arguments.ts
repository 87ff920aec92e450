/** A marker's text split into bare words and `key=value` pairs. */
export interface MarkerArguments {
  positional: string[];
  named: Map<string, string>;
}

export type ParsedArguments = { ok: true; value: MarkerArguments } | { ok: false; error: string };

/**
 * Tokenises `scale specReplicasPath=.spec.replicas message="a b"`: words separated by
 * whitespace; a value may be quoted with `"` or `'` (backslash escapes) or with backticks
 * (raw, as kubebuilder allows), so that CEL rules can hold either kind of quote.
 */
export function parseMarkerArguments(text: string): ParsedArguments {
  const positional: string[] = [];
  const named = new Map<string, string>();
  let index = 0;
  while (index < text.length) {
    while (index < text.length && /\s/.test(text.charAt(index))) index++;
    if (index >= text.length) break;
    const keyMatch = /^([A-Za-z][A-Za-z0-9_-]*)=/.exec(text.slice(index));
    let key: string | undefined;
    if (keyMatch) {
      key = keyMatch[1];
      index += keyMatch[0].length;
    }
    const value = readValue(text, index);
    if (!value.ok) return value;
    index = value.end;
    if (key === undefined) {
      positional.push(value.text);
    } else {
      if (named.has(key)) return { ok: false, error: `${key} is given twice` };
      named.set(key, value.text);
    }
  }
  return { ok: true, value: { positional, named } };
}

function readValue(
  text: string,
  start: number,
): { ok: true; text: string; end: number } | { ok: false; error: string } {
  const quote = text.charAt(start);
  if (quote === "`") {
    const close = text.indexOf("`", start + 1);
    if (close < 0) return { ok: false, error: "a backtick-quoted value is not closed" };
    return { ok: true, text: text.slice(start + 1, close), end: close + 1 };
  }
  if (quote === '"' || quote === "'") {
    let out = "";
    for (let index = start + 1; index < text.length; index++) {
      const char = text.charAt(index);
      if (char === "\\" && index + 1 < text.length) {
        const next = text.charAt(index + 1);
        out += next === "n" ? "\n" : next === "t" ? "\t" : next;
        index++;
        continue;
      }
      if (char === quote) return { ok: true, text: out, end: index + 1 };
      out += char;
    }
    return { ok: false, error: `a ${quote}-quoted value is not closed` };
  }
  let end = start;
  while (end < text.length && !/\s/.test(text.charAt(end))) end++;
  return { ok: true, text: text.slice(start, end), end };
}
