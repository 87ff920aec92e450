#!/usr/bin/env node
// Runs every compiled test file, and the bench harness's own .test.mjs files, with node's test
// runner. Arguments are file filters (substrings of the path); `--concurrency N` sets how many
// files run at once.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
let concurrency = 3;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--concurrency") concurrency = Number(args[++i]);
  else filters.push(args[i]);
}

function collect(dir, out, suffix = ".test.js") {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out, suffix);
    else if (name.endsWith(suffix)) out.push(path);
  }
  return out;
}

const files = [];
for (const base of ["packages", "examples", "bench"]) {
  let names = [];
  try {
    names = readdirSync(join(root, base));
  } catch {
    continue;
  }
  for (const pkg of names) collect(join(root, base, pkg, "dist"), files);
}
// The benchmark harness is plain JavaScript: its helpers' tests sit beside them, not in a dist/.
collect(join(root, "bench", "lib"), files, ".test.mjs");
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.error("no test files found: build first (npx tsc -b)");
  process.exit(1);
}
console.error(`running ${selected.length} test files, ${concurrency} at a time`);
for (const f of selected) console.error(`  ${relative(root, f)}`);
const child = spawn(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...selected], {
  stdio: "inherit",
});
child.on("close", (code) => process.exit(code ?? 1));
