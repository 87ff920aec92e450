/** Markdown tables of a reference page, read by section, for the tests that keep references complete. */

/** The cells of a table row (`| a | b |`), split on pipes outside backticks; undefined when not a row. */
export function tableCells(line: string): string[] | undefined {
  const text = line.trim();
  if (!text.startsWith("|") || !text.endsWith("|")) return undefined;
  const cells: string[] = [];
  let cell = "";
  let code = false;
  for (const char of text.slice(1, -1)) {
    if (char === "`") code = !code;
    if (char === "|" && !code) {
      cells.push(cell.trim());
      cell = "";
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

export interface TableRow {
  /** The `##` heading the row is under. */
  section: string;
  /** Cells by the table's header (`Flag`, `Meaning`, `Example`, ...). */
  cells: Record<string, string>;
}

/** Every row of every table on the page, with its section and its header's names. */
export function tableRows(markdown: string): TableRow[] {
  const rows: TableRow[] = [];
  let section = "";
  let header: string[] | undefined;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("## ")) section = line.slice(3).trim();
    const cells = tableCells(line);
    if (!cells) {
      header = undefined;
      continue;
    }
    if (!header) {
      header = cells;
      continue;
    }
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    rows.push({ section, cells: Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])) });
  }
  return rows;
}
