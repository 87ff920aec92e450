// Benchmark: `scaffold generate` on a project of 50 kinds vs `tsc --noEmit` on the same type files,
// and the wall time of `scaffold new-api --no-install`. Each timing is a fresh node process (what a
// user waits for); the median of several runs is reported.
// Usage: node packages/cli/bench/codegen.mjs [kinds=50] [runs=5]   (build first: npx tsc -b packages/cli)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const kinds = Number(process.argv[2] ?? 50);
const runs = Number(process.argv[3] ?? 5);
const cli = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const checkout = fileURLToPath(new URL("../../../", import.meta.url));
const tsc = join(checkout, "node_modules/typescript/bin/tsc");
const parent = mkdtempSync(join(tmpdir(), "scaffold-bench-"));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
function time(args, cwd, before = () => {}) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    before(run);
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

try {
  // new-api --no-install, into a fresh directory each run.
  const newApiMs = time(
    [cli, "new-api", "x", "--group", "bench.example.com", "--kind", "Thing0", "--no-install"],
    parent,
    (run) => {
      rmSync(join(parent, "x"), { recursive: true, force: true });
      void run;
    },
  );

  // A project with `kinds` kinds: the template kind copied under new names, then linked and generated once.
  const project = join(parent, "bench");
  execFileSync(process.execPath, [cli, "new-api", project, "--group", "bench.example.com", "--kind", "Thing0"], {
    stdio: "ignore",
  });
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
  const generateMs = time([cli, "generate"], project);
  const checkMs = time([cli, "generate", "--check"], project);
  const tscStubMs = time([tsc, "-p", "tsconfig.stub.json"], project);
  const tscRealMs = time([tsc, "-p", "tsconfig.apis.json"], project);

  console.log(`kinds: ${kinds}, runs: ${runs} (median wall time, each a fresh node process)`);
  console.log(`scaffold new-api --no-install:               ${newApiMs.toFixed(0)} ms`);
  console.log(`scaffold generate:                           ${generateMs.toFixed(0)} ms`);
  console.log(`scaffold generate --check:                   ${checkMs.toFixed(0)} ms`);
  console.log(`tsc --noEmit src/apis (stubbed meta types):  ${tscStubMs.toFixed(0)} ms`);
  console.log(`tsc --noEmit src/apis (real dependencies):   ${tscRealMs.toFixed(0)} ms`);
  console.log(`ratio generate / tsc (stubbed):              ${(generateMs / tscStubMs).toFixed(2)}x (goal <= 1.5x)`);
  console.log(`ratio generate / tsc (real dependencies):    ${(generateMs / tscRealMs).toFixed(2)}x`);
} finally {
  if (!process.env.KEEP) rmSync(parent, { recursive: true, force: true });
  else console.log(parent);
}
