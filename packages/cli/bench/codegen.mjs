// Benchmark: `scaffold generate` on a project of 50 kinds vs `tsc --noEmit` on the same type files,
// and the wall time of `scaffold new-api --no-install`. Each timing is a fresh node process (what a
// user waits for); generate and tsc alternate, and the median of the per-round ratios is reported.
// One scenario of the benchmark suite (`npm run bench -- --only codegen`), or alone:
//   node packages/cli/bench/codegen.mjs [--kinds 50] [--rounds 5] [--quick] [--json]   (build first: npx tsc -b packages/cli)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { count, progress, quick } from "../../../bench/lib/args.mjs";
import { emit, figure, ratioRow } from "../../../bench/lib/result.mjs";
import { alternate, median } from "../../../bench/lib/stats.mjs";

// --quick: fewer kinds, one round, and no dependency install (so no tsc with real declarations, no new-api timing).
const kinds = count("kinds", 50, 10);
const runs = count("rounds", 5, 1);
const cli = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const checkout = fileURLToPath(new URL("../../../", import.meta.url));
const tsc = join(checkout, "node_modules/typescript/bin/tsc");
const parent = mkdtempSync(join(tmpdir(), "scaffold-bench-"));

// generate's V8 code cache for ts-morph (packages/codegen/src/parser/compile-cache.ts), kept apart
// from the user's; the warm-up run below fills it, as any earlier run would on a user's machine.
const compileCache = join(parent, "compile-cache");

/** Wall time of one fresh node process, in ms. */
function once(args, cwd, env = {}) {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, {
    cwd,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, SCAFFOLD_COMPILE_CACHE: compileCache, ...env },
  });
  return Number(process.hrtime.bigint() - start) / 1e6;
}
function time(args, cwd, before = () => {}) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    before(run);
    samples.push(once(args, cwd));
  }
  return median(samples);
}

try {
  // new-api --no-install, into a fresh directory each run.
  if (!quick) progress("scaffold new-api --no-install");
  const newApiMs = quick
    ? undefined
    : time([cli, "new-api", "x", "--group", "bench.example.com", "--kind", "Thing0", "--no-install"], parent, (run) => {
        rmSync(join(parent, "x"), { recursive: true, force: true });
        void run;
      });

  // A project with `kinds` kinds: the template kind copied under new names, then linked and generated once.
  const project = join(parent, "bench");
  progress(`a project of ${kinds} kinds`);
  const install = quick ? ["--no-install"] : [];
  execFileSync(
    process.execPath,
    [cli, "new-api", project, "--group", "bench.example.com", "--kind", "Thing0", ...install],
    { stdio: "ignore" },
  );
  const template = readFileSync(join(project, "src/apis/bench/v1alpha1/thing0.ts"), "utf8");
  for (let index = 1; index < kinds; index++) {
    const text = template.replaceAll("Thing0", `Thing${index}`).replaceAll("thing0", `thing${index}`);
    writeFileSync(join(project, `src/apis/bench/v1alpha1/thing${index}.ts`), text);
  }
  execFileSync(process.execPath, [cli, "generate"], { cwd: project, stdio: "ignore" });

  // The same type files for tsc: once with the runtime's real declarations, once with stubs of its meta types.
  writeFileSync(
    join(project, "tsconfig.apis.json"),
    JSON.stringify({
      extends: "./tsconfig.json",
      compilerOptions: { noEmit: true, incremental: false },
      include: ["src/apis"],
    }),
  );
  writeFileSync(
    join(project, "runtime-stub.d.ts"),
    `export interface ObjectMeta { name?: string; namespace?: string; labels?: Record<string, string> }
export type int32 = number;
export type int64 = number;
export interface Condition { type: string; status: "True" | "False" | "Unknown"; observedGeneration?: number; lastTransitionTime: string; reason: string; message: string }
`,
  );
  writeFileSync(
    join(project, "tsconfig.stub.json"),
    JSON.stringify({
      extends: "./tsconfig.json",
      compilerOptions: {
        noEmit: true,
        incremental: false,
        types: [],
        paths: { "@apiserver-kit/runtime": ["./runtime-stub.d.ts"] },
      },
      include: ["src/apis"],
    }),
  );
  progress(`${runs} rounds: scaffold generate and tsc --noEmit alternating, ${kinds} kinds`);
  once([cli, "generate"], project); // warm the file system cache for both
  once([tsc, "-p", "tsconfig.stub.json"], project);
  const stub = await alternate(
    runs,
    async () => once([cli, "generate"], project),
    async () => once([tsc, "-p", "tsconfig.stub.json"], project),
  );
  const checkMs = time([cli, "generate", "--check"], project);
  // The first run after an install: no code cache yet, ts-morph compiled from source.
  const coldMs = time([cli, "generate"], project, (run) => {
    rmSync(compileCache, { recursive: true, force: true });
    void run;
  });
  const tscRealMs = quick ? undefined : time([tsc, "-p", "tsconfig.apis.json"], project);
  const generateMs = median(stub.a);

  emit({
    scenario: "codegen",
    title: "scaffold generate vs tsc --noEmit",
    rows: [
      ratioRow({
        id: "codegen",
        title: `scaffold generate on ${kinds} kinds`,
        ours: { value: generateMs, unit: "ms" },
        baseline: { value: median(stub.b), unit: "ms", label: "tsc --noEmit on the same type files" },
        ratios: stub.a.map((g, i) => g / stub.b[i]),
        goal: { op: "<=", value: 1.5 },
        note: "tsc with the meta types (ObjectMeta, int32...) stubbed: the same files, no runtime declarations; generate with its compile cache filled by an earlier run",
      }),
    ],
    figures: [
      ...(tscRealMs === undefined
        ? []
        : [
            figure(
              "scaffold generate / tsc --noEmit with the runtime's real declarations",
              generateMs / tscRealMs,
              "x",
              `${Math.round(tscRealMs)} ms`,
            ),
          ]),
      figure("scaffold generate --check", checkMs, "ms"),
      figure("scaffold generate, first run (empty compile cache)", coldMs, "ms"),
      ...(newApiMs === undefined ? [] : [figure("scaffold new-api --no-install", newApiMs, "ms")]),
    ],
  });
} finally {
  if (!process.env.KEEP) rmSync(parent, { recursive: true, force: true });
  else console.log(parent);
}
