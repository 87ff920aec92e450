// Informal benchmark: `generate` on a 50-kind project vs `tsc --noEmit` on the same files.
// Usage: node packages/codegen/bench/generate-50-kinds.mjs [kinds=50] [runs=5]   (build the package first)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const kinds = Number(process.argv[2] ?? 50);
const runs = Number(process.argv[3] ?? 5);
const packageRoot = fileURLToPath(new URL("../", import.meta.url));
const repoRoot = join(packageRoot, "../..");
const root = mkdtempSync(join(tmpdir(), "codegen-bench-"));

const write = (path, text) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};

// The meta types, for tsc only (codegen maps them by name and never reads this file).
write(
  "stubs/runtime.d.ts",
  `export interface ObjectMeta { name?: string; namespace?: string; labels?: Record<string, string> }
export type int32 = number;
export type int64 = number;
export type Time = string;
export type Quantity = string | number;
export interface Condition { type: string; status: "True" | "False" | "Unknown"; reason: string; message: string; lastTransitionTime: string }
`,
);
write(
  "tsconfig.json",
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      module: "NodeNext",
      moduleResolution: "NodeNext",
      target: "ES2022",
      skipLibCheck: true,
      types: [],
      paths: { "@apiserver-kit/runtime": ["./stubs/runtime.d.ts"] },
    },
    include: ["src/apis"],
  }),
);
write("src/apis/bench/doc.ts", "/** @group bench.example.com */\nexport {};\n");
write(
  "src/apis/bench/v1/common.ts",
  `import type { int32 } from "@apiserver-kit/runtime";
/** A port. @minimum 1 @maximum 65535 */
export type Port = int32;
/** A named endpoint. */
export interface Endpoint { /** Host name. @maxLength 253 */ host: string; port: Port; protocol?: "TCP" | "UDP" }
`,
);
for (let index = 0; index < kinds; index++) {
  const kind = `Thing${index}`;
  write(
    `src/apis/bench/v1/thing${index}.ts`,
    `import type { Condition, ObjectMeta, Quantity, Time, int32, int64 } from "@apiserver-kit/runtime";
import type { Endpoint } from "./common.js";

/**
 * ${kind} is benchmark kind number ${index}.
 * @kind
 * @shortName t${index}
 * @subresource status
 * @subresource scale specReplicasPath=.spec.replicas statusReplicasPath=.status.replicas
 * @printColumn name=Replicas type=integer jsonPath=.spec.replicas
 */
export interface ${kind} {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: ${kind}Spec;
  status?: ${kind}Status;
}

/** The desired state of a ${kind}. */
export interface ${kind}Spec {
  /** Replicas. @minimum 0 @default 1 */
  replicas?: int32;
  /** Name. @minLength 1 @maxLength 63 */
  name: string;
  /** Color. @default "Red" */
  color?: "Red" | "Green" | "Blue";
  /** Memory. */
  memory?: Quantity;
  /** Endpoints by host. @listType map @listMapKey host */
  endpoints?: Endpoint[];
  /** Labels. */
  labels?: Record<string, string>;
  /** Size. */
  size?: int64;
  /** Nested settings. */
  settings?: { enabled: boolean; ratio?: number; tags?: string[] };
}

/** The observed state of a ${kind}. */
export interface ${kind}Status {
  replicas?: int32;
  /** @listType map @listMapKey type */
  conditions?: Condition[];
  lastUpdated?: Time;
}
`,
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const time = (command, args) => {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    execFileSync(command, args, { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
};

const generateScript = `
import { generate, loadApiProject } from ${JSON.stringify(join(packageRoot, "dist/index.js"))};
const result = generate(loadApiProject(process.cwd()), { projectRoot: process.cwd() });
if (result.errors.length > 0 || result.files.length !== 2) { console.error(result.errors); process.exit(1); }
`;
write("generate.mjs", generateScript);
try {
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "."], { cwd: root, stdio: "inherit" });
  const generateMs = time(process.execPath, ["generate.mjs"]);
  const tscMs = time(process.execPath, [tsc, "-p", "."]);
  console.log(`kinds: ${kinds}, runs: ${runs} (median wall time, each a fresh node process)`);
  console.log(`generate:       ${generateMs.toFixed(0)} ms`);
  console.log(`tsc --noEmit:   ${tscMs.toFixed(0)} ms`);
  console.log(`ratio:          ${(generateMs / tscMs).toFixed(2)}x (goal <= 1.5x)`);
} finally {
  if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
  else console.log(root);
}
