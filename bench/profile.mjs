#!/usr/bin/env node
// The top self-time functions of CPU profiles (`npm run bench -- --only <s> --profile` writes
// them into bench/results/profiles/).
//   node bench/profile.mjs <file.cpuprofile | directory> [--top 20]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { option } from "./lib/args.mjs";
import { selfTimes } from "./lib/cpu-profile.mjs";

const target = process.argv[2];
if (!target) {
  console.error("usage: node bench/profile.mjs <file.cpuprofile | directory> [--top 20]");
  process.exit(2);
}
const top = Number(option("top", "20"));
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => join(target, f))
  : [target];
for (const file of files) {
  const rows = selfTimes(JSON.parse(readFileSync(file, "utf8")));
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  console.log(`${file}: ${Math.round(total)} ms sampled`);
  for (const r of rows.slice(0, top)) {
    console.log(`  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
  }
}
