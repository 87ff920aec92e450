/**
 * Relative links in Markdown and whether they resolve: to a file or folder that exists, and for a
 * `#fragment` into a Markdown file, to a heading it has (GitHub's anchors).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

export interface Link {
  /** `file:line` of the link. */
  where: string;
  target: string;
}

export interface BrokenLink extends Link {
  problem: string;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]|<[^>]*>/g, (match) => (match.startsWith("<") ? match.slice(1, -1) : ""))
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");
}

/** Every heading anchor of a page, with GitHub's -1, -2 suffixes for repeats. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = headingAnchor(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The page's lines with fenced blocks blanked (line numbers kept). */
function withoutFences(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split("\n").map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || marker.startsWith(fence))) {
      fence = fence ? undefined : marker;
      return "";
    }
    return fence ? "" : line;
  });
}

/** ... and inline code removed: links in code are examples, not links. */
function withoutCode(markdown: string): string[] {
  return withoutFences(markdown).map((line) => line.replace(/`[^`]*`/g, "``"));
}

/** The links of a page that point inside the repository (not http:, mailto:, ...). */
export function relativeLinks(markdown: string, file: string): Link[] {
  const links: Link[] = [];
  withoutCode(markdown).forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ where, target: match[1] ?? "" });
    }
    const reference = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(line)?.[1];
    if (reference) links.push({ where, target: reference });
  });
  return links.filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target));
}

/** The broken relative links of the given Markdown files (paths relative to `root`). */
export function brokenLinks(root: string, files: readonly string[]): BrokenLink[] {
  const anchors = new Map<string, Set<string>>();
  const anchorsFor = (path: string) => {
    let set = anchors.get(path);
    if (!set) {
      set = anchorsOf(readFileSync(path, "utf8"));
      anchors.set(path, set);
    }
    return set;
  };
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const absolute = join(root, file);
    for (const link of relativeLinks(readFileSync(absolute, "utf8"), file)) {
      const [pathPart = "", fragment] = link.target.split("#");
      const target = pathPart === "" ? absolute : join(dirname(absolute), decodeURIComponent(pathPart));
      if (!existsSync(target)) {
        broken.push({ ...link, problem: `${relative(root, target)} does not exist` });
        continue;
      }
      if (fragment === undefined || fragment === "" || !target.endsWith(".md") || statSync(target).isDirectory())
        continue;
      if (!anchorsFor(target).has(fragment.toLowerCase())) {
        broken.push({ ...link, problem: `${relative(root, target)} has no heading #${fragment}` });
      }
    }
  }
  return broken;
}
