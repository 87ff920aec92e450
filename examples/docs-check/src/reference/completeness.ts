/**
 * Whether the reference pages cover what the programs accept: every `scaffold` command and flag
 * (docs/reference/cli.md) and every server flag (docs/reference/server-flags.md) needs a table
 * row with a meaning and an example that uses the flag.
 */
import type { createProgram } from "@apiserver-kit/cli";
import type { ServerFlagGroup } from "@apiserver-kit/runtime";
import { type TableRow, tableRows } from "../markdown-tables.js";

type Command = ReturnType<typeof createProgram>;

/** A flag whose reference entry is missing or incomplete, and what is wrong. */
export interface ReferenceGap {
  flag: string;
  problem: string;
}

const MIN_MEANING = 10;

function checkRow(rows: readonly TableRow[], flag: string, where: string): ReferenceGap | undefined {
  const row = rows.find((r) => new RegExp(`^\`(-\\w, )?${flag}( |\`)`).test(r.cells.Flag ?? ""));
  const name = `${where} ${flag}`;
  if (!row) return { flag: name, problem: "no row in the reference table" };
  const meaning = row.cells.Meaning ?? "";
  if (meaning.length < MIN_MEANING) return { flag: name, problem: `no description (Meaning: "${meaning}")` };
  const example = row.cells.Example ?? "";
  if (!example.includes(flag) && !(flag.startsWith("--") && example.includes(flag.replace(/^--/, "-")))) {
    return { flag: name, problem: `no example using it (Example: "${example}")` };
  }
  return undefined;
}

function leafCommands(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  return command.commands.flatMap((sub) => {
    const subPath = [...path, sub.name()];
    return sub.commands.length > 0 ? leafCommands(sub, subPath) : [{ path: subPath.join(" "), command: sub }];
  });
}

/** Gaps of docs/reference/cli.md against the scaffold program. */
export function cliReferenceGaps(program: Command, page: string): ReferenceGap[] {
  const rows = tableRows(page);
  const gaps: ReferenceGap[] = [];
  const global = rows.filter((row) => row.section === "Global flags");
  for (const option of program.options) {
    const gap = checkRow(global, option.long ?? option.flags, "scaffold");
    if (gap) gaps.push(gap);
  }
  for (const { path, command } of leafCommands(program)) {
    const section = rows.filter((row) => row.section.startsWith(`\`scaffold ${path}`));
    if (!page.includes(`## \`scaffold ${path}`)) {
      gaps.push({ flag: `scaffold ${path}`, problem: "no section for the command" });
      continue;
    }
    for (const option of command.options) {
      if (option.long === "--help") continue;
      const gap = checkRow(section, option.long ?? option.flags, `scaffold ${path}`);
      if (gap) gaps.push(gap);
    }
  }
  return gaps;
}

/** Gaps of docs/reference/server-flags.md against the server's flag groups. */
export function serverFlagReferenceGaps(groups: readonly ServerFlagGroup[], page: string): ReferenceGap[] {
  const rows = tableRows(page);
  const gaps: ReferenceGap[] = [];
  for (const group of groups) {
    const section = rows.filter((row) => row.section === group.title);
    for (const flag of group.flags) {
      const gap = checkRow(section, `--${flag.name}`, group.title);
      if (gap) gaps.push(gap);
    }
  }
  return gaps;
}
