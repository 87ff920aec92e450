#!/usr/bin/env node
// Writes docs/reference/runtime-api.md and controller-api.md from what packages/runtime and
// packages/controller export (their src/index.ts) and the TSDoc of it. The generator is
// examples/docs-check/src/api-reference, whose test fails when the pages are stale.
// Build it first: npx tsc -b examples/docs-check
import { writeFileSync } from "node:fs";
import { relative } from "node:path";

const base = new URL("../examples/docs-check/dist/api-reference/", import.meta.url);
const [{ apiReferencePage }, { API_PAGES }] = await Promise.all([
  import(new URL("generate.js", base).href),
  import(new URL("pages.js", base).href),
]).catch(() => {
  console.error("error: the generator is not built\n  fix: run `npx tsc -b examples/docs-check`");
  process.exit(1);
});
for (const page of API_PAGES) {
  writeFileSync(page.out, apiReferencePage(page));
  console.log(`wrote ${relative(process.cwd(), page.out)}`);
}
