#!/usr/bin/env node
// The benchmark suite: every scenario against its same-run baseline, results as JSON and in
// docs/benchmarks.md with a chart (see docs/decisions/0009-benchmark-method.md).
//
//   npm run bench                      every scenario (< 10 minutes), then results + docs
//   npm run bench -- --quick           a smoke run (< 1 minute; CI): bench/results/quick.json.tmp, docs untouched
//   npm run bench -- --only list,watch some scenarios; the others keep their last results
//   npm run bench -- --profile         server processes write CPU profiles to bench/results/profiles/
//   npm run bench -- --list            the scenarios
//
// Build first: npx tsc -b packages/cli packages/controller (the runtime and storage come with them).
// No scenario asserts a speed: a missed goal is reported, and the exit code is 0 unless a
// scenario failed to run.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { allRows, renderMarkdown, renderSvg, spliceResults } from "./lib/report.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const onlyIndex = argv.indexOf("--only");
const only = onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? "").split(",").filter(Boolean) : [];

/** Each scenario is a script printing one BENCH_RESULT line with --json; `limit` is its time budget in seconds. */
const SCENARIOS = [
  {
    name: "serving",
    script: "bench/serving.mjs",
    needs: "packages/runtime/dist",
    limit: 150,
    what: "GET and discovery (1, 2)",
  },
  {
    name: "storage",
    script: "bench/storage.mjs",
    needs: "packages/storage/dist",
    limit: 150,
    what: "creates on SQLite and etcd (3), discovery during a write storm",
  },
  {
    name: "list",
    script: "bench/list.mjs",
    needs: "packages/runtime/dist",
    limit: 150,
    what: "list, pages, cache memory (4, 6)",
  },
  { name: "watch", script: "bench/watch.mjs", needs: "packages/runtime/dist", limit: 120, what: "watch fan-out (5)" },
  {
    name: "codegen",
    script: "packages/cli/bench/codegen.mjs",
    needs: "packages/cli/dist",
    limit: 120,
    what: "scaffold generate (7)",
  },
  {
    name: "controller",
    script: "packages/controller/bench/reconcile-throughput.mjs",
    needs: "packages/controller/dist",
    limit: 120,
    what: "no-op reconcile (8)",
  },
  {
    name: "cel",
    script: "packages/cel/bench/rules.mjs",
    needs: "packages/cel/dist",
    limit: 30,
    what: "CEL rule timings (figures)",
  },
  {
    name: "listener",
    script: "bench/listener.mjs",
    needs: "packages/runtime/dist",
    limit: 60,
    what: "h1 listener variants (ADR 0006)",
  },
];

if (argv.includes("--list")) {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(12)} ${s.what}  (${s.script})`);
  process.exit(0);
}
const unknown = only.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(", ")}; --list shows them`);
  process.exit(2);
}
const selected = SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name));
const missing = [...new Set(selected.map((s) => s.needs).filter((dir) => !existsSync(join(root, dir))))];
if (missing.length) {
  console.error(`not built: ${missing.join(", ")}. Build first: npx tsc -b packages/cli packages/controller`);
  process.exit(2);
}

const profileDir = argv.includes("--profile") ? join(root, "bench/results/profiles") : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });

/** Runs one scenario script; resolves with its result, or an `error` entry. */
function runScenario(scenario) {
  if (!existsSync(join(root, scenario.script))) {
    return Promise.resolve({ scenario: scenario.name, seconds: 0, error: `${scenario.script} does not exist` });
  }
  const args = ["--expose-gc", join(root, scenario.script), "--json"];
  if (quick) args.push("--quick");
  if (profileDir) args.push("--profile", profileDir);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    // A hung scenario must not hang the suite (or CI): twice its budget, then it is killed.
    const timer = setTimeout(() => child.kill("SIGKILL"), scenario.limit * 2000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (code === 0 && line) {
        resolve({ ...JSON.parse(line.slice("BENCH_RESULT ".length)), scenario: scenario.name, seconds });
        return;
      }
      const why = signal ? `killed (${signal}) after ${Math.round(seconds)} s` : `exited with ${code}`;
      const lastError = stderr.trim().split("\n").filter(Boolean).slice(-3).join(" ");
      resolve({ scenario: scenario.name, seconds, error: `${why}: ${lastError || "no result line"}` });
    });
  });
}

function git(...args) {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

const startedAt = new Date();
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model.trim() ?? "unknown",
  memoryGiB: totalmem() / 2 ** 30,
  node: process.version,
  kernel: release(),
  loadAverage: loadavg(),
};
const scenarios = [];
for (const scenario of selected) {
  console.error(`==> ${scenario.name}: ${scenario.what}`);
  const result = await runScenario(scenario);
  result.ranAt = startedAt.toISOString();
  scenarios.push(result);
  console.error(`    ${result.error ? `FAILED: ${result.error}` : "done"} in ${Math.round(result.seconds)} s`);
}

// Quick results are a smoke test, kept out of git (bench/results/*.tmp is ignored).
const resultsFile = join(root, "bench/results", quick ? "quick.json.tmp" : "latest.json");
// With --only, the scenarios not run keep their last results (each says when it ran).
let previous = [];
if (only.length && existsSync(resultsFile)) {
  previous = JSON.parse(readFileSync(resultsFile, "utf8")).scenarios.filter(
    (s) => !scenarios.some((n) => n.scenario === s.scenario),
  );
}
const ordered = SCENARIOS.map((s) => [...scenarios, ...previous].find((r) => r.scenario === s.name)).filter(Boolean);
const results = {
  date: startedAt.toISOString().slice(0, 16).replace("T", " ") + " UTC",
  // What a run writes itself (results, this page, its chart) is not a change to what it measured.
  commit: `${git("rev-parse", "--short", "HEAD")}${
    git(
      "status",
      "--porcelain",
      "--untracked-files=no",
      "--",
      ".",
      ":!bench/results",
      ":!docs/benchmarks.md",
      ":!docs/benchmarks.svg",
    )
      ? " (with local changes)"
      : ""
  }`,
  command: `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
  mode: quick ? "quick" : "full",
  seconds: scenarios.reduce((sum, s) => sum + s.seconds, 0),
  machine,
  scenarios: ordered,
};
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
console.error(`results: ${relative(root, resultsFile)}`);

if (!quick) {
  const docPath = join(root, "docs/benchmarks.md");
  const chartPath = join(root, "docs/benchmarks.svg");
  const doc = existsSync(docPath) ? readFileSync(docPath, "utf8") : "# Benchmarks\n";
  writeFileSync(docPath, spliceResults(doc, renderMarkdown(results, "benchmarks.svg")));
  writeFileSync(chartPath, renderSvg(results));
  console.error(`docs: ${relative(root, docPath)}, ${relative(root, chartPath)}`);
}

for (const row of allRows(results)) {
  const verdict = row.goal ? (row.met ? "met" : "MISSED") : "";
  const value = row.kind === "ratio" ? `${row.ratio.toFixed(2)}x` : `${row.ours.value.toFixed(2)} ${row.ours.unit}`;
  console.log(`${row.scenario.padEnd(11)} ${row.title.slice(0, 70).padEnd(71)} ${value.padStart(10)}  ${verdict}`);
}
process.exitCode = scenarios.some((s) => s.error) ? 1 : 0;
