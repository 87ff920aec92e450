/** One `@name text` tag of a JSDoc comment; `line` is where the tag starts (1-based, in the file). */
export interface JsDocTag {
  name: string;
  /** The tag's text with continuation lines joined by spaces, trimmed. */
  text: string;
  line: number;
  column: number;
}

export interface JsDoc {
  /** The free text before the first tag (what `kubectl explain` shows), or undefined when empty. */
  description?: string;
  tags: JsDocTag[];
}

const TAG_START = /^@([A-Za-z][A-Za-z0-9_]*)\s*/;

/**
 * Parses the raw text of one `/** ... *\/` comment. Hand-written rather than TypeScript's JSDoc
 * parser because TypeScript gives some tag names (`@type`, `@enum`, `@default`...) their own
 * grammar, while markers need their text verbatim.
 *
 * @param startLine the 1-based line of the comment's first character.
 * @param startColumn the 1-based column of the comment's first character.
 */
export function parseJsDoc(raw: string, startLine: number, startColumn = 1): JsDoc {
  const body = raw.replace(/^\/\*\*/, "").replace(/\*\/$/, "");
  const lines = body.split(/\r?\n/);
  const descriptionLines: string[] = [];
  const tags: JsDocTag[] = [];
  let current: { name: string; parts: string[]; line: number; column: number } | undefined;
  let inFence = false;

  lines.forEach((rawLine, index) => {
    const stripped = stripCommentPrefix(rawLine, index === 0);
    const content = stripped.text;
    if (content.trimStart().startsWith("```")) inFence = !inFence;
    const starts = inFence ? [] : tagStarts(content);
    const head = content.slice(0, starts[0] ?? content.length);
    if (current) current.parts.push(head);
    else descriptionLines.push(starts.length > 0 ? head.trimEnd() : head);
    starts.forEach((start, i) => {
      const segment = content.slice(start, starts[i + 1] ?? content.length);
      const match = TAG_START.exec(segment);
      if (!match) return;
      if (current) tags.push(finishTag(current));
      const column = (index === 0 ? startColumn + 3 : 1) + stripped.offset + start;
      current = { name: match[1] ?? "", parts: [segment.slice(match[0].length)], line: startLine + index, column };
    });
  });
  if (current) tags.push(finishTag(current));

  const doc: JsDoc = { tags };
  const description = normaliseDescription(descriptionLines);
  if (description !== "") doc.description = description;
  return doc;
}

/**
 * Where tags start in a line: an `@name` at the start or after whitespace, outside backticks,
 * as TypeScript reads JSDoc (so editors show the same tags).
 */
function tagStarts(line: string): number[] {
  const starts: number[] = [];
  let inCode = false;
  for (let index = 0; index < line.length; index++) {
    const char = line.charAt(index);
    if (char === "`") inCode = !inCode;
    else if (
      char === "@" &&
      !inCode &&
      (index === 0 || /\s/.test(line.charAt(index - 1))) &&
      /[A-Za-z]/.test(line.charAt(index + 1))
    ) {
      starts.push(index);
    }
  }
  return starts;
}

function finishTag(tag: { name: string; parts: string[]; line: number; column: number }): JsDocTag {
  const text = tag.parts
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .join(" ");
  return { name: tag.name, text, line: tag.line, column: tag.column };
}

/** Removes the ` * ` gutter of a comment line; `offset` is how many characters went. */
function stripCommentPrefix(line: string, first: boolean): { text: string; offset: number } {
  if (first) return { text: line.replace(/^ /, ""), offset: line.startsWith(" ") ? 1 : 0 };
  const match = /^\s*\* ?/.exec(line);
  if (!match) return { text: line, offset: 0 };
  return { text: line.slice(match[0].length), offset: match[0].length };
}

/** Trims blank lines at both ends and trailing spaces, and turns `{@link X}` into `X`. */
function normaliseDescription(lines: string[]): string {
  const trimmed = lines.map((line) => line.trimEnd());
  while (trimmed.length > 0 && trimmed[0] === "") trimmed.shift();
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === "") trimmed.pop();
  return trimmed
    .join("\n")
    .replace(/\{@link(?:code|plain)?\s+([^}|\s]+)(?:\s*\|\s*([^}]+))?\s*\}/g, (_all, target: string, label?: string) =>
      (label ?? target).trim(),
    );
}
