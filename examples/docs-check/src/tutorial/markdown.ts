/**
 * The tutorial's steps, read from its Markdown. A fenced code block becomes a step when an HTML
 * comment right before it says what the test does with it:
 *
 *   <!-- test: run -->                          run the sh block; it must exit 0
 *   <!-- test: run, expect "text" -->           ... and print `text`
 *   <!-- test: fails, expect "text" -->         run it; it must exit non-zero (and print `text`)
 *   <!-- test: run, retry, expect "text" -->    run it again (every 2 s, for up to the step timeout)
 *                                                until it does what the mark says: for commands
 *                                                that wait on a server restarting
 *   <!-- test: background, until "text" -->     start it (a server) and wait until it prints `text`;
 *                                                stopped when the chapter ends
 *   <!-- test: skip <why> -->                   not run; the test reports why
 *   <!-- test: write <path> -->                 write the block (any language) to `path`
 *   <!-- test: insert <path> after "line" -->   insert the block into `path` after the line holding `line`
 *
 * A comment on its own (no block after it) is a checkpoint:
 *
 *   <!-- test: await "text" -->                 wait until a background command prints `text` again
 *
 * Every sh block of a tutorial page must carry a mark, so that no command goes untested by accident.
 */

export type StepKind = "run" | "fails" | "background" | "skip" | "write" | "insert" | "await";

export interface Step {
  kind: StepKind;
  /** Where the block (or checkpoint) is: `file:line`. */
  where: string;
  /** The block's text (empty for a checkpoint). */
  code: string;
  /** run/fails: text the output must hold; background/await: text to wait for. */
  text?: string;
  /** run/fails: try again until it behaves. */
  retry?: boolean;
  /** skip: the reason. */
  reason?: string;
  /** write/insert: the file. */
  path?: string;
  /** insert: the line to insert after. */
  after?: string;
}

/** A mark or block the parser could not accept. */
export class TutorialFormatError extends Error {
  readonly reason = "TutorialFormat";
  constructor(
    readonly where: string,
    detail: string,
  ) {
    super(`${where}: ${detail}`);
  }
}

const MARK = /^<!--\s*test:\s*(.*?)\s*-->$/;
const FENCE = /^(`{3,})\s*([\w-]*)\s*$/;

function quoted(text: string, keyword: string, where: string): string {
  const match = new RegExp(`${keyword}\\s+"((?:[^"\\\\]|\\\\.)*)"`).exec(text);
  if (!match) throw new TutorialFormatError(where, `expected ${keyword} "..." in <!-- test: ${text} -->`);
  return (match[1] ?? "").replace(/\\(.)/g, "$1");
}

function parseMark(body: string, where: string): Omit<Step, "code" | "where"> {
  const [head = "", ...rest] = body.split(/\s+/);
  const kind = head.replace(/,$/, "");
  const args = rest.join(" ");
  switch (kind) {
    case "run":
    case "fails":
      return {
        kind,
        ...(/(^|[\s,])retry([\s,]|$)/.test(args) ? { retry: true } : {}),
        ...(args.includes("expect") ? { text: quoted(args, "expect", where) } : {}),
      };
    case "background":
      return { kind, text: quoted(args, "until", where) };
    case "await":
      return { kind, text: quoted(body, "await", where) };
    case "skip":
      if (!args) throw new TutorialFormatError(where, "a skip says why: <!-- test: skip <why> -->");
      return { kind, reason: args };
    case "write":
      if (!args) throw new TutorialFormatError(where, "write needs a path: <!-- test: write <path> -->");
      return { kind, path: args };
    case "insert": {
      const path = /^(\S+)\s+after\s+"/.exec(args)?.[1];
      if (!path) throw new TutorialFormatError(where, 'expected <!-- test: insert <path> after "line" -->');
      return { kind, path, after: quoted(args, "after", where) };
    }
    default:
      throw new TutorialFormatError(where, `unknown mark "${kind}"`);
  }
}

/** The steps of one page, in order; throws on an unmarked sh block or a malformed mark. */
export function parseTutorial(markdown: string, file: string): Step[] {
  const lines = markdown.split("\n");
  const steps: Step[] = [];
  let pending: { mark: Omit<Step, "code" | "where">; where: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    const where = `${file}:${i + 1}`;
    const mark = MARK.exec(line);
    if (mark) {
      if (pending) throw new TutorialFormatError(pending.where, "a mark with no code block after it");
      const parsed = parseMark(mark[1] ?? "", where);
      if (parsed.kind === "await") steps.push({ ...parsed, where, code: "" });
      else pending = { mark: parsed, where };
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const language = fence[2] ?? "";
      const body: string[] = [];
      let end = i + 1;
      while (end < lines.length && (lines[end] ?? "").trim() !== fence[1]) body.push(lines[end++] ?? "");
      if (end >= lines.length) throw new TutorialFormatError(where, "a code block that never ends");
      if (pending) {
        const kind = pending.mark.kind;
        if ((kind === "run" || kind === "fails" || kind === "background") && language !== "sh") {
          throw new TutorialFormatError(
            pending.where,
            `a ${kind} mark on a ${language || "plain"} block (only sh runs)`,
          );
        }
        steps.push({ ...pending.mark, where: pending.where, code: `${body.join("\n")}\n` });
        pending = undefined;
      } else if (language === "sh") {
        throw new TutorialFormatError(
          where,
          "an sh block without a mark: put <!-- test: run --> (or skip <why>, background, fails) before it",
        );
      }
      i = end;
      continue;
    }
    if (pending && line !== "") throw new TutorialFormatError(pending.where, "a mark must come right before its block");
  }
  if (pending) throw new TutorialFormatError(pending.where, "a mark with no code block after it");
  return steps;
}
